package focusfile

import (
	"maps"
	"math/big"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// totalKey is one cell of the totals every sample is checked by.
type totalKey struct {
	provider, category, day string
}

type totals struct {
	billed, effective, list *big.Rat
	rows                    int
}

func addTotal(m map[totalKey]*totals, k totalKey, billed, effective, list *big.Rat) {
	tt := m[k]
	if tt == nil {
		tt = &totals{new(big.Rat), new(big.Rat), new(big.Rat), 0}
		m[k] = tt
	}
	tt.billed.Add(tt.billed, billed)
	tt.effective.Add(tt.effective, effective)
	tt.list.Add(tt.list, list)
	tt.rows++
}

// expectedTotals computes, from the file read with encoding/csv, the
// totals by provider, charge category and day, by FOCUS's rules as the test
// states them: the provider is ServiceProviderName, else ProviderName; the
// category is as written, in FOCUS's capitalisation; the day is the UTC date
// ChargePeriodStart starts with.
func expectedTotals(t *testing.T, path string) map[totalKey]*totals {
	m := map[totalKey]*totals{}
	for _, rec := range csvTable(t, path) {
		provider := rec["ServiceProviderName"]
		if provider == "" {
			provider = rec["ProviderName"]
		}
		category := rec["ChargeCategory"]
		if category != "" {
			category = strings.ToUpper(category[:1]) + strings.ToLower(category[1:])
		}
		effective := rec["EffectiveCost"]
		if _, ok := rec["EffectiveCost"]; !ok {
			effective = rec["BilledCost"]
		}
		day := rec["ChargePeriodStart"][:10]
		addTotal(m, totalKey{provider, category, day}, rat(t, rec["BilledCost"]), rat(t, effective), rat(t, rec["ListCost"]))
	}
	return m
}

func readerTotals(t *testing.T, rows []*cost.Row) map[totalKey]*totals {
	m := map[totalKey]*totals{}
	for _, r := range rows {
		day := r.ChargePeriodStart.UTC().Format("2006-01-02")
		addTotal(m, totalKey{r.ProviderName, r.ChargeCategory, day},
			rat(t, r.BilledCost.String()), rat(t, r.EffectiveCost.String()), rat(t, r.ListCost.String()))
	}
	return m
}

func TestEverySampleLoadsWithExactTotalsByProviderCategoryAndDay(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.csv")
	if err != nil || len(paths) < 5 {
		t.Fatalf("samples: %v, %v", paths, err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rows, _ := readAll(t, path)
			want := expectedTotals(t, path)
			got := readerTotals(t, rows)
			keys := slices.SortedFunc(maps.Keys(want), func(a, b totalKey) int {
				return strings.Compare(a.provider+a.category+a.day, b.provider+b.category+b.day)
			})
			if len(got) != len(want) {
				t.Errorf("%d groups, want %d: %v", len(got), len(want), slices.Collect(maps.Keys(got)))
			}
			for _, k := range keys {
				w, g := want[k], got[k]
				if g == nil {
					t.Errorf("%v: no rows", k)
					continue
				}
				if g.rows != w.rows || g.billed.Cmp(w.billed) != 0 || g.effective.Cmp(w.effective) != 0 || g.list.Cmp(w.list) != 0 {
					t.Errorf("%v: %d rows, billed %s, effective %s, list %s; want %d, %s, %s, %s", k,
						g.rows, g.billed.RatString(), g.effective.RatString(), g.list.RatString(),
						w.rows, w.billed.RatString(), w.effective.RatString(), w.list.RatString())
				}
			}
		})
	}
}

// TestSampleProviders checks that every provider shows as itself.
func TestSampleProviders(t *testing.T) {
	for file, want := range map[string][]string{
		"focus-1.0-sample-aws-microsoft-oracle.csv": {"AWS", "Microsoft", "Oracle"},
		"aws-focus-1.0-with-aws-columns.csv":        {"AWS"},
		"microsoft-focus-1.0-export.csv":            {"Microsoft"},
		"google-focus-1.3-service-provider.csv":     {"Example Data Inc.", "Google Cloud"},
		"focus-1.2-spec-commitment-flexibility.csv": {""},
	} {
		rows, _ := readAll(t, filepath.Join("testdata", file))
		seen := map[string]bool{}
		for _, r := range rows {
			seen[r.ProviderName] = true
		}
		if got := slices.Sorted(maps.Keys(seen)); !slices.Equal(got, want) {
			t.Errorf("%s: providers %q, want %q", file, got, want)
		}
	}
}

func TestSpecExampleWarnsOfWhatItLacks(t *testing.T) {
	_, warns := readAll(t, "testdata/focus-1.2-spec-commitment-flexibility.csv")
	for _, col := range []string{"ProviderName", "BillingCurrency"} {
		if !slices.ContainsFunc(warns, func(w Warning) bool { return w.Column == col && w.Line == 1 }) {
			t.Errorf("no warning about the missing %s: %v", col, warns)
		}
	}
}

// TestHandCheckedTotal is one total added up by hand from the AWS file:
// 0.0416 + 0 + 0.000000023 - 1.25 + 0.19 + 0.0832.
func TestHandCheckedTotal(t *testing.T) {
	rows, _ := readAll(t, "testdata/aws-focus-1.0-with-aws-columns.csv")
	sum := new(big.Rat)
	for _, r := range rows {
		sum.Add(sum, rat(t, r.BilledCost.String()))
	}
	if want := rat(t, "-0.935199977"); sum.Cmp(want) != 0 {
		t.Fatalf("BilledCost total %s, want -0.935199977", sum.FloatString(9))
	}
}
