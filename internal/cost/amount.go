package cost

import (
	"fmt"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// The range of amounts, chosen so that sums cannot overflow.
//
// A store keeps DECIMAL(38,18), which holds |x| < 10^20, and sums it in
// 128 bits (DuckDB refuses a sum past 1.7×10^20, and any answer not below
// 10^20). The store keeps the costs other than BilledCost as differences
// (EffectiveCost − UnblendedCost and the like, up to twice the bound) and
// sums each difference column on its own. So with every cost below
// MaxCost = 10^11 in magnitude:
//
//   - a billing period's sum, checked in Go, stays in range for at least 10^9 rows;
//   - a query's sums stay in range for any 850 million rows (2 × 10^11 ×
//     8.5×10^8 < 1.7×10^20), and for 10^9 rows of actual cost.
//
// 10^11 is a hundred billion per line item, which no real cost line comes
// near in dollars or euros (it is still about 670 million dollars in yen and
// 70 million in won). Quantities are stored but never summed, so they keep
// the readers' bound (below 10^19) and need only fit the column.
var (
	MaxCost    = decimal.FromInt(100_000_000_000)
	minCost    = MaxCost.Neg()
	maxCostTxt = "10^11 (100,000,000,000)"
)

// CheckRow refuses a row the store cannot keep: one without a column FOCUS
// requires and Reckon's queries rely on (ProviderName, BillingAccountId,
// ChargeCategory, BillingCurrency), or with an amount out of range (see
// CheckAmounts). The error names where the row is and the column.
func CheckRow(r *Row, at RowPlace) error {
	for _, c := range [...]struct{ column, value string }{
		{"ProviderName", r.ProviderName}, {"BillingAccountId", r.BillingAccountID},
		{"ChargeCategory", r.ChargeCategory}, {"BillingCurrency", r.BillingCurrency},
	} {
		if c.value == "" {
			return Errorf(EInvalid, "%s, column %s: the row has no %s, which every cost row needs "+
				"(FOCUS requires it, and Reckon sums and shows costs by it); the load was refused and nothing changed",
				at.String(), c.column, c.column)
		}
	}
	return CheckAmounts(r, at)
}

// CheckAmounts refuses a row whose cost is not below MaxCost in magnitude,
// or whose quantity the store cannot hold. The error names where the row is,
// the column and the value.
func CheckAmounts(r *Row, at RowPlace) error {
	costs := [...]struct {
		column string
		value  decimal.Decimal
	}{
		{"BilledCost", r.BilledCost}, {"EffectiveCost", r.EffectiveCost}, {"ListCost", r.ListCost},
		{"x_UnblendedCost", r.UnblendedCost}, {"x_BlendedCost", r.BlendedCost},
		{"ContractedCost", r.ContractedCost.Decimal},
	}
	for _, c := range costs {
		if c.value.Cmp(minCost) <= 0 || c.value.Cmp(MaxCost) >= 0 {
			return Errorf(EInvalid, "%s, column %s: the cost %s is out of range: a cost must be below %s in magnitude, "+
				"so that sums over hundreds of millions of rows stay exact; the load was refused and nothing changed",
				at.String(), c.column, c.value, maxCostTxt)
		}
	}
	for _, q := range [...]struct {
		column string
		value  NullDecimal
	}{{"PricingQuantity", r.PricingQuantity}, {"ConsumedQuantity", r.ConsumedQuantity}} {
		if q.value.Valid && !q.value.Decimal.InRange() {
			return Errorf(EInvalid, "%s, column %s: the quantity %s is out of range: a quantity must be below 10^20 in magnitude; "+
				"the load was refused and nothing changed", at.String(), q.column, q.value.Decimal)
		}
	}
	return nil
}

// RowLocator is a RowSource that can say where the row Next returned last
// is, for messages: "bucket/…/cur-1.csv.gz: line 12".
type RowLocator interface {
	Where() string
}

// RowPlace is where the N-th row (1-based) of a load from Src is. It is
// worked out only for a message.
type RowPlace struct {
	Src    RowSource
	Origin string // the load's origin
	N      int64
}

// String is Src's own answer when it is a RowLocator, else the origin and
// the row's number.
func (p RowPlace) String() string {
	if l, ok := p.Src.(RowLocator); ok {
		if w := l.Where(); w != "" {
			return w
		}
	}
	if p.Origin == "" {
		return fmt.Sprintf("row %d", p.N)
	}
	return fmt.Sprintf("%s: row %d", p.Origin, p.N)
}
