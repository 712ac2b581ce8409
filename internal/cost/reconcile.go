package cost

import (
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// MonthAccount keys a monthly total of one account.
type MonthAccount struct {
	Month   string // "2026-08"
	Account string
}

// ReconciliationRow compares Reckon's total for one month and account with
// the provider's own figure.
type ReconciliationRow struct {
	Month      string          `json:"month"`
	Account    string          `json:"account"`
	Reckon     decimal.Decimal `json:"reckon"`
	Provider   decimal.Decimal `json:"provider"`
	Difference decimal.Decimal `json:"difference"` // Reckon − provider
	Match      bool            `json:"match"`
}

// HalfCent is the reconciliation tolerance: totals match to the cent.
var HalfCent = decimal.MustParse("0.005")

// Metric is a Cost Explorer cost metric, as GetCostAndUsage names it.
type Metric string

// The Cost Explorer metrics reconciliation compares.
const (
	MetricUnblended    Metric = "UnblendedCost"
	MetricNetUnblended Metric = "NetUnblendedCost"
	MetricAmortized    Metric = "AmortizedCost"
	MetricNetAmortized Metric = "NetAmortizedCost"
)

// Metrics lists the metrics reconciliation compares, the default first.
var Metrics = []Metric{MetricUnblended, MetricNetUnblended, MetricAmortized, MetricNetAmortized}

// CostType is the cost Reckon sums to compare with m. Cost Explorer's
// UnblendedCost is x_UnblendedCost; its NetUnblendedCost, the invoice, is
// BilledCost; its NetAmortizedCost is EffectiveCost. Reckon keeps no
// amortized cost before negotiated discounts: AmortizedCost compares with
// EffectiveCost too, which equals it only where an account has no such
// discounts (see AmortizedComparable).
func (m Metric) CostType() (CostType, error) {
	switch m {
	case MetricUnblended:
		return CostUnblended, nil
	case MetricNetUnblended:
		return CostActual, nil
	case MetricAmortized, MetricNetAmortized:
		return CostAmortized, nil
	}
	return "", Errorf(EInvalid, "metric %s: use UnblendedCost, NetUnblendedCost, AmortizedCost or NetAmortizedCost", Quote(string(m)))
}

// AmortizedComparable checks that Reckon's EffectiveCost, which is net of
// negotiated discounts, can stand for Cost Explorer's AmortizedCost: that
// is so where Cost Explorer's AmortizedCost and NetAmortizedCost agree
// within tolerance, the months and accounts without such discounts. It
// names the first month and account where they do not.
func AmortizedComparable(amortized, netAmortized map[MonthAccount]decimal.Decimal, tolerance decimal.Decimal) error {
	for _, r := range Reconcile(amortized, netAmortized, tolerance) {
		if !r.Match {
			return Errorf(EInvalid, "Cost Explorer's AmortizedCost (%s) and NetAmortizedCost (%s) differ for account %s in %s: "+
				"the account has negotiated discounts, and Reckon's EffectiveCost is the amortized cost net of them. "+
				"Compare --metric NetAmortizedCost instead", r.Reckon.Fixed(2), r.Provider.Fixed(2), r.Account, r.Month)
		}
	}
	return nil
}

// Reconcile lines up two sets of monthly totals, every month and account
// either side has, in month then account order. A pair matches when it
// differs by less than tolerance.
func Reconcile(reckon, provider map[MonthAccount]decimal.Decimal, tolerance decimal.Decimal) []ReconciliationRow {
	keys := map[MonthAccount]bool{}
	for k := range reckon {
		keys[k] = true
	}
	for k := range provider {
		keys[k] = true
	}
	var rows []ReconciliationRow
	for k := range keys {
		diff := reckon[k].Sub(provider[k])
		rows = append(rows, ReconciliationRow{Month: k.Month, Account: k.Account, Reckon: reckon[k], Provider: provider[k],
			Difference: diff, Match: diff.Abs().Cmp(tolerance) < 0})
	}
	slices.SortFunc(rows, func(a, b ReconciliationRow) int {
		if c := strings.Compare(a.Month, b.Month); c != 0 {
			return c
		}
		return strings.Compare(a.Account, b.Account)
	})
	return rows
}
