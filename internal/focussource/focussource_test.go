package focussource_test

import (
	"context"
	"encoding/csv"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/focussource"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// samples are the FOCUS files of internal/focusfile/testdata that a store
// can hold (the specification's example has no ProviderName).
var samples = []string{
	"aws-focus-1.0-with-aws-columns.csv",
	"focus-1.0-sample-aws-microsoft-oracle.csv",
	"google-focus-1.3-service-provider.csv",
	"microsoft-focus-1.0-export.csv",
}

const testdata = "../focusfile/testdata"

func openStore(t *testing.T) *duckstore.Store {
	t.Helper()
	s, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{Threads: 1, MemoryLimit: "256MB"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func loader(s *duckstore.Store) *ingest.Loader {
	return &ingest.Loader{Store: s, Format: focussource.Format{}}
}

// expected sums a FOCUS file's BilledCost and EffectiveCost by a key of
// each row, reading it with encoding/csv and big.Rat: nothing of Reckon's
// readers.
func expected(t *testing.T, path string, key func(col func(string) string) string) map[string][2]*big.Rat {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for i, name := range recs[0] {
		index[strings.TrimPrefix(name, "\ufeff")] = i
	}
	out := map[string][2]*big.Rat{}
	for _, rec := range recs[1:] {
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		col := func(name string) string {
			i, ok := index[name]
			if !ok || i >= len(rec) || strings.EqualFold(rec[i], "null") {
				return ""
			}
			return rec[i]
		}
		k := key(col)
		sums, ok := out[k]
		if !ok {
			sums = [2]*big.Rat{new(big.Rat), new(big.Rat)}
			out[k] = sums
		}
		for i, name := range []string{"BilledCost", "EffectiveCost"} {
			v := col(name)
			if v == "" && name == "EffectiveCost" {
				v = col("BilledCost")
			}
			x, ok := new(big.Rat).SetString(v)
			if !ok {
				t.Fatalf("%s: %s %q is not a number", path, name, v)
			}
			sums[i].Add(sums[i], x)
		}
	}
	return out
}

// subAccount is the key Reckon gives a row's SubAccountId: Microsoft's ARM
// path /subscriptions/<GUID> becomes the GUID in lower case.
func subAccount(col func(string) string) string {
	v := col("SubAccountId")
	if col("ProviderName") == "Microsoft" && strings.HasPrefix(strings.ToLower(v), "/subscriptions/") {
		return strings.ToLower(v[len("/subscriptions/"):])
	}
	return v
}

func provider(col func(string) string) string {
	if p := col("ServiceProviderName"); p != "" {
		return p
	}
	return col("ProviderName")
}

func TestEveryFOCUSSampleLoadsWithExactTotals(t *testing.T) {
	groupings := []struct {
		column string
		key    func(col func(string) string) string
	}{
		{"ProviderName", provider},
		{"SubAccountId", subAccount},
		{"ServiceName", func(col func(string) string) string { return col("ServiceName") }},
		{"ChargeCategory", func(col func(string) string) string { return col("ChargeCategory") }},
		{"Day", func(col func(string) string) string { return col("ChargePeriodStart")[:10] }},
	}
	for _, name := range samples {
		t.Run(name, func(t *testing.T) {
			s := openStore(t)
			path := filepath.Join(testdata, name)
			if _, err := loader(s).IngestPath(context.Background(), path); err != nil {
				t.Fatal(err)
			}
			for _, g := range groupings {
				want := expected(t, path, g.key)
				got := totals(t, s, g.column)
				if len(got) != len(want) {
					t.Errorf("by %s: %d groups %v, want %d %v", g.column, len(got), got, len(want), want)
				}
				for k, w := range want {
					for i, typ := range []string{"BilledCost", "EffectiveCost"} {
						sums, ok := got[k]
						if !ok || sums[i].Cmp(w[i]) != 0 {
							t.Errorf("by %s, %q: %s %v, want %s", g.column, k, typ, sums, w[i].FloatString(18))
						}
					}
				}
			}
		})
	}
}

// totals queries the store's BilledCost and EffectiveCost by a column, or
// by day.
func totals(t *testing.T, s *duckstore.Store, column string) map[string][2]*big.Rat {
	t.Helper()
	out := map[string][2]*big.Rat{}
	for i, typ := range []cost.CostType{cost.CostActual, cost.CostAmortized} {
		q := &cost.Query{Type: typ, Granularity: cost.GranularityNone}
		if column == "Day" {
			q.Granularity = cost.GranularityDaily
		} else {
			q.GroupBy = []cost.Dimension{{Column: column}}
		}
		res, err := s.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rows {
			k := ""
			if column == "Day" {
				k = r.Date.Format("2006-01-02")
			} else {
				k = r.Groups[0]
			}
			sums, ok := out[k]
			if !ok {
				sums = [2]*big.Rat{new(big.Rat), new(big.Rat)}
				out[k] = sums
			}
			v, _ := new(big.Rat).SetString(r.Cost.String())
			sums[i].Add(sums[i], v)
		}
	}
	return out
}
