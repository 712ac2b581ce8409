package duckstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// located is a source that says where its rows are, as a file reader does.
type located struct {
	rows
	file string
}

func (l *located) Where() string { return fmt.Sprintf("%s: line %d", l.file, l.i+1) }

func TestAmountsThatCannotBeSummedSafelyAreRefused(t *testing.T) {
	aug := month(2026, 8)
	tests := []struct {
		name    string
		loads   [][]*cost.Row // every one of them is refused
		want    []string      // in the message
		located bool
	}{
		{
			name:  "twenty rows of 9999999999999999999, whose sum wrapped, are refused at the first",
			loads: [][]*cost.Row{makeRows(aug, 20, "9999999999999999999", "1")},
			want:  []string{"cur.csv.gz: row 1", "column BilledCost", "9999999999999999999", "10^11"},
		},
		{
			name:  "two loads of ten such rows, which overflowed the query, are each refused",
			loads: [][]*cost.Row{makeRows(aug, 10, "9999999999999999999", "1"), makeRows(aug, 10, "9999999999999999999", "2")},
			want:  []string{"column BilledCost", "9999999999999999999"},
		},
		{
			name:  "a cost of exactly 10^11 is refused, after rows below it",
			loads: [][]*cost.Row{append(makeRows(aug, 2, "99999999999.999999999999999999", "1"), makeRows(aug, 1, "100000000000", "1")...)},
			want:  []string{"cur.csv.gz: row 3", "column BilledCost", "100000000000"},
		},
		{
			name:  "a negative cost of -10^11 is refused",
			loads: [][]*cost.Row{makeRows(aug, 1, "-100000000000", "1")},
			want:  []string{"column BilledCost", "-100000000000"},
		},
		{
			name: "an effective cost out of range is named by its column",
			loads: [][]*cost.Row{func() []*cost.Row {
				list := makeRows(aug, 1, "1", "1")
				list[0].EffectiveCost = decimal.MustParse("-250000000000.5")
				return list
			}()},
			want: []string{"column EffectiveCost", "-250000000000.5"},
		},
		{
			name:    "a source that knows its file and line is quoted",
			loads:   [][]*cost.Row{append(makeRows(aug, 5, "1", "1"), makeRows(aug, 1, "1e15", "1")...)},
			want:    []string{"cur.csv.gz: line 7, column BilledCost", "1000000000000000"},
			located: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t, t.TempDir(), Options{})
			load(t, s, "src", "A", makeRows(aug, 4, "1", "1"))
			for i, list := range tt.loads {
				var src cost.RowSource = &rows{list: list}
				if tt.located {
					src = &located{rows: rows{list: list}, file: "cur.csv.gz"}
				}
				// The first load would replace src's version, a second is
				// another source that would add to it.
				_, err := s.ReplacePeriods(context.Background(),
					cost.Load{Source: []string{"src", "other"}[i], Version: "B", Origin: "cur.csv.gz"}, src)
				if cost.ErrorCode(err) != cost.EInvalid {
					t.Fatalf("load %d: err = %v, want Invalid", i+1, err)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("load %d: the message %q does not say %q", i+1, err, w)
					}
				}
			}
			if got := total(t, s); got.Cmp(decimal.FromInt(4)) != 0 {
				t.Errorf("total = %s after the refusals, want the 4 loaded before", got)
			}
			if v, _ := s.LoadedVersion(context.Background(), "src", aug); v != "A" {
				t.Errorf("version = %q after the refusals, want A", v)
			}
		})
	}
}

func TestSumsOfCostsNearTheBoundAreExact(t *testing.T) {
	aug, sep := month(2026, 8), month(2026, 9)
	unit := decimal.MustParse("0.000000000000000001")
	top := cost.MaxCost.Sub(unit) // the largest cost accepted
	const n = 3 * batchRows
	// August: every cost at the top; the effective cost at the bottom, so
	// that the stored difference (EffectiveCost − UnblendedCost) is twice
	// the bound. September: the bottom, billed.
	augRows := makeRows(aug, n, top.String(), "1", "2")
	for _, r := range augRows {
		r.EffectiveCost = top.Neg()
	}
	s := openStore(t, t.TempDir(), Options{})
	res := load(t, s, "src", "A", append(augRows, makeRows(sep, n, top.Neg().String(), "3")...))

	times := func(d decimal.Decimal, k int) decimal.Decimal {
		sum := decimal.Zero
		for range k {
			var ok bool
			if sum, ok = sum.AddChecked(d); !ok {
				t.Fatalf("%d × %s is out of range", k, d)
			}
		}
		return sum
	}
	if got, want := res.Periods[0].BilledCost, times(top, n); got.Cmp(want) != 0 {
		t.Errorf("August's billed cost = %s, want %s", got, want)
	}
	if got, want := res.Periods[1].BilledCost, times(top.Neg(), n); got.Cmp(want) != 0 {
		t.Errorf("September's billed cost = %s, want %s", got, want)
	}
	query := func(typ cost.CostType, from, to int) decimal.Decimal {
		res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: typ,
			From: month(2026, 8).AddDate(0, from, 0), To: month(2026, 8).AddDate(0, to, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 1 {
			t.Fatalf("%d rows, want 1", len(res.Rows))
		}
		return res.Rows[0].Cost
	}
	for _, c := range []struct {
		name     string
		typ      cost.CostType
		from, to int
		want     decimal.Decimal
	}{
		{"August's actual cost", cost.CostActual, 0, 1, times(top, n)},
		{"August's amortized cost, summed through differences of twice the bound", cost.CostAmortized, 0, 1, times(top.Neg(), n)},
		{"August's unblended cost", cost.CostUnblended, 0, 1, times(top, n)},
		{"both months' actual cost cancel", cost.CostActual, 0, 2, decimal.Zero},
		{"both months' amortized cost", cost.CostAmortized, 0, 2, times(top.Neg(), 2*n)},
	} {
		if got := query(c.typ, c.from, c.to); got.Cmp(c.want) != 0 {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
	}
}

// TestAQuerySumPastTheRangeFailsAndNeverWraps writes costs past the load's
// bound straight into the table, as no load can, and checks that DuckDB's
// checked sums make the query fail rather than answer a wrapped number.
func TestAQuerySumPastTheRangeFailsAndNeverWraps(t *testing.T) {
	aug := month(2026, 8)
	for _, tt := range []struct {
		name string
		rows int
		typ  cost.CostType
	}{
		{"two costs of 6×10^19: a sum of 1.2×10^20, past DECIMAL(38,18)", 2, cost.CostActual},
		{"three: 1.8×10^20, past 128 bits", 3, cost.CostActual},
		{"the amortized cost through its differences", 3, cost.CostAmortized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t, t.TempDir(), Options{})
			load(t, s, "src", "A", makeRows(aug, tt.rows, "1", "1"))
			if _, err := s.DB().Exec(`UPDATE cost_rows SET BilledCost = 60000000000000000000, d_effective = 60000000000000000000;
				UPDATE cost_daily SET BilledCost = 60000000000000000000, d_effective = 60000000000000000000;
				UPDATE cost_daily_resources SET BilledCost = 60000000000000000000, d_effective = 60000000000000000000;
				UPDATE cost_monthly SET BilledCost = 60000000000000000000, d_effective = 60000000000000000000;
				UPDATE cost_monthly_resources SET BilledCost = 60000000000000000000, d_effective = 60000000000000000000`); err != nil {
				t.Fatal(err)
			}
			res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: tt.typ})
			if err == nil {
				t.Fatalf("the query answered %v, want an error", res.Rows)
			}
			t.Log(err)
		})
	}
}
