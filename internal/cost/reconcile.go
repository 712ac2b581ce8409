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
