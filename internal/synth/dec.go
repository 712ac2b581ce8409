package synth

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// dec is the exact decimal m × 10^-s. Every money value the generator writes is
// a dec, so the totals are sums of exactly the strings in the file.
type dec struct {
	m int64
	s int8
}

const (
	moneyScale = 10 // AWS prints money with at least 10 decimals
	maxScale   = 17 // and, for tiny per-request costs, up to 17
)

var pow10 = [20]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

func abs64(m int64) uint64 {
	if m < 0 {
		return uint64(-m)
	}
	return uint64(m)
}

// narrow turns the 128-bit magnitude hi:lo at scale s into a dec of at most
// maxScale decimals that fits an int64, rounding half away from zero, then
// pads or trims it to at least moneyScale decimals.
func narrow(neg bool, hi, lo uint64, s int) dec {
	drop := 0
	if s > maxScale {
		drop = s - maxScale
	}
	for {
		q, ok := divRound(hi, lo, drop)
		if ok && q <= math.MaxInt64 {
			m := int64(q)
			if neg {
				m = -m
			}
			return pad(dec{m, int8(s - drop)})
		}
		drop++
		if s-drop < 0 {
			panic("synth: decimal overflow")
		}
	}
}

// divRound divides hi:lo by 10^k with rounding half up; ok is false when the
// quotient does not fit 64 bits.
func divRound(hi, lo uint64, k int) (q uint64, ok bool) {
	if k == 0 {
		return lo, hi == 0
	}
	if k > 19 {
		return 0, true
	}
	p := pow10[k]
	if hi >= p {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, p)
	if r >= p-r {
		if q == math.MaxUint64 {
			return 0, false
		}
		q++
	}
	return q, true
}

// pad gives d at least moneyScale decimals and strips trailing zeros beyond it.
func pad(x dec) dec {
	for x.s > moneyScale && x.m%10 == 0 {
		x.m /= 10
		x.s--
	}
	if x.s < moneyScale {
		k := moneyScale - x.s
		hi, lo := bits.Mul64(abs64(x.m), pow10[k])
		if hi != 0 || lo > math.MaxInt64 {
			panic("synth: decimal overflow")
		}
		m := int64(lo)
		if x.m < 0 {
			m = -m
		}
		x = dec{m, moneyScale}
	}
	return x
}

// mul is the exact product (rounded only past maxScale decimals).
func mul(a, b dec) dec {
	hi, lo := bits.Mul64(abs64(a.m), abs64(b.m))
	return narrow((a.m < 0) != (b.m < 0), hi, lo, int(a.s)+int(b.s))
}

// round10 rounds to exactly moneyScale decimals, half away from zero.
func round10(x dec) dec {
	if x.s <= moneyScale {
		return pad(x)
	}
	q, _ := divRound(0, abs64(x.m), int(x.s-moneyScale))
	m := int64(q)
	if x.m < 0 {
		m = -m
	}
	return dec{m, moneyScale}
}

// neg returns -x.
func (x dec) neg() dec { return dec{-x.m, x.s} }

// add is the exact sum of two money values.
func add(a, b dec) dec {
	s := max(a.s, b.s)
	return wideFrom(a, s).add(wideFrom(b, s)).dec(int(s))
}

// appendDec writes x with exactly x.s decimals; a zero is never signed.
func appendDec(b []byte, x dec) []byte {
	u := abs64(x.m)
	if x.m < 0 {
		b = append(b, '-')
	}
	if x.s == 0 {
		return strconv.AppendUint(b, u, 10)
	}
	p := pow10[x.s]
	b = strconv.AppendUint(b, u/p, 10)
	b = append(b, '.')
	f := u % p
	var tmp [20]byte
	for i := int(x.s) - 1; i >= 0; i-- {
		tmp[i] = byte('0' + f%10)
		f /= 10
	}
	return append(b, tmp[:x.s]...)
}

// String is for tests and error messages.
func (x dec) String() string { return string(appendDec(nil, x)) }

// wide is a signed 128-bit two's-complement integer. At scale 10^-17 it sums
// any number of generated money values exactly, without math/big per row.
type wide struct{ lo, hi uint64 }

// wideFrom scales x to s decimals (s >= x.s).
func wideFrom(x dec, s int8) wide {
	hi, lo := bits.Mul64(abs64(x.m), pow10[s-x.s])
	w := wide{lo, hi}
	if x.m < 0 {
		w = w.neg()
	}
	return w
}

// money17 is x at the fixed accumulation scale of 17 decimals.
func money17(x dec) wide { return wideFrom(x, maxScale) }

func (a wide) add(b wide) wide {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return wide{lo, hi}
}

func (a wide) sub(b wide) wide { return a.add(b.neg()) }

func (a wide) neg() wide {
	lo, bw := bits.Sub64(0, a.lo, 0)
	hi, _ := bits.Sub64(0, a.hi, bw)
	return wide{lo, hi}
}

func (a wide) isNeg() bool { return int64(a.hi) < 0 }

// dec converts a wide at scale s back to a dec (used for small period sums).
func (a wide) dec(s int) dec {
	neg := a.isNeg()
	if neg {
		a = a.neg()
	}
	return narrow(neg, a.hi, a.lo, s)
}

// big returns the exact value at scale 17 as a big.Int numerator.
func (a wide) big() *big.Int {
	neg := a.isNeg()
	if neg {
		a = a.neg()
	}
	n := new(big.Int).SetUint64(a.hi)
	n.Lsh(n, 64).Or(n, new(big.Int).SetUint64(a.lo))
	if neg {
		n.Neg(n)
	}
	return n
}

// String formats a 10^-17-scaled sum canonically: no exponent, no trailing
// zeros, "0" for zero, "-" only for negative values.
func (a wide) String() string {
	n := a.big()
	neg := n.Sign() < 0
	digits := n.Abs(n).String()
	for len(digits) <= maxScale {
		digits = "0" + digits
	}
	ip, fp := digits[:len(digits)-maxScale], digits[len(digits)-maxScale:]
	for len(fp) > 0 && fp[len(fp)-1] == '0' {
		fp = fp[:len(fp)-1]
	}
	s := ip
	if fp != "" {
		s += "." + fp
	}
	if neg {
		s = "-" + s
	}
	return s
}
