package azexport

import (
	"errors"
	"fmt"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// maxAmount bounds an amount: the store keeps the difference of two amounts
// in DECIMAL(38,18), so each must stay below 10^19.
var maxAmount = decimal.MustParse("10000000000000000000")

// parseAmount reads a number as Azure writes it, without locale: plain
// decimals with up to 28 places ("0.0000000072922557592391990000") and
// scientific notation ("6.19947E-9"), into an exact decimal. internal/decimal
// reads both exactly and rounds past its 18th place half to even (the
// 28-place values Azure writes differ from the rounded ones by under 10^-18).
func parseAmount(b []byte) (decimal.Decimal, error) {
	d, err := decimal.ParseBytes(b)
	if errors.Is(err, decimal.ErrSyntax) {
		return decimal.Zero, fmt.Errorf("%q is not a number (Azure writes numbers such as 12.5, -0.0000001 or 6.19947E-9)", b)
	}
	if err == nil && d.Abs().Cmp(maxAmount) >= 0 {
		err = errors.New("out of range")
	}
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is out of range: amounts must be below 10^19 in magnitude", b)
	}
	return d, nil
}
