package synth

import "testing"

func TestDecimalArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  dec
		want string
	}{
		{"pads whole numbers to ten decimals", pad(dec{1, 0}), "1.0000000000"},
		{"keeps up to seventeen decimals", pad(dec{123, 17}), "0.00000000000000123"},
		{"strips zeros beyond ten decimals", pad(dec{1200000, 16}), "0.00000000012"},
		{"multiplies exactly", mul(dec{1344086022, 10}, dec{8, 2}), "0.010752688176"},
		{"rounds past seventeen decimals", mul(dec{1, 10}, dec{5, 8}), "0.00000000000000001"},
		{"rounds half away from zero", round10(dec{-15, 11}), "-0.0000000002"},
		{"never prints a negative zero", round10(dec{-4, 11}), "0.0000000000"},
		{"adds across scales", add(dec{-25, 1}, dec{3, 17}), "-2.49999999999999997"},
		{"sizes a credit at least at its floor", pad(share(money17(dec{10, 0}), -1, dec{-50, 2})), "-0.5000000000"},
		{"sizes a credit from spend above its floor", share(money17(dec{1000, 0}), -1, dec{-50, 2}), "-10.0000000000"},
		{"sizes a fee at least at its floor", pad(share(money17(dec{10, 0}), 10, dec{100, 0})), "100.0000000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s := tc.got.String(); s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
}

func TestWideSumsFormatCanonically(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []dec
		want string
	}{
		{"zero", nil, "0"},
		{"a negative sum", []dec{{-1, 0}, {25, 2}}, "-0.75"},
		{"a sum that cancels", []dec{{123456789, 10}, {-123456789, 10}}, "0"},
		{"a long sum", []dec{{9e18, 10}, {9e18, 10}, {1, 17}}, "1800000000.00000000000000001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w wide
			for _, d := range tc.in {
				w = w.add(money17(d))
			}
			if s := w.String(); s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
}
