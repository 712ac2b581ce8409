package decimal

import (
	"errors"
	"testing"
)

// The values at the edges of the range: DECIMAL(38,18) holds |x| < 10^20.
const (
	largest  = "99999999999999999999.999999999999999999"
	smallest = "-99999999999999999999.999999999999999999"
	unit     = "0.000000000000000001"
)

func TestAddCheckedDetectsOverflow(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       string // "" when the sum is out of range
	}{
		{"small values add exactly", "1.5", "-0.25", "1.25"},
		{"the largest value plus zero is in range", largest, "0", largest},
		{"the largest value plus a unit reaches 10^20, out of range", largest, unit, ""},
		{"the smallest value minus a unit reaches -10^20, out of range", smallest, "-" + unit, ""},
		{"the largest and the smallest cancel", largest, smallest, "0"},
		{"two halves of the range stay below it", "49999999999999999999.999999999999999999", "50000000000000000000", largest},
		{"two sums of ten rows of 9999999999999999999 pass 10^20", "99999999999999999990", "99999999999999999990", ""},
		{"the issue's wrap: past 2^127 units the unchecked sum turns negative", "90000000000000000000", "90000000000000000000", ""},
		{"two negative values past -2^127 units", "-90000000000000000000", "-90000000000000000000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := MustParse(tt.a), MustParse(tt.b)
			got, ok := a.AddChecked(b)
			if tt.want == "" {
				if ok {
					t.Fatalf("%s + %s = %s, accepted; want out of range", tt.a, tt.b, got)
				}
				return
			}
			if !ok || got.Cmp(MustParse(tt.want)) != 0 {
				t.Fatalf("%s + %s = %s, %v; want %s", tt.a, tt.b, got, ok, tt.want)
			}
			if diff, ok := got.SubChecked(b); !ok || diff != a {
				t.Fatalf("(%s + %s) - %s = %s, %v; want %s", tt.a, tt.b, tt.b, diff, ok, tt.a)
			}
		})
	}
}

func TestSubCheckedDetectsOverflow(t *testing.T) {
	tests := []struct {
		name, a, b string
		ok         bool
	}{
		{"the largest minus the smallest is twice the range", largest, smallest, false},
		{"the smallest minus a unit leaves the range", smallest, unit, false},
		{"zero minus the smallest is the largest", "0", smallest, true},
		{"a difference of two large values of one sign stays small", largest, "99999999999999999999", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MustParse(tt.a).SubChecked(MustParse(tt.b))
			if ok != tt.ok {
				t.Fatalf("%s - %s = %s, %v; want ok %v", tt.a, tt.b, got, ok, tt.ok)
			}
		})
	}
}

func TestCheckedOperationsOnTheMostNegative128BitValue(t *testing.T) {
	// -2^127 units has no positive counterpart: Neg returns it unchanged, so
	// SubChecked must not go through Neg.
	minInt128 := Decimal{hi: -1 << 63}
	if _, ok := Zero.SubChecked(minInt128); ok {
		t.Error("0 - (-2^127 units) was accepted")
	}
	if _, ok := minInt128.AddChecked(Zero); ok {
		t.Error("-2^127 units + 0 was accepted: it is out of range")
	}
	if minInt128.InRange() {
		t.Error("-2^127 units is in range")
	}
}

func TestParseRefusesValuesPastTheRange(t *testing.T) {
	for _, s := range []string{
		"100000000000000000000", "-100000000000000000000", "1e20", "-1e20",
		"170141183460469231731.687303715884105727",  // 2^127-1 units: fits 128 bits, not DECIMAL(38,18)
		"-170141183460469231731.687303715884105728", // -2^127 units
		"170141183460469231731.687303715884105728",  // 2^127 units: would wrap to negative
		"340282366920938463463.374607431768211456",  // 2^128 units: would wrap to 0
		"1.7e20", "-99999999999999999999.9999999999999999995",
	} {
		if d, err := Parse(s); !errors.Is(err, ErrRange) {
			t.Errorf("Parse(%q) = %s, %v; want ErrRange", s, d, err)
		}
	}
	for _, s := range []string{largest, smallest, "9999999999999999999", "-9.9999999999999999999999e19"} {
		d, err := Parse(s)
		if err != nil || !d.InRange() {
			t.Errorf("Parse(%q) = %s, %v; want it in range", s, d, err)
		}
	}
}
