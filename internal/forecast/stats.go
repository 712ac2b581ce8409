package forecast

import (
	"slices"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// half and hundredth are the exact factors the statistics below need: no
// division, so every figure stays a decimal.
var (
	half      = decimal.MustParse("0.5")
	hundredth = decimal.MustParse("0.01")
)

// sorted returns a sorted copy of xs.
func sorted(xs []decimal.Decimal) []decimal.Decimal {
	s := slices.Clone(xs)
	slices.SortFunc(s, decimal.Decimal.Cmp)
	return s
}

// median returns the middle value of xs, or the mean of the two middle
// values when their number is even; zero when xs is empty.
func median(xs []decimal.Decimal) decimal.Decimal {
	if len(xs) == 0 {
		return decimal.Zero
	}
	s := sorted(xs)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1].Add(s[n/2]).Mul(half)
}

// quantile returns the pct-th percentile of xs (0 ≤ pct ≤ 100) by linear
// interpolation between the order statistics at rank pct×(n+1)/100,
// counted from 1 and kept within 1..n (Hyndman and Fan's type 6). On
// average a new draw falls below it pct% of the time, whatever n is: the
// usual type 7 (rank 1+pct×(n−1)/100) makes an 80% band of 28 errors hold
// 75% of new ones. It is exact: the fraction is a whole number of
// hundredths. Zero when xs is empty.
func quantile(xs []decimal.Decimal, pct int) decimal.Decimal {
	if len(xs) == 0 {
		return decimal.Zero
	}
	s := sorted(xs)
	rank := min(max(pct*(len(s)+1)-100, 0), 100*(len(s)-1)) // from 0, in hundredths
	lo, frac := rank/100, rank%100
	if frac == 0 {
		return s[lo]
	}
	step := s[lo+1].Sub(s[lo])
	return s[lo].Add(step.Mul(decimal.FromInt(int64(frac)).Mul(hundredth)))
}
