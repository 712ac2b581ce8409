package cost

import (
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestCheckAmounts(t *testing.T) {
	unit := decimal.MustParse("0.000000000000000001")
	huge := decimal.MustParse("99999999999999999999").Add(decimal.MustParse("99999999999999999999")) // out of range
	tests := []struct {
		name string
		set  func(r *Row)
		want string // "" when accepted, else the column named
	}{
		{"small costs pass", func(r *Row) {}, ""},
		{"a cost just below 10^11 passes", func(r *Row) { r.BilledCost = MaxCost.Sub(unit) }, ""},
		{"a cost just above -10^11 passes", func(r *Row) { r.ListCost = MaxCost.Neg().Add(unit) }, ""},
		{"a billed cost of 10^11 is refused", func(r *Row) { r.BilledCost = MaxCost }, "BilledCost"},
		{"an effective cost of -10^11 is refused", func(r *Row) { r.EffectiveCost = MaxCost.Neg() }, "EffectiveCost"},
		{"a list cost past it is refused", func(r *Row) { r.ListCost = decimal.MustParse("9999999999999999999") }, "ListCost"},
		{"an unblended cost past it is refused", func(r *Row) { r.UnblendedCost = decimal.MustParse("-1e12") }, "x_UnblendedCost"},
		{"a blended cost past it is refused", func(r *Row) { r.BlendedCost = decimal.MustParse("1e12") }, "x_BlendedCost"},
		{"a quantity far past 10^11 passes: quantities are not summed", func(r *Row) {
			r.PricingQuantity = NullDecimal{Decimal: decimal.MustParse("9999999999999999999"), Valid: true}
		}, ""},
		{"a quantity the column cannot hold is refused", func(r *Row) {
			r.ConsumedQuantity = NullDecimal{Decimal: huge, Valid: true}
		}, "ConsumedQuantity"},
		{"an absent quantity is not looked at", func(r *Row) { r.PricingQuantity = NullDecimal{Decimal: huge} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Row{BilledCost: decimal.FromInt(1), EffectiveCost: decimal.FromInt(1)}
			tt.set(r)
			err := CheckAmounts(r, RowPlace{Origin: "cur.csv", N: 12})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "cur.csv: row 12, column "+tt.want+":") {
				t.Fatalf("err = %v, want Invalid naming cur.csv, row 12 and column %s", err, tt.want)
			}
		})
	}
}

type whereSource struct{ where string }

func (whereSource) Next() (*Row, error) { return nil, nil }
func (w whereSource) Where() string     { return w.where }

func TestRowPlace(t *testing.T) {
	for _, tt := range []struct {
		name string
		at   RowPlace
		want string
	}{
		{"a source that knows its line", RowPlace{Src: whereSource{"a.csv.gz: line 7"}, Origin: "bucket", N: 6}, "a.csv.gz: line 7"},
		{"one that does not say falls back to the row", RowPlace{Src: whereSource{}, Origin: "bucket", N: 6}, "bucket: row 6"},
		{"no origin", RowPlace{N: 3}, "row 3"},
	} {
		if got := tt.at.String(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
