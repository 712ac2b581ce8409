package ingest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/ingest"
)

// TestRowsChargedOutsideTheirBillingPeriodAreCountedPerPeriod: usage dated
// December in an August bill, and usage from 1970 to 9999, load with a
// warning that names the file and line of the first, and each period's
// report counts its own; a row a few hours past its period does not count.
func TestRowsChargedOutsideTheirBillingPeriodAreCountedPerPeriod(t *testing.T) {
	s := openStore(t)
	path := write(t, t.TempDir(), "dates.txt",
		"222,2026-08,1",
		"222,2026-08,1,2026-12-15T00:00:00Z,2026-12-15T01:00:00Z",
		"222,2026-08,1,2026-07-31T12:00:00Z,2026-08-01T00:00:00Z",
		"222,2026-09,1,2026-09-30T23:00:00Z,2026-10-01T12:00:00Z",
		"222,2026-09,1,1970-01-01T00:00:00Z,9999-12-31T00:00:00Z",
		"222,2026-09,1,2026-09-01T00:00:00Z,2026-10-02T00:00:01Z",
		"222,2026-08,1,2026-06-01T00:00:00Z,2026-06-01T01:00:00Z")
	reports, err := (&ingest.Loader{Store: s, Format: lines{}}).IngestPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].OutsidePeriod != 2 || reports[1].OutsidePeriod != 2 {
		t.Fatalf("reports = %+v, want 2 rows outside the period in each", reports)
	}
	for i, want := range []string{
		path + ": line 2: 2 rows are charged outside the billing period 2026-08-01..2026-08-31 by more than a day, the first from 2026-12-15T00:00:00Z to 2026-12-15T01:00:00Z",
		path + ": line 5: 2 rows are charged outside the billing period 2026-09-01..2026-09-30 by more than a day, the first from 1970-01-01T00:00:00Z to 9999-12-31T00:00:00Z",
	} {
		if got := strings.Join(reports[i].Warnings, "\n"); !strings.Contains(got, want) || strings.Count(got, "charged outside") != 1 {
			t.Errorf("period %d: warnings %q, want only %q", i, reports[i].Warnings, want)
		}
	}
	wantTotal(t, s, "7")
}

// TestLeftoverDownloadsAreRemovedAtEachCollection: a collection killed
// mid-download left its folder in the data folder's tmp/, and neither a
// restart nor the next collection removed it.
func TestLeftoverDownloadsAreRemovedAtEachCollection(t *testing.T) {
	s, tmp := openStore(t), t.TempDir()
	leftover := filepath.Join(tmp, "collect-1234567")
	if err := os.MkdirAll(leftover, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, leftover, "0-hourly-1.csv.gz", strings.Repeat("x", 1<<20))
	keep := []string{write(t, tmp, "spill-dims-42", "the store's"), write(t, tmp, "notes.txt", "the user's")}
	remote := &served{files: map[string]string{"k1": "111,2026-08,5\n"}}
	remote.deliveries = []*ingest.Delivery{{Source: "lines/111/cur", Report: "cur", BillingAccount: "111", Version: "a1",
		Period: ingest.Period{Start: mustMonth(t, "2026-08"), End: mustMonth(t, "2026-09")}, Files: []string{"k1"}}}
	l := &ingest.Loader{Store: s, TempDir: tmp}

	// A sweep while a collection downloads (another collection of this
	// process starting) keeps that collection's folder.
	sweeping := &sweepingRemote{served: remote, dir: tmp}
	if _, err := l.Collect(context.Background(), sweeping); err != nil {
		t.Fatalf("a sweep during the download broke the collection: %v", err)
	}
	if sweeping.err != nil {
		t.Fatal(sweeping.err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("the leftover download is still there: %v", err)
	}
	wantTotal(t, s, "5")

	// An unchanged version downloads nothing, and still removes leftovers.
	if err := os.MkdirAll(leftover, 0o755); err != nil {
		t.Fatal(err)
	}
	reports, err := l.Collect(context.Background(), remote)
	if err != nil || len(reports) != 1 || !reports[0].Skipped {
		t.Fatalf("reports %+v, %v; want the version skipped", reports, err)
	}
	entries, _ := os.ReadDir(tmp)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "notes.txt spill-dims-42" {
		t.Errorf("tmp holds %v, want only what is not a download", names)
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if err := ingest.RemoveDownloads(filepath.Join(tmp, "missing")); err != nil {
		t.Errorf("a missing folder: %v", err)
	}
}

// sweepingRemote runs RemoveDownloads in the middle of each download.
type sweepingRemote struct {
	*served
	dir string
	err error
}

func (r *sweepingRemote) Download(ctx context.Context, key string, w io.Writer, reset func() error) (int64, error) {
	if err := ingest.RemoveDownloads(r.dir); err != nil {
		r.err = err
	}
	return r.served.Download(ctx, key, w, reset)
}
