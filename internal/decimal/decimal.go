// Package decimal is Reckon's exact money and quantity type: a signed 128-bit
// integer count of 10^-18 units.
//
// Real CUR values carry up to 17 decimal places, so a scale of 18 keeps every
// value AWS writes exactly; the stores use the matching DECIMAL(38,18), which
// leaves 20 integer digits: the range is |x| < 10^20, which Parse enforces
// and AddChecked and SubChecked keep (128 bits would wrap only at 1.7×10^20,
// too late for the store). Inputs with more than 18 decimal places (or an
// exponent that pushes digits past the 18th) are rounded half to even, the
// usual rule for money. No float64 is involved anywhere.
package decimal

import (
	"errors"
	"math/big"
	"math/bits"
	"strconv"
)

// Scale is the number of decimal places every Decimal keeps.
const Scale = 18

// MaxIntegerDigits is how many digits may precede the decimal point
// (DECIMAL(38,18) leaves 20).
const MaxIntegerDigits = 38 - Scale

// Decimal is an exact fixed-point number: the value is (hi<<64 | lo) × 10^-18
// in two's complement. The zero value is 0.
type Decimal struct {
	hi int64
	lo uint64
}

// Zero is the decimal 0.
var Zero Decimal

const pow18 = 1_000_000_000_000_000_000

// ErrSyntax and ErrRange are the two ways Parse fails; the returned error
// wraps one of them.
var (
	ErrSyntax = errors.New("not a decimal number")
	ErrRange  = errors.New("out of range for DECIMAL(38,18)")
)

// limit is 10^38, the first magnitude DECIMAL(38,18) cannot hold.
var limitHi, limitLo = mul10n(0, 1, 38)

// maxValue and minValue are ±10^38 units (±10^20), the first values out of
// range on either side.
var (
	maxValue = Decimal{hi: int64(limitHi), lo: limitLo}
	minValue = maxValue.Neg()
)

// inputHi and inputLo are 10^(Scale+MaxIntegerDigits), the first magnitude
// Parse refuses.
var inputHi, inputLo = mul10n(0, 1, Scale+MaxIntegerDigits)

// Abs returns |d|.
func (d Decimal) Abs() Decimal {
	if d.hi < 0 {
		return d.Neg()
	}
	return d
}

// FromInt returns n as a Decimal.
func FromInt(n int64) Decimal {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	hi, lo := bits.Mul64(u, pow18)
	d := Decimal{hi: int64(hi), lo: lo}
	if neg {
		d = d.Neg()
	}
	return d
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.hi == 0 && d.lo == 0 }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.hi < 0:
		return -1
	case d.IsZero():
		return 0
	}
	return 1
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	lo, borrow := bits.Sub64(0, d.lo, 0)
	hi, _ := bits.Sub64(0, uint64(d.hi), borrow)
	return Decimal{hi: int64(hi), lo: lo}
}

// Add returns d+e without a check: past ±2^127 units (1.7×10^20) it wraps,
// and from 10^20 on the store cannot hold the result. It is for sums known to
// be small; a sum of values read from outside uses AddChecked.
func (d Decimal) Add(e Decimal) Decimal {
	lo, carry := bits.Add64(d.lo, e.lo, 0)
	hi, _ := bits.Add64(uint64(d.hi), uint64(e.hi), carry)
	return Decimal{hi: int64(hi), lo: lo}
}

// Sub returns d-e, unchecked like Add.
func (d Decimal) Sub(e Decimal) Decimal {
	lo, borrow := bits.Sub64(d.lo, e.lo, 0)
	hi, _ := bits.Sub64(uint64(d.hi), uint64(e.hi), borrow)
	return Decimal{hi: int64(hi), lo: lo}
}

// AddChecked returns d+e, and false when the exact sum is out of range:
// not below 10^20 in magnitude, so that DECIMAL(38,18) could not hold it.
func (d Decimal) AddChecked(e Decimal) (Decimal, bool) {
	s := d.Add(e)
	// Two's complement addition overflowed iff both operands have the
	// sign the result lacks.
	if (d.hi^s.hi)&(e.hi^s.hi) < 0 {
		return s, false
	}
	return s, s.InRange()
}

// SubChecked returns d-e, and false when the exact difference is out of
// range, as AddChecked.
func (d Decimal) SubChecked(e Decimal) (Decimal, bool) {
	s := d.Sub(e)
	// Subtraction overflowed iff the operands' signs differ and the
	// result's differs from d's.
	if (d.hi^e.hi)&(d.hi^s.hi) < 0 {
		return s, false
	}
	return s, s.InRange()
}

// InRange reports whether |d| < 10^20, the range of DECIMAL(38,18) and of
// Parse. Every Decimal that Parse, FromInt and the checked operations
// return is in range; only unchecked sums leave it.
func (d Decimal) InRange() bool { return d.Cmp(minValue) > 0 && d.Cmp(maxValue) < 0 }

// Cmp returns -1, 0 or +1 as d is less than, equal to or greater than e.
func (d Decimal) Cmp(e Decimal) int {
	switch {
	case d.hi < e.hi:
		return -1
	case d.hi > e.hi:
		return 1
	case d.lo < e.lo:
		return -1
	case d.lo > e.lo:
		return 1
	}
	return 0
}

// abs returns the magnitude of d as an unsigned 128-bit pair.
func (d Decimal) abs() (hi, lo uint64, neg bool) {
	if d.hi < 0 {
		n := d.Neg()
		return uint64(n.hi), n.lo, true
	}
	return uint64(d.hi), d.lo, false
}

// String formats d with all 18 decimal places trimmed of trailing zeros,
// keeping at least one ("1.0", "-0.000123").
func (d Decimal) String() string { return string(d.Append(nil, 1)) }

// Append appends d to b with at least minFrac and at most 18 decimal places,
// trailing zeros trimmed down to minFrac. minFrac 0 drops a zero fraction.
func (d Decimal) Append(b []byte, minFrac int) []byte {
	hi, lo, neg := d.abs()
	// Split into integer and fractional parts: (hi,lo) = q*10^18 + r.
	qhi := hi / pow18
	qlo, r := bits.Div64(hi%pow18, lo, pow18)
	if neg {
		b = append(b, '-')
	}
	if qhi == 0 {
		b = strconv.AppendUint(b, qlo, 10)
	} else {
		// The integer part needs more than 64 bits: split once more at 10^19.
		const pow19 = 10 * pow18
		top, low := bits.Div64(qhi, qlo, pow19)
		b = strconv.AppendUint(b, top, 10)
		b = appendPadded(b, low, 19)
	}
	frac := Scale
	for frac > minFrac && r%10 == 0 {
		r /= 10
		frac--
	}
	if frac == 0 {
		return b
	}
	b = append(b, '.')
	return appendPadded(b, r, frac)
}

// appendPadded appends v zero-padded to width digits.
func appendPadded(b []byte, v uint64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for range width {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[i:]...)
}

// Fixed formats d with exactly frac decimal places (0 ≤ frac ≤ 18), rounding
// half to even. It is for display; stored values keep all 18 places.
func (d Decimal) Fixed(frac int) string {
	frac = max(0, min(frac, Scale))
	r := d.Round(frac)
	return string(r.Append(nil, frac))
}

// Round returns d rounded half to even to frac decimal places.
func (d Decimal) Round(frac int) Decimal {
	if frac >= Scale {
		return d
	}
	hi, lo, neg := d.abs()
	unit := pow10[Scale-frac]
	qhi := hi / unit
	qlo, rem := bits.Div64(hi%unit, lo, unit)
	if half := unit / 2; rem > half || (rem == half && qlo&1 == 1) {
		var c uint64
		qlo, c = bits.Add64(qlo, 1, 0)
		qhi += c
	}
	h, l := bits.Mul64(qlo, unit)
	h += qhi * unit
	out := Decimal{hi: int64(h), lo: l}
	if neg {
		out = out.Neg()
	}
	return out
}

var pow10 = func() [20]uint64 {
	var p [20]uint64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// mul10n returns (hi,lo) × 10^n, ignoring overflow.
func mul10n(hi, lo uint64, n int) (uint64, uint64) {
	for n > 0 {
		k := min(n, 19)
		p := pow10[k]
		h, l := bits.Mul64(lo, p)
		hi = hi*p + h
		lo = l
		n -= k
	}
	return hi, lo
}

// Int64 returns d's raw value in units of 10^-18 when it fits in an int64
// (|d| < 9.22), the form DuckDB's DECIMAL(38,18) takes without big.Int.
func (d Decimal) Int64() (int64, bool) {
	if (d.hi == 0 && d.lo < 1<<63) || (d.hi == -1 && d.lo >= 1<<63) {
		return int64(d.lo), true
	}
	return 0, false
}

// BigInt returns d's raw value in units of 10^-18.
func (d Decimal) BigInt() *big.Int {
	hi, lo, neg := d.abs()
	b := new(big.Int).SetUint64(hi)
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(lo))
	if neg {
		b.Neg(b)
	}
	return b
}

// MarshalJSON writes d as a JSON number with every decimal place it has.
func (d Decimal) MarshalJSON() ([]byte, error) { return d.Append(nil, 1), nil }

// UnmarshalJSON reads a JSON number, or a string holding one, exactly: it
// never goes through a float.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	v, err := ParseBytes(b)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Mul returns d×e rounded half to even at 18 places. It goes through
// math/big: for fees and rates, not for per-row work.
func (d Decimal) Mul(e Decimal) Decimal {
	p := new(big.Int).Mul(d.BigInt(), e.BigInt())
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(Scale), nil)
	q, r := new(big.Int).QuoRem(p, scale, new(big.Int))
	r2 := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if c := r2.Cmp(scale); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(int64(p.Sign())))
	}
	out, err := ParseBytes([]byte(new(big.Rat).SetFrac(q, scale).FloatString(Scale)))
	if err != nil {
		panic("decimal: product out of range: " + err.Error())
	}
	return out
}
