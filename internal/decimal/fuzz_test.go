package decimal

import (
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// FuzzParse checks Parse against math/big: every accepted input equals the
// exact value rounded half to even at 18 places, and formatting round-trips.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "-1.5", "0.00165303109242778", "1.5E-7", "1e20", ".5", "0.0000000000000000015", "abc", "99999999999999999999.9999999999999999995"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		want, ok := reference(s)
		if err != nil {
			if ok {
				t.Fatalf("Parse(%q) failed (%v) but the value %s is representable", s, err, want.FloatString(18))
			}
			return
		}
		if !ok {
			t.Fatalf("Parse(%q) = %s, but the reference rejects it", s, d)
		}
		if got := rat(d.String()); got.Cmp(want) != 0 {
			t.Fatalf("Parse(%q) = %s, want %s", s, d, want.FloatString(18))
		}
		again, err := Parse(d.String())
		if err != nil || again != d {
			t.Fatalf("round trip of %s gave %s, %v", d, again, err)
		}
		if !d.InRange() {
			t.Fatalf("Parse(%q) = %s, which is out of range", s, d)
		}
		// Doubling a parsed value overflows exactly when twice it reaches 10^20.
		twice := new(big.Rat).Add(want, want)
		sum, ok := d.AddChecked(d)
		if fits := new(big.Rat).Abs(twice).Cmp(new(big.Rat).SetInt(limit20)) < 0; ok != fits {
			t.Fatalf("%s + itself: ok = %v, want %v", d, ok, fits)
		} else if ok && rat(sum.String()).Cmp(twice) != 0 {
			t.Fatalf("%s + itself = %s, want %s", d, sum, twice.FloatString(18))
		}
	})
}

// limit20 is 10^20, the first magnitude out of range.
var limit20 = new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil)

// FuzzAddSub checks AddChecked and SubChecked against math/big on any two
// 128-bit values: the result is the exact one whenever that is below 10^20
// in magnitude, and is refused otherwise.
func FuzzAddSub(f *testing.F) {
	edges := []Decimal{Zero, maxValue, minValue, maxValue.Sub(Decimal{lo: 1}), minValue.Add(Decimal{lo: 1}),
		{hi: -1 << 63}, {hi: 1<<63 - 1, lo: 1<<64 - 1}, MustParse("9999999999999999999"), MustParse("-0.5")}
	for _, a := range edges {
		for _, b := range edges {
			f.Add(a.hi, a.lo, b.hi, b.lo)
		}
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)
	inRange := func(x *big.Int) bool { return new(big.Int).Abs(x).Cmp(limit) < 0 }
	f.Fuzz(func(t *testing.T, ahi int64, alo uint64, bhi int64, blo uint64) {
		a, b := Decimal{hi: ahi, lo: alo}, Decimal{hi: bhi, lo: blo}
		if got, want := a.InRange(), inRange(a.BigInt()); got != want {
			t.Fatalf("InRange(%s) = %v, want %v", a.BigInt(), got, want)
		}
		sum, sumOK := a.AddChecked(b)
		diff, diffOK := a.SubChecked(b)
		for _, c := range []struct {
			op   string
			got  Decimal
			ok   bool
			want *big.Int
		}{
			{"+", sum, sumOK, new(big.Int).Add(a.BigInt(), b.BigInt())},
			{"-", diff, diffOK, new(big.Int).Sub(a.BigInt(), b.BigInt())},
		} {
			if c.ok != inRange(c.want) {
				t.Fatalf("%s %s %s: ok = %v, but the exact result is %s", a.BigInt(), c.op, b.BigInt(), c.ok, c.want)
			}
			if c.ok && c.got.BigInt().Cmp(c.want) != 0 {
				t.Fatalf("%s %s %s = %s, want %s", a.BigInt(), c.op, b.BigInt(), c.got.BigInt(), c.want)
			}
		}
	})
}

var grammar = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// reference parses s with math/big and rounds it half to even at 18 places.
func reference(s string) (*big.Rat, bool) {
	s = strings.Trim(s, " \t")
	if !grammar.MatchString(s) {
		return nil, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp := strings.TrimLeft(strings.TrimLeft(s[i+1:], "+-"), "0")
		if len(exp) > 4 {
			// Huge exponents: zero stays zero, tiny values round to zero,
			// anything else is out of range. big.Rat would take ages.
			m, ok := new(big.Rat).SetString(s[:i])
			if !ok {
				return nil, false
			}
			if m.Sign() == 0 || strings.HasPrefix(strings.TrimLeft(s[i+1:], "+"), "-") {
				return new(big.Rat), true
			}
			return nil, false
		}
	}
	x, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, false
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	num := new(big.Int).Mul(x.Num(), scale)
	q, r := new(big.Int).QuoRem(num, x.Denom(), new(big.Int))
	// Round half to even on the magnitude.
	r2 := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if c := r2.Cmp(x.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)
	if new(big.Int).Abs(q).Cmp(limit) >= 0 {
		return nil, false
	}
	return new(big.Rat).SetFrac(q, scale), true
}
