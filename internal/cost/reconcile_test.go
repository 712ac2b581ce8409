package cost

import (
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestReconcileMatchesToTheCent(t *testing.T) {
	aug, sep := MonthAccount{"2026-08", "012345678901"}, MonthAccount{"2026-09", "012345678901"}
	only := MonthAccount{"2026-08", "045678901234"}
	reckon := map[MonthAccount]decimal.Decimal{aug: decimal.MustParse("10.004"), sep: decimal.MustParse("5")}
	provider := map[MonthAccount]decimal.Decimal{aug: decimal.MustParse("10"), sep: decimal.MustParse("5.005"), only: decimal.MustParse("1")}
	rows := Reconcile(reckon, provider, HalfCent)
	var got []string
	for _, r := range rows {
		got = append(got, r.Month+" "+r.Account+" "+r.Difference.String()+" "+map[bool]string{true: "ok", false: "MISMATCH"}[r.Match])
	}
	want := "2026-08 012345678901 0.004 ok|2026-08 045678901234 -1.0 MISMATCH|2026-09 012345678901 -0.005 MISMATCH"
	if strings.Join(got, "|") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, "|"), want)
	}
}

func TestEachMetricComparesWithOneCost(t *testing.T) {
	tests := []struct {
		metric Metric
		want   CostType
	}{
		{MetricUnblended, CostUnblended},
		{MetricNetUnblended, CostActual},
		{MetricAmortized, CostAmortized},
		{MetricNetAmortized, CostAmortized},
	}
	for _, tt := range tests {
		t.Run(string(tt.metric)+" compares with the "+string(tt.want)+" cost", func(t *testing.T) {
			if got, err := tt.metric.CostType(); err != nil || got != tt.want {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
	t.Run("an unknown metric is the user's error and lists the known ones", func(t *testing.T) {
		_, err := Metric("BlendedCost").CostType()
		if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "NetAmortizedCost") {
			t.Errorf("got %v", err)
		}
	})
}

func TestAmortizedComparableOnlyWithoutDiscounts(t *testing.T) {
	k := MonthAccount{"2026-08", "045678901234"}
	amortized := map[MonthAccount]decimal.Decimal{k: decimal.MustParse("100.001")}
	t.Run("Cost Explorer's two amortized costs agree to the cent: comparable", func(t *testing.T) {
		if err := AmortizedComparable(amortized, map[MonthAccount]decimal.Decimal{k: decimal.MustParse("100")}, HalfCent); err != nil {
			t.Error(err)
		}
	})
	t.Run("they differ: refused, naming the month and account and the metric to use", func(t *testing.T) {
		err := AmortizedComparable(amortized, map[MonthAccount]decimal.Decimal{k: decimal.MustParse("97")}, HalfCent)
		msg := ErrorMessage(err)
		if ErrorCode(err) != EInvalid || !strings.Contains(msg, "045678901234 in 2026-08") || !strings.Contains(msg, "--metric NetAmortizedCost") {
			t.Errorf("got %v", err)
		}
	})
}
