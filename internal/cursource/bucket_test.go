package cursource_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/pgzip"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

func openStore(t *testing.T) *duckstore.Store {
	t.Helper()
	s, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// loader reads CUR folders and files into s.
func loader(s *duckstore.Store) *ingest.Loader {
	return &ingest.Loader{Store: s, Format: cursource.Format{}}
}

func load(t *testing.T, s *duckstore.Store, path string) []ingest.Report {
	t.Helper()
	reports, err := loader(s).IngestPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return reports
}

// sums runs a query grouped by one dimension (or by day) and returns the
// cost per group key.
func sums(t *testing.T, s *duckstore.Store, typ cost.CostType, gran cost.Granularity, dim string) map[string]decimal.Decimal {
	t.Helper()
	q := &cost.Query{Type: typ, Granularity: gran}
	if dim != "" {
		d, err := cost.ParseDimension(dim)
		if err != nil {
			t.Fatal(err)
		}
		q.GroupBy = []cost.Dimension{d}
	}
	res, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]decimal.Decimal{}
	for _, row := range res.Rows {
		key := ""
		switch {
		case gran == cost.GranularityDaily:
			key = row.Date.Format(time.DateOnly)
		case gran == cost.GranularityMonthly:
			key = row.Date.Format("2006-01")
		case dim != "":
			key = row.Groups[0]
		}
		out[key] = out[key].Add(row.Cost)
	}
	return out
}

// compare checks every expected group sum against the store, exactly.
func compare(t *testing.T, what string, got map[string]decimal.Decimal, want map[string]synth.Sum, amortized bool) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		exp := want[k].BilledCost
		if amortized {
			exp = want[k].EffectiveCost
		}
		if g := got[k]; g.Cmp(decimal.MustParse(exp)) != 0 {
			t.Errorf("%s %q: store has %s, the generator's exact sum is %s", what, k, g, exp)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && !g.IsZero() {
			t.Errorf("%s %q: store has %s, the generator has no such group", what, k, g)
		}
	}
}

// checkTotals compares the store with the generator's totals by every
// grouping the generator keeps, for actual and amortized cost.
func checkTotals(t *testing.T, s *duckstore.Store, want *synth.Totals) {
	t.Helper()
	for _, amortized := range []bool{false, true} {
		typ := cost.CostActual
		if amortized {
			typ = cost.CostAmortized
		}
		compare(t, "period", sums(t, s, typ, cost.GranularityMonthly, ""), want.ByPeriod, amortized)
		compare(t, "account", sums(t, s, typ, cost.GranularityNone, "SubAccountId"), want.ByAccount, amortized)
		compare(t, "service", sums(t, s, typ, cost.GranularityNone, "ServiceName"), want.ByService, amortized)
		compare(t, "line item type", sums(t, s, typ, cost.GranularityNone, "x_LineItemType"), want.ByLineItemType, amortized)
		compare(t, "day", sums(t, s, typ, cost.GranularityDaily, ""), want.ByDay, amortized)
		byKey := map[string]map[string]synth.Sum{}
		for kv, sum := range want.ByTag {
			k, v, _ := strings.Cut(kv, "=")
			if byKey[k] == nil {
				byKey[k] = map[string]synth.Sum{}
			}
			byKey[k][v] = sum
		}
		for k, values := range byKey {
			got := sums(t, s, typ, cost.GranularityNone, "tag:"+k)
			delete(got, "") // untagged rows
			compare(t, "tag "+k, got, values, amortized)
		}
	}
}

func TestBucketLoadsEachPeriodsCurrentVersionExactly(t *testing.T) {
	for _, layout := range []synth.Versioning{synth.CreateNewReport, synth.OverwriteReport} {
		t.Run(string(layout), func(t *testing.T) {
			bucket := t.TempDir()
			want, err := synth.WriteBucket(bucket, synth.Options{
				Seed: 7, Months: 2, RowsPerMonth: 3000, Versions: 3, FilesPerVersion: 2,
				NetColumns: true, Prefix: "billing/cur", Versioning: layout,
			})
			if err != nil {
				t.Fatal(err)
			}
			s := openStore(t)
			reports := load(t, s, bucket)
			if len(reports) != 2 {
				t.Fatalf("loaded %d periods, want 2", len(reports))
			}
			var rows int64
			for _, r := range reports {
				rows += r.Rows
			}
			if rows != want.Rows {
				t.Errorf("loaded %d rows, the current versions have %d", rows, want.Rows)
			}
			checkTotals(t, s, want)
		})
	}
}

func TestLoadingTheSameVersionAgainDoesNothing(t *testing.T) {
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 3, RowsPerMonth: 500})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	load(t, s, bucket)
	for _, r := range load(t, s, bucket) {
		if !r.Skipped {
			t.Errorf("period %s was loaded again", r.Period)
		}
	}
	checkTotals(t, s, want)
}

func TestARestatedPeriodReplacesTheOldOne(t *testing.T) {
	for _, layout := range []synth.Versioning{synth.CreateNewReport, synth.OverwriteReport} {
		t.Run(string(layout), func(t *testing.T) {
			bucket := t.TempDir()
			opts := synth.Options{Seed: 1, RowsPerMonth: 800, Versioning: layout}
			if _, err := synth.WriteBucket(bucket, opts); err != nil {
				t.Fatal(err)
			}
			s := openStore(t)
			load(t, s, bucket)
			opts.Seed = 2 // version B: different numbers, same report and period
			wantB, err := synth.WriteBucket(bucket, opts)
			if err != nil {
				t.Fatal(err)
			}
			reports := load(t, s, bucket)
			if len(reports) != 1 || reports[0].Skipped {
				t.Fatalf("reports = %+v, want one loaded period", reports)
			}
			checkTotals(t, s, wantB)
		})
	}
}

func TestAPrefixFolderLoadsLikeTheBucket(t *testing.T) {
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 5, RowsPerMonth: 400, Prefix: "a/b"})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	load(t, s, filepath.Join(bucket, "a", "b", "reckon-cur"))
	checkTotals(t, s, want)
}

func TestASingleFileLoadsByItsRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cur.csv.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := pgzip.NewWriter(f)
	want, err := synth.WriteCSV(zw, synth.Options{Seed: 9, Months: 2, RowsPerMonth: 1500, NetColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s := openStore(t)
	reports := load(t, s, path)
	if len(reports) != 2 {
		t.Fatalf("got %d period reports, want 2", len(reports))
	}
	checkTotals(t, s, want)
	for _, r := range load(t, s, path) {
		if !r.Skipped {
			t.Errorf("the same file was loaded again: %+v", r)
		}
	}
	checkTotals(t, s, want)
}

func TestAFolderWithoutManifestsSaysWhatItExpected(t *testing.T) {
	_, err := loader(openStore(t)).IngestPath(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "-Manifest.json") {
		t.Fatalf("error = %v, want one that names the manifest layout", err)
	}
}
