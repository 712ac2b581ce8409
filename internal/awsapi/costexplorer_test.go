package awsapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

func TestCostExplorerTotalsAskForEveryMetricAtOnce(t *testing.T) {
	st := customer(t)
	st.Buckets[0].Dir = t.TempDir()
	want, err := synth.WriteBucket(st.Buckets[0].Dir, synth.Options{Seed: 8, Months: 2, RowsPerMonth: 300, ReportName: "reckon",
		Prefix: "cur", Payer: payer, NetColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := client(t, st)
	start, end := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	got, err := c.CostExplorerTotals(context.Background(), start, end, cost.Metrics...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cost.Metrics) {
		t.Fatalf("%d metrics, want %d", len(got), len(cost.Metrics))
	}
	byAccount := func(m cost.Metric) map[string]decimal.Decimal {
		out := map[string]decimal.Decimal{}
		for k, v := range got[m] {
			if k.Month != "2026-08" && k.Month != "2026-09" {
				t.Errorf("%s: month %s", m, k.Month)
			}
			out[k.Account] = out[k.Account].Add(v)
		}
		return out
	}
	net, netAmortized := byAccount(cost.MetricNetUnblended), byAccount(cost.MetricNetAmortized)
	for acct, sum := range want.ByAccount {
		if net[acct].Cmp(decimal.MustParse(sum.BilledCost)) != 0 || netAmortized[acct].Cmp(decimal.MustParse(sum.EffectiveCost)) != 0 {
			t.Errorf("account %s: NetUnblendedCost %s, NetAmortizedCost %s; the reports hold BilledCost %s, EffectiveCost %s",
				acct, net[acct], netAmortized[acct], sum.BilledCost, sum.EffectiveCost)
		}
	}
}

func TestCostExplorerTotalsWithoutAccessSayWhatToAllow(t *testing.T) {
	c, srv := client(t, customer(t))
	srv.SetFault("GetCostAndUsage", awsemu.Fault{Kind: awsemu.FaultAccessDenied})
	_, err := c.CostExplorerTotals(context.Background(), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), cost.MetricUnblended)
	if err == nil || !strings.Contains(err.Error(), "allow ce:GetCostAndUsage") {
		t.Errorf("got %v", err)
	}
}
