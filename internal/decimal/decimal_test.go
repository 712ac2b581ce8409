package decimal

import (
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseAndString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0.0"},
		{"-0", "0.0"},
		{"12", "12.0"},
		{"+12.50", "12.5"},
		{"-0.0000000193", "-0.0000000193"},
		{"0.00165303109242778", "0.00165303109242778"},
		{"0.0007458096045417008", "0.000745809604541701"}, // 19 places in a real koku file
		{"1.5E-7", "0.00000015"},
		{"1.5e+3", "1500.0"},
		{".5", "0.5"},
		{"5.", "5.0"},
		{" 7 ", "7.0"},
		{"99999999999999999999.999999999999999999", "99999999999999999999.999999999999999999"},
		{"-99999999999999999999.999999999999999999", "-99999999999999999999.999999999999999999"},
		{"0.0000000000000000005", "0.0"},                    // half a unit, even: down
		{"0.0000000000000000015", "0.000000000000000002"},   // half a unit, odd: up
		{"0.00000000000000000051", "0.000000000000000001"},  // above half: up
		{"-0.0000000000000000015", "-0.000000000000000002"}, // symmetric
		{"1e-40", "0.0"},
		{"000000000000000000000000000000000000000000001.25", "1.25"},
		{"1.0000000000000000000000000000000000000000000001", "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrSyntax}, {"-", ErrSyntax}, {".", ErrSyntax}, {"1..2", ErrSyntax},
		{"1.2.3", ErrSyntax}, {"abc", ErrSyntax}, {"1e", ErrSyntax}, {"NaN", ErrSyntax},
		{"1,5", ErrSyntax}, {"12 3", ErrSyntax}, {"0x10", ErrSyntax},
		{"100000000000000000000", ErrRange}, {"1e20", ErrRange}, {"1e99999999", ErrRange},
		{"99999999999999999999.9999999999999999995", ErrRange}, // rounds up to 10^20
		{"123456789012345678901234567890123456789012", ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), "\""+tt.in+"\"") {
				t.Errorf("error %q does not quote the input", err)
			}
		})
	}
}

func TestArithmeticMatchesBigRat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := randomDecimal(r), randomDecimal(r)
		da, db := MustParse(a), MustParse(b)
		for _, c := range []struct {
			name string
			got  Decimal
			want *big.Rat
		}{
			{"add", da.Add(db), new(big.Rat).Add(rat(a), rat(b))},
			{"sub", da.Sub(db), new(big.Rat).Sub(rat(a), rat(b))},
		} {
			if rat(c.got.String()).Cmp(c.want) != 0 {
				t.Fatalf("%s(%s, %s) = %s, want %s", c.name, a, b, c.got, c.want.FloatString(18))
			}
		}
		if got, want := da.Cmp(db), rat(a).Cmp(rat(b)); got != want {
			t.Fatalf("Cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
	}
}

func TestRoundAndFixed(t *testing.T) {
	tests := []struct {
		in   string
		frac int
		want string
	}{
		{"1.005", 2, "1.00"}, {"1.015", 2, "1.02"}, {"-1.015", 2, "-1.02"},
		{"2.5", 0, "2"}, {"3.5", 0, "4"}, {"0.123456789012345678", 10, "0.1234567890"},
		{"12", 4, "12.0000"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.in).Fixed(tt.frac); got != tt.want {
			t.Errorf("Fixed(%s, %d) = %s, want %s", tt.in, tt.frac, got, tt.want)
		}
	}
}

func TestFromInt(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 42, -9223372036854775808, 9223372036854775807} {
		want := new(big.Rat).SetInt64(n)
		if got := rat(FromInt(n).String()); got.Cmp(want) != 0 {
			t.Errorf("FromInt(%d) = %s", n, FromInt(n))
		}
	}
}

func randomDecimal(r *rand.Rand) string {
	var sb strings.Builder
	if r.IntN(2) == 0 {
		sb.WriteByte('-')
	}
	sb.WriteString(digits(r, 1+r.IntN(18)))
	if n := r.IntN(19); n > 0 {
		sb.WriteByte('.')
		sb.WriteString(digits(r, n))
	}
	return sb.String()
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func rat(s string) *big.Rat {
	x, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rat " + s)
	}
	return x
}

func TestRawForms(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "9.2", "-9.2", "9.3", "-9.3", "0.000000000000000001", "1234567890123456789.5", "-1234567890123456789.5"} {
		d := MustParse(s)
		want := new(big.Int).Mul(rat(s).Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil))
		want.Quo(want, rat(s).Denom())
		if got := d.BigInt(); got.Cmp(want) != 0 {
			t.Errorf("BigInt(%s) = %s, want %s", s, got, want)
		}
		v, ok := d.Int64()
		if fits := want.IsInt64(); ok != fits || (ok && v != want.Int64()) {
			t.Errorf("Int64(%s) = %d, %v; want %s, %v", s, v, ok, want, fits)
		}
	}
}

func TestMul(t *testing.T) {
	for _, tt := range []struct{ a, b, want string }{
		{"12345.67", "0.01", "123.4567"},
		{"-2.5", "0.01", "-0.025"},
		{"0.000000000000000001", "0.5", "0.0"},                  // half a unit, even: down
		{"0.000000000000000003", "0.5", "0.000000000000000002"}, // 1.5 units: up to even
		{"0", "7", "0.0"},
	} {
		if got := MustParse(tt.a).Mul(MustParse(tt.b)); got.String() != tt.want {
			t.Errorf("%s × %s = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAJSONNumberReadsBackExactly(t *testing.T) {
	for _, s := range []string{"0", "-1.5", "12345678901234567890.123456789012345678", "0.000000000000000001"} {
		var d Decimal
		if err := json.Unmarshal([]byte(s), &d); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got, _ := d.MarshalJSON(); !strings.HasPrefix(string(got), strings.TrimSuffix(s, ".0")) {
			t.Errorf("%s read back as %s", s, got)
		}
		if err := json.Unmarshal([]byte(`"`+s+`"`), &d); err != nil || d.Cmp(MustParse(s)) != 0 {
			t.Errorf("the string %q read as %s, %v", s, d, err)
		}
	}
	var d Decimal
	if err := json.Unmarshal([]byte(`"abc"`), &d); err == nil {
		t.Error("abc read as a number")
	}
}
