package budget_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The catalog keeps budgets, alerts and subscriptions as JSON bodies: what
// goes in comes back, every decimal place included.
func TestTheCatalogKeepsEveryDecimal(t *testing.T) {
	ctx := context.Background()
	store, dir := newStore(t)
	created := time.Date(2026, 10, 2, 9, 30, 0, 0, time.UTC)
	b := valid()
	b.Scope, b.Amount, b.Measure, b.Filter = billing, decimal.MustParse("1234.567890123456789"), cost.MeasureEffective, `ServiceName = "Amazon EC2"`
	b.Notifications[0].Threshold = decimal.MustParse("87.125")
	b.Notifications[0].ContactRoles = []cost.Role{cost.RoleOwner}
	b.Notifications[0].Webhooks = []string{"https://hooks.example.com/x"}
	b.Created, b.CreatedBy, b.Updated, b.UpdatedBy = created, "carol@example.com", created, "carol@example.com"
	b = saveBudget(t, store, b)
	resolved := created.Add(time.Hour)
	budgetAlert := cost.Alert{ID: cost.NewAlertID(), Kind: cost.AlertBudget, Scope: billing, State: cost.AlertResolved, Key: "budget/x/n/2026-10-01",
		Budget: &cost.BudgetAlert{BudgetID: b.ID, BudgetName: b.Name, Notification: "n", Period: cost.BudgetPeriod{Start: day(2026, 10, 1), End: day(2026, 11, 1)},
			Operator: cost.OpGreaterThan, Threshold: decimal.MustParse("87.125"), ThresholdType: cost.ThresholdForecasted, Amount: b.Amount, Currency: "USD",
			Spent: decimal.MustParse("-0.000000000000000001"), Forecast: decimal.MustParse("99999999999.999999999999999999"), Measure: b.Measure, Filter: b.Filter,
			Rates: []cost.ExchangeRate{{From: "EUR", To: "USD", Rate: decimal.MustParse("1.082345678901234567"), Updated: created}}},
		Fired: created, Updated: resolved, Resolved: &resolved, Message: "m",
		Deliveries: []cost.Delivery{{Channel: "webhook", To: "https://hooks.example.com/x", Status: "failed", Attempts: 3, StatusCode: 503, Error: "e", Time: created, Event: "fired"}}}
	anomalyAlert := cost.Alert{ID: cost.NewAlertID(), Kind: cost.AlertAnomaly, Scope: linked, State: cost.AlertActive, Key: "anomaly/x",
		Anomaly: &cost.AnomalyAlert{Date: day(2026, 10, 1), Dimension: "ServiceName", Value: "Amazon EC2", Type: "spike", Currency: "USD",
			Expected: decimal.MustParse("10.5"), Actual: decimal.MustParse("100.25"), Impact: decimal.MustParse("89.75"),
			Causes: []cost.AnomalyCause{{Dimension: "RegionId", Value: "us-east-1", Expected: decimal.MustParse("1.000000000000000001"),
				Actual: decimal.MustParse("2"), Impact: decimal.MustParse("0.999999999999999999")}}},
		Fired: created, Updated: created, Message: "m", Deliveries: []cost.Delivery{}}
	sub := cost.AnomalySubscription{ID: "0123456789abcdef", Scope: linked, Name: "shop", MinImpact: decimal.MustParse("25.005"),
		ContactEmails: []string{"finops@example.com"}, ContactRoles: []cost.Role{}, Webhooks: []string{}, Created: created, CreatedBy: "carol@example.com"}
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) error {
		for _, a := range []cost.Alert{budgetAlert, anomalyAlert} {
			if err := tx.PutAlert(ctx, a); err != nil {
				return err
			}
		}
		return tx.PutAnomalySubscription(ctx, sub)
	})
	check := func(t *testing.T, c cost.Catalog) {
		t.Helper()
		got, ok, err := readBudget(ctx, c, b.ID)
		if err != nil || !ok || !reflect.DeepEqual(got, b) {
			t.Errorf("budget %+v %v %v\nwant %+v", got, ok, err, b)
		}
		for _, want := range []cost.Alert{budgetAlert, anomalyAlert} {
			got := read(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.Alert, error) {
				a, _, err := r.Alert(ctx, want.ID)
				return a, err
			})
			if !reflect.DeepEqual(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Errorf("alert\n%s\nwant\n%s", gj, wj)
			}
		}
		subs := read(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.AnomalySubscription, error) {
			return r.AnomalySubscriptions(ctx, linked)
		})
		if len(subs) != 1 || !reflect.DeepEqual(subs[0], sub) {
			t.Errorf("subscriptions %+v\nwant %+v", subs, sub)
		}
	}
	t.Run("as stored", func(t *testing.T) { check(t, store) })
	t.Run("after the store is reopened", func(t *testing.T) {
		must(t, store.Close())
		check(t, openStore(t, dir))
	})
}

func readBudget(ctx context.Context, c cost.Catalog, id string) (b cost.Budget, ok bool, err error) {
	err = c.View(ctx, func(r cost.CatalogReader) error {
		b, ok, err = r.Budget(ctx, id)
		return err
	})
	return b, ok, err
}

func TestABudgetReadFromJSON(t *testing.T) {
	for _, c := range []struct {
		name, body string
		amount     string // "" when the body is refused
		threshold  string
	}{
		{"numbers are exact", `{"amount": 1000.000000000000000001, "notifications": [{"threshold": 80.5}]}`, "1000.000000000000000001", "80.5"},
		{"numbers may be strings", `{"amount": "1000.50", "notifications": [{"threshold": "80"}]}`, "1000.5", "80.0"},
		{"an absent amount is zero, for Validate to refuse", `{"notifications": [{}]}`, "0.0", "0.0"},
		{"an amount that is not a number is refused", `{"amount": "ten"}`, "", ""},
		{"an amount out of range is refused", `{"amount": 1e300}`, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b cost.Budget
			err := json.Unmarshal([]byte(c.body), &b)
			if c.amount == "" {
				if err == nil {
					t.Errorf("read %s as %s", c.body, b.Amount)
				}
				return
			}
			must(t, err)
			if b.Amount.String() != c.amount || len(b.Notifications) != 1 || b.Notifications[0].Threshold.String() != c.threshold {
				t.Errorf("amount %s, notifications %+v", b.Amount, b.Notifications)
			}
		})
	}
	t.Run("what MarshalJSON writes reads back the same", func(t *testing.T) {
		b := valid()
		must(t, b.Validate())
		body, err := json.Marshal(b)
		must(t, err)
		var back cost.Budget
		must(t, json.Unmarshal(body, &back))
		if !reflect.DeepEqual(back, b) {
			t.Errorf("%s read back as %+v", body, back)
		}
		if !strings.Contains(string(body), `"amount":1500.5`) {
			t.Errorf("the amount is not a JSON number: %s", body)
		}
	})
}
