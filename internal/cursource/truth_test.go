package cursource_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// One truth per payer and billing period: whatever is loaded, a period of a
// billing account is counted once, and nothing is replaced or emptied
// without a word.

func TestAFileOfALoadedBucketIsRefusedOrReplacesIt(t *testing.T) {
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 11, RowsPerMonth: 1200, NetColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	load(t, s, bucket)
	file := deliveries(t, bucket)[0].Files[0]
	ctx := context.Background()

	_, err = loader(s).IngestPath(ctx, file)
	if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "aws-cur/012345678901/reckon-cur") ||
		!strings.Contains(err.Error(), "--replace") {
		t.Fatalf("loading %s after its bucket: %v; want a refusal naming the bucket's report and --replace", file, err)
	}
	checkTotals(t, s, want)

	l := loader(s)
	l.Replace = true
	reports, err := l.IngestPath(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Source != "aws-cur/012345678901" ||
		strings.Join(reports[0].Replaced, ",") != "aws-cur/012345678901/reckon-cur" {
		t.Fatalf("reports = %+v, want the file's period, replacing the bucket's report", reports)
	}
	checkTotals(t, s, want) // the file is the whole delivery: its total, once
}

func TestABucketWithTwoReportsOfOnePayerLoadsOne(t *testing.T) {
	bucket := t.TempDir()
	if _, err := synth.WriteBucket(bucket, synth.Options{Seed: 21, RowsPerMonth: 900, ReportName: "hourly"}); err != nil {
		t.Fatal(err)
	}
	daily, err := synth.WriteBucket(bucket, synth.Options{Seed: 22, RowsPerMonth: 700, ReportName: "daily"})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	ctx := context.Background()

	_, err = loader(s).IngestPath(ctx, bucket)
	if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "daily, hourly") || !strings.Contains(err.Error(), "--report NAME") {
		t.Fatalf("error = %v, want a refusal listing daily and hourly and saying --report NAME", err)
	}
	wantBilled(t, s, "0")

	l := loader(s)
	l.Report = "daily"
	reports, err := l.IngestPath(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Source != "aws-cur/012345678901/daily" || len(reports[0].Warnings) != 1 ||
		!strings.Contains(reports[0].Warnings[0], "report hourly") {
		t.Fatalf("reports = %+v, want daily loaded and a warning naming hourly", reports)
	}
	checkTotals(t, s, daily)

	reports = load(t, s, bucket) // no --report: the store holds daily
	if len(reports) != 1 || !reports[0].Skipped || reports[0].Source != "aws-cur/012345678901/daily" {
		t.Fatalf("reports = %+v, want daily, unchanged", reports)
	}
	checkTotals(t, s, daily)
}

func TestAnEmptyRestatementIsRefusedUnlessAllowed(t *testing.T) {
	for _, c := range []struct {
		name    string
		restate func(t *testing.T, bucket string, m map[string]any)
	}{
		{"whose reportKeys is empty", func(_ *testing.T, _ string, m map[string]any) { m["reportKeys"] = []string{} }},
		{"whose file holds only a header", func(t *testing.T, bucket string, m map[string]any) {
			key := "reckon-cur/20260801-20260901/restated/reckon-cur-1.csv"
			path := filepath.Join(bucket, filepath.FromSlash(key))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			header := strings.Join(synth.Header(false), ",") + "\n"
			if err := os.WriteFile(path, []byte(header), 0o644); err != nil {
				t.Fatal(err)
			}
			m["reportKeys"] = []string{key}
		}},
	} {
		t.Run("a manifest "+c.name, func(t *testing.T) {
			bucket := t.TempDir()
			want, err := synth.WriteBucket(bucket, synth.Options{Seed: 31, RowsPerMonth: 800})
			if err != nil {
				t.Fatal(err)
			}
			s := openStore(t)
			load(t, s, bucket)
			manifest := deliveries(t, bucket)[0].Origin
			restate(t, manifest, func(m map[string]any) {
				m["assemblyId"] = "restated"
				c.restate(t, bucket, m)
			})

			_, err = loader(s).IngestPath(context.Background(), bucket)
			if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "--allow-empty") {
				t.Fatalf("error = %v, want a refusal saying --allow-empty", err)
			}
			checkTotals(t, s, want)

			l := loader(s)
			l.AllowEmpty = true
			reports, err := l.IngestPath(context.Background(), bucket)
			if err != nil {
				t.Fatal(err)
			}
			if len(reports) != 1 || reports[0].Rows != 0 || reports[0].Version != "restated" {
				t.Fatalf("reports = %+v, want the month loaded empty", reports)
			}
			wantBilled(t, s, "0")
		})
	}
}

// deliveries lists a bucket's current deliveries as the loader finds them.
func deliveries(t *testing.T, bucket string) []*ingest.Delivery {
	t.Helper()
	ds, err := cursource.Format{}.Find(bucket)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// restate rewrites a manifest in place.
func restate(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantBilled checks the store's billed cost over everything.
func wantBilled(t *testing.T, s *duckstore.Store, want string) {
	t.Helper()
	got := sums(t, s, cost.CostActual, cost.GranularityNone, "")[""]
	if got.Cmp(decimal.MustParse(want)) != 0 {
		t.Errorf("the store holds %s billed, want %s", got, want)
	}
}
