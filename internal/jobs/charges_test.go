package jobs

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestMaintainPostsTheMonthlyChargeOnce(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []*cost.Row
	for i, amount := range []string{"1000.10", "234.46", "0.000000000001"} {
		start := jan.Add(time.Duration(i) * 24 * time.Hour)
		rows = append(rows, &cost.Row{ProviderName: "AWS", BillingAccountID: "111111111111", SubAccountID: "222222222222",
			BillingPeriodStart: jan, BillingPeriodEnd: jan.AddDate(0, 1, 0), ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour),
			ChargeCategory: cost.ChargeUsage, BilledCost: decimal.MustParse(amount), EffectiveCost: decimal.MustParse(amount),
			BillingCurrency: "USD", ServiceName: "Amazon S3"})
	}
	if _, err := store.ReplacePeriods(ctx, cost.Load{Source: "aws-cur/111111111111/r", Version: "v1"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	const sub = "azure/subscriptions/11111111-2222-3333-4444-555555555555"
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, tx.PutConnector(ctx, cost.Connector{ID: "connectors/paid", RoleARN: "arn:aws:iam::111111111111:role/r", ReportName: "r",
			Created: jan.AddDate(0, -4, 0), State: cost.StateActive, AutoRenew: true, BillingSubscription: sub}))
	})
	var logs bytes.Buffer
	r := newRunner(store, fixedClock{time.Date(2026, 2, 3, 6, 0, 0, 0, time.UTC)}, nil, &logs, nil)
	charge := func() (decimal.Decimal, []string) {
		res, err := store.Query(ctx, &cost.Query{Granularity: cost.GranularityMonthly, Type: cost.CostActual,
			GroupBy: []cost.Dimension{{Column: "ChargeCategory"}, {Column: "ServiceName"}},
			Filters: []cost.Filter{{Dimension: cost.Dimension{Column: "BillingAccountId"}, Values: []string{"11111111-2222-3333-4444-555555555555"}}}})
		must(t, err)
		if len(res.Rows) != 1 {
			t.Fatalf("charge rows: %v", res.Rows)
		}
		row := res.Rows[0]
		return row.Cost, []string{row.Date.Format("2006-01-02"), row.Groups[0], row.Groups[1]}
	}
	for run := range 2 {
		must(t, r.Maintain(ctx))
		fee, where := charge()
		if fee.Cmp(decimal.MustParse("12.34560000000001")) != 0 || strings.Join(where, "|") != "2026-01-01|Purchase|Reckon Connector for AWS" {
			t.Errorf("run %d: charge %s %v, want 1%% of 1234.560000000001 in January as a Purchase", run, fee, where)
		}
	}
	if n := strings.Count(logs.String(), "posted connector charge"); n != 1 {
		t.Errorf("the charge was posted %d times, want once", n)
	}
}
