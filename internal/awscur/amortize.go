package awscur

import "github.com/reckon-finops/reckon/internal/decimal"

// amounts gives the decimal value of a CUR column on the current row; an
// absent column or empty cell is zero. The reader parses lazily, so only the
// columns a row's branch of the formula needs are parsed.
type amounts interface {
	amount(f field) (decimal.Decimal, error)
}

// effectiveCost is AWS's amortization formula, the one AWS's own cost
// dashboards use (aws-facts.md). Each branch reads only its own columns.
func effectiveCost(lineItemType, productCode, reservationARN string, unblended decimal.Decimal, a amounts) (decimal.Decimal, error) {
	switch lineItemType {
	case "SavingsPlanCoveredUsage":
		return a.amount(fSavingsPlanEffectiveCost)
	case "SavingsPlanRecurringFee":
		total, err := a.amount(fSavingsPlanTotalCommitment)
		if err != nil {
			return decimal.Zero, err
		}
		used, err := a.amount(fSavingsPlanUsedCommitment)
		if err != nil {
			return decimal.Zero, err
		}
		return total.Sub(used), nil
	case "SavingsPlanNegation", "SavingsPlanUpfrontFee":
		return decimal.Zero, nil
	case "DiscountedUsage":
		return a.amount(fReservationEffectiveCost)
	case "RIFee":
		upfront, err := a.amount(fReservationUnusedAmortizedUpfront)
		if err != nil {
			return decimal.Zero, err
		}
		recurring, err := a.amount(fReservationUnusedRecurringFee)
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
	return unblended, nil
}
