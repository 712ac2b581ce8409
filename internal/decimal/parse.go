package decimal

import (
	"fmt"
	"math/bits"
	"unsafe"
)

// maxSig is how many significant digits the mantissa accumulates before
// further digits only inform rounding (10^38 fits in 127 bits).
const maxSig = 38

// Parse reads a decimal number: an optional sign, digits with an optional
// fraction, and an optional exponent ("12", "-0.0000000193", "1.5E-7").
// Surrounding spaces are ignored. Digits beyond the 18th decimal place are
// rounded half to even.
func Parse(s string) (Decimal, error) {
	d, err := parse(s)
	if err != nil {
		return Decimal{}, fmt.Errorf("%q: %w", s, err)
	}
	return d, nil
}

// ParseBytes is Parse for a byte slice; it does not retain b.
func ParseBytes(b []byte) (Decimal, error) {
	// parse does not retain its argument, so b need not be copied.
	d, err := parse(unsafe.String(unsafe.SliceData(b), len(b)))
	if err != nil {
		return Decimal{}, fmt.Errorf("%q: %w", b, err)
	}
	return d, nil
}

// MustParse is Parse for constants in tests and tables; it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func parse(s string) (Decimal, error) {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var (
		hi, lo    uint64 // accumulated mantissa
		sig       int    // significant digits accumulated
		digits    int    // digits seen, integer and fraction
		frac      int    // digits after the point
		dropped   int    // significant digits beyond maxSig
		roundDig  uint64 // the first dropped digit
		sticky    bool   // any non-zero dropped digit after roundDig
		seenPoint bool
	)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if seenPoint {
				return Decimal{}, ErrSyntax
			}
			seenPoint = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		digits++
		if seenPoint {
			frac++
		}
		v := uint64(c - '0')
		switch {
		case sig == 0 && v == 0:
			// A leading zero adds nothing to the mantissa.
		case sig < maxSig:
			h1, l1 := bits.Mul64(lo, 10)
			var carry uint64
			lo, carry = bits.Add64(l1, v, 0)
			hi = hi*10 + h1 + carry
			sig++
		default:
			if dropped == 0 {
				roundDig = v
			} else if v != 0 {
				sticky = true
			}
			dropped++
		}
	}
	if digits == 0 {
		return Decimal{}, ErrSyntax
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if exp < 100000 {
				exp = exp*10 + int(s[i]-'0')
			}
		}
		if i == start {
			return Decimal{}, ErrSyntax
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return Decimal{}, ErrSyntax
	}
	if hi == 0 && lo == 0 && dropped == 0 {
		return Decimal{}, nil
	}
	shift := Scale - frac + exp + dropped
	switch {
	case shift > 0:
		if dropped > 0 || shift > maxSig {
			return Decimal{}, ErrRange
		}
		h, l := mul10n(hi, lo, shift)
		// Detect overflow of the multiplication by dividing back.
		if h2, l2 := mul10n(0, 1, shift); !fitsProduct(hi, lo, h2, l2) {
			return Decimal{}, ErrRange
		}
		hi, lo = h, l
	case shift < -(maxSig + 2):
		// The value is below half a unit: it rounds to zero.
		return Decimal{}, nil
	default:
		for ; shift < 0; shift++ {
			if roundDig != 0 {
				sticky = true
			}
			var r uint64
			hi, lo, r = div10(hi, lo)
			roundDig = r
		}
		if roundDig > 5 || (roundDig == 5 && (sticky || lo&1 == 1)) {
			var c uint64
			lo, c = bits.Add64(lo, 1, 0)
			hi += c
		}
	}
	if hi > inputHi || (hi == inputHi && lo >= inputLo) {
		return Decimal{}, ErrRange
	}
	d := Decimal{hi: int64(hi), lo: lo}
	if neg {
		d = d.Neg()
	}
	return d, nil
}

// div10 divides the unsigned 128-bit (hi,lo) by 10.
func div10(hi, lo uint64) (qhi, qlo, rem uint64) {
	qhi = hi / 10
	qlo, rem = bits.Div64(hi%10, lo, 10)
	return qhi, qlo, rem
}

// fitsProduct reports whether (ahi,alo)×(bhi,blo) is below 10^38, the
// largest magnitude a Decimal holds.
func fitsProduct(ahi, alo, bhi, blo uint64) bool {
	if ahi != 0 && bhi != 0 {
		return false
	}
	// One factor fits in 64 bits: multiply it into the other.
	small, bigHi, bigLo := alo, bhi, blo
	if ahi != 0 {
		small, bigHi, bigLo = blo, ahi, alo
	}
	h1, l1 := bits.Mul64(bigLo, small)
	h2, l2 := bits.Mul64(bigHi, small)
	if h2 != 0 {
		return false
	}
	hi, carry := bits.Add64(h1, l2, 0)
	if carry != 0 {
		return false
	}
	return hi < limitHi || (hi == limitHi && l1 < limitLo)
}
