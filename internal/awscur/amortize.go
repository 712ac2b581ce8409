package awscur

import (
	"math/big"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// amounts gives the decimal value of a CUR column on the current row; an
// absent column or empty cell is zero. The reader parses lazily, so only the
// columns a row's branch of the formula needs are parsed.
type amounts interface {
	amount(f field) (decimal.Decimal, error)
	// has reports whether the row has a value for f: the column exists
	// and the cell is not empty.
	has(f field) bool
	// cellError describes a problem with the row's cell of f.
	cellError(f field, problem string) error
}

// effectiveCost is the row's net amortized cost, the EffectiveCost of AWS's
// own FOCUS export: AWS's amortization formula (aws-facts.md), with each
// column replaced by its net counterpart (after negotiated discounts) where
// the row has a value for it. A CUR without net columns (AWS writes them
// only for accounts with such discounts) thus gets the plain amortized
// cost. billed is the row's BilledCost: lineItem/NetUnblendedCost, else
// lineItem/UnblendedCost, by the same rule. Each branch reads only its own
// columns.
func effectiveCost(lineItemType, productCode, reservationARN string, billed decimal.Decimal, a amounts) (decimal.Decimal, error) {
	switch lineItemType {
	case "SavingsPlanCoveredUsage":
		return netOr(a, fSavingsPlanNetEffectiveCost, fSavingsPlanEffectiveCost)
	case "SavingsPlanRecurringFee":
		return unusedCommitment(a)
	case "SavingsPlanNegation", "SavingsPlanUpfrontFee":
		return decimal.Zero, nil
	case "DiscountedUsage":
		return netOr(a, fReservationNetEffectiveCost, fReservationEffectiveCost)
	case "RIFee":
		upfront, err := netOr(a, fReservationNetUnusedAmortizedUpfront, fReservationUnusedAmortizedUpfront)
		if err != nil {
			return decimal.Zero, err
		}
		recurring, err := netOr(a, fReservationNetUnusedRecurringFee, fReservationUnusedRecurringFee)
		if err != nil {
			return decimal.Zero, err
		}
		return upfront.Add(recurring), nil
	case "Fee":
		if reservationARN != "" {
			return decimal.Zero, nil // an RI upfront payment, amortized through RIFee and DiscountedUsage
		}
	case "Refund":
		if productCode == "ComputeSavingsPlans" {
			return decimal.Zero, nil
		}
	}
	return billed, nil
}

// netOr reads the net column when the row has a value for it, else the
// gross one: an empty net cell means "no discount applies", as for
// BilledCost and lineItem/NetUnblendedCost.
func netOr(a amounts, net, gross field) (decimal.Decimal, error) {
	if a.has(net) {
		return a.amount(net)
	}
	return a.amount(gross)
}

// unusedCommitment is a Savings Plan recurring fee's amortized cost, the
// commitment left unused: TotalCommitmentToDate − UsedCommitment. No net
// column holds it, so with net columns it is scaled by the plan's net to
// gross commitment, (NetAmortizedUpfront + NetRecurring) / (AmortizedUpfront
// + Recurring), as AWS's net amortized cost dashboards do: a discount
// applies to the used and the unused commitment alike, so the net effective
// costs of the covered usage and this fee add up to the net commitment.
func unusedCommitment(a amounts) (decimal.Decimal, error) {
	total, err := a.amount(fSavingsPlanTotalCommitment)
	if err != nil {
		return decimal.Zero, err
	}
	used, err := a.amount(fSavingsPlanUsedCommitment)
	if err != nil {
		return decimal.Zero, err
	}
	unused := total.Sub(used)
	if !a.has(fSavingsPlanNetAmortizedUpfrontCommitment) && !a.has(fSavingsPlanNetRecurringCommitment) {
		return unused, nil
	}
	var gross, net [2]decimal.Decimal
	for i, f := range [2][2]field{
		{fSavingsPlanNetAmortizedUpfrontCommitment, fSavingsPlanAmortizedUpfrontCommitment},
		{fSavingsPlanNetRecurringCommitment, fSavingsPlanRecurringCommitment},
	} {
		if gross[i], err = a.amount(f[1]); err != nil {
			return decimal.Zero, err
		}
		if net[i], err = netOr(a, f[0], f[1]); err != nil {
			return decimal.Zero, err
		}
	}
	g, n := gross[0].Add(gross[1]), net[0].Add(net[1])
	if g.IsZero() || n == g {
		return unused, nil // no gross commitment to scale by, or no discount
	}
	out, ok := mulDiv(unused, n, g)
	if !ok {
		col := fSavingsPlanNetRecurringCommitment
		if !a.has(col) {
			col = fSavingsPlanNetAmortizedUpfrontCommitment
		}
		return decimal.Zero, a.cellError(col, "the unused commitment scaled by the net commitment ("+
			n.String()+" of "+g.String()+") is out of range: amounts must be below 10^19")
	}
	return out, nil
}

// mulDiv returns x×n/d rounded half to even at 18 places, and false when
// that is not below maxAmount. It goes through math/big: only Savings Plan
// recurring fee rows with a discount need it.
func mulDiv(x, n, d decimal.Decimal) (decimal.Decimal, bool) {
	p := new(big.Int).Mul(x.BigInt(), n.BigInt())
	den := d.BigInt()
	if den.Sign() < 0 {
		p.Neg(p)
		den.Neg(den)
	}
	q, r := new(big.Int).QuoRem(p, den, new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if c := r.Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(int64(p.Sign())))
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(decimal.Scale), nil)
	out, err := decimal.Parse(new(big.Rat).SetFrac(q, scale).FloatString(decimal.Scale))
	if err != nil || out.Abs().Cmp(maxAmount) >= 0 {
		return decimal.Zero, false
	}
	return out, true
}
