package azexport

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// Every Azure fixture, loaded into a store on disk, gives the totals of
// its raw cells (encoding/csv and big.Rat, rawTotals) by subscription,
// service, charge category, day and currency: what the reader maps, the
// store keeps and sums exactly.
func TestFixturesLoadIntoAStoreWithExactTotals(t *testing.T) {
	fixtures := map[string]bool{"testdata/ea-actual.csv": false, "testdata/mca-amortized.csv": true}
	koku, _ := filepath.Glob(kokuDir + "/*.csv")
	for _, p := range koku {
		fixtures[p] = false
	}
	for path, amortized := range fixtures {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ctx := context.Background()
			s, err := duckstore.Open(ctx, t.TempDir(), duckstore.Options{Threads: 1, MemoryLimit: "256MB"})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rd, err := NewReader(f, path, Options{Amortized: amortized})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "azure-test", Version: "1", Origin: path}, rd); err != nil {
				t.Fatal(err)
			}
			wantBilled, wantEffective := rawTotals(t, readRaw(t, path), amortized)
			for typ, want := range map[cost.CostType]totals{cost.CostActual: wantBilled, cost.CostAmortized: wantEffective} {
				got := storeTotals(t, s, typ)
				delete(want, "tag")
				compareTotals(t, string(typ)+" in the store", got, want)
			}
		})
	}
}

// storeTotals queries the store by the dimensions rawTotals keeps.
func storeTotals(t *testing.T, s *duckstore.Store, typ cost.CostType) totals {
	t.Helper()
	out := totals{}
	for dim, column := range map[string]string{"all": "", "subscription": "SubAccountId", "service": "ServiceName",
		"charge category": "ChargeCategory", "day": "", "currency": ""} {
		q := &cost.Query{Type: typ, Granularity: cost.GranularityNone}
		if column != "" {
			q.GroupBy = []cost.Dimension{{Column: column}}
		}
		if dim == "day" {
			q.Granularity = cost.GranularityDaily
		}
		res, err := s.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rows {
			key := ""
			switch dim {
			case "day":
				key = r.Date.Format(time.DateOnly)
			case "currency":
				key = r.Currency
			case "all":
			default:
				key = r.Groups[0]
			}
			v, _ := new(big.Rat).SetString(r.Cost.String())
			out.add(dim, key, v)
		}
	}
	return out
}
