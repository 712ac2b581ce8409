package budget_test

import (
	"context"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestAServiceFindingSmallForTheScope: a service's spike that is large for
// the service (Lambda at 20 a day, 25 more one day) but under 3% of the
// scope's level (the median of its whole cost over the 14 days before,
// 1020) raises no anomaly; one of 35 more, 3.4% of it, does. The whole
// cost moves by less than its own 5% either way, so the service speaks or
// nothing does.
func TestAServiceFindingSmallForTheScope(t *testing.T) {
	spike := day(2026, 10, 15)
	for _, c := range []struct {
		lambda string // Lambda's cost on the spike day
		alerts int
	}{
		{"45.00", 0}, // +25: 2.45% of 1020
		{"55.00", 1}, // +35: 3.43% of 1020
	} {
		t.Run(c.lambda, func(t *testing.T) {
			store, _ := newStore(t)
			byMonth := map[time.Time][]charge{}
			for d := day(2026, 9, 1); !d.After(day(2026, 10, 20)); d = d.AddDate(0, 0, 1) {
				lambda := "20.00"
				if d.Equal(spike) {
					lambda = c.lambda
				}
				byMonth[monthOf(d)] = append(byMonth[monthOf(d)],
					charge{Day: d, Account: member, Service: "Amazon Elastic Compute Cloud", Amount: "1000.00"},
					charge{Day: d, Account: member, Service: "AWS Lambda", Amount: lambda})
			}
			for month, charges := range byMonth {
				deliver(t, store, month, "v1", charges)
			}
			clk := &clock{}
			clk.set(day(2026, 10, 21).Add(9 * time.Hour))
			must(t, newEvaluator(store, clk, &recorder{clock: clk}, nil).Evaluate(context.Background()))
			found := read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Alert, error) {
				return r.Alerts(ctx, cost.AlertFilter{Kind: cost.AlertAnomaly})
			})
			if len(found) != c.alerts {
				t.Fatalf("%d anomaly alerts, want %d: %v", len(found), c.alerts, found)
			}
			if c.alerts == 1 {
				a := found[0].Anomaly
				if a.Dimension != "ServiceName" || a.Value != "AWS Lambda" || !a.Date.Equal(spike) || a.Impact.String() != "35.0" {
					t.Errorf("the alert is %s", found[0].Message)
				}
			}
		})
	}
}
