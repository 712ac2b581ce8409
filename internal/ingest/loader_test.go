package ingest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/ingest"
)

func TestAFolderLoadsEachDeliveryOnceAndReplacesItByVersion(t *testing.T) {
	dir, s := t.TempDir(), openStore(t)
	write(t, dir, "111_hourly_2026-08_v1.txt", "111,2026-08,10", "111,2026-08,2.5")
	write(t, dir, "111_hourly_2026-09_v1.txt", "111,2026-09,7")
	l := &ingest.Loader{Store: s, Format: lines{}}
	ctx := context.Background()
	reports, err := l.IngestPath(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].Rows != 2 || reports[0].Source != "lines/111/hourly" || reports[0].Period.Start.Month() != 8 {
		t.Fatalf("reports = %+v, want two loaded periods", reports)
	}
	wantTotal(t, s, "19.5")
	reports, err = l.IngestPath(ctx, dir)
	if err != nil || !reports[0].Skipped || !reports[1].Skipped {
		t.Fatalf("loading the same versions again: %+v, %v; want both skipped", reports, err)
	}
	os.Remove(filepath.Join(dir, "111_hourly_2026-08_v1.txt"))
	write(t, dir, "111_hourly_2026-08_v2.txt", "111,2026-08,1")
	if _, err := l.IngestPath(ctx, dir); err != nil {
		t.Fatal(err)
	}
	wantTotal(t, s, "8")
}

func TestARowOutsideItsDeliverysPeriodIsRefused(t *testing.T) {
	dir, s := t.TempDir(), openStore(t)
	write(t, dir, "111_hourly_2026-08_v1.txt", "111,2026-08,10", "111,2026-09,1")
	_, err := (&ingest.Loader{Store: s, Format: lines{}}).IngestPath(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "2026-09-01") {
		t.Fatalf("error = %v, want one naming line 2 and its billing period", err)
	}
	wantTotal(t, s, "0")
}

func TestADeliveryThatDoesNotNameItsAccountTakesItFromItsRows(t *testing.T) {
	dir, s := t.TempDir(), openStore(t)
	write(t, dir, "111_hourly_2026-08_v1.txt", "111,2026-08,10")
	l := &ingest.Loader{Store: s, Format: lines{}}
	if _, err := l.IngestPath(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	// Another report of the same account, whose delivery names no account:
	// the first row says 111, so the one-truth rule applies to it.
	other := t.TempDir()
	write(t, other, "-_export_2026-08_e1.txt", "111,2026-08,4")
	_, err := l.IngestPath(context.Background(), other)
	if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "lines/111/hourly") {
		t.Fatalf("error = %v, want a conflict naming lines/111/hourly", err)
	}
	wantTotal(t, s, "10")
}

func TestASingleFileTakesItsPeriodsFromItsRows(t *testing.T) {
	s := openStore(t)
	path := write(t, t.TempDir(), "one.txt", "222,2026-08,1", "222,2026-09,2", "222,2026-09,3")
	reports, err := (&ingest.Loader{Store: s, Format: lines{}}).IngestPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[1].Rows != 2 || reports[0].Source != "lines/222" {
		t.Fatalf("reports = %+v, want two periods of lines/222", reports)
	}
	wantTotal(t, s, "6")
}

func TestSeveralReportsOfOneAccountLoadOne(t *testing.T) {
	dir, s := t.TempDir(), openStore(t)
	write(t, dir, "111_daily_2026-08_d1.txt", "111,2026-08,10")
	write(t, dir, "111_hourly_2026-08_h1.txt", "111,2026-08,10.5")
	write(t, dir, "222_only_2026-08_o1.txt", "222,2026-08,1")
	ctx := context.Background()
	_, err := (&ingest.Loader{Store: s, Format: lines{}}).IngestPath(ctx, dir)
	if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "daily, hourly") || !strings.Contains(err.Error(), "--report") {
		t.Fatalf("error = %v, want a refusal listing daily and hourly and saying --report", err)
	}
	wantTotal(t, s, "0")
	reports, err := (&ingest.Loader{Store: s, Format: lines{}, Report: "hourly"}).IngestPath(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Source != "lines/111/hourly" || len(reports[0].Warnings) != 2 ||
		!strings.Contains(reports[0].Warnings[0], "report only") || !strings.Contains(reports[0].Warnings[1], "report daily") {
		t.Fatalf("reports = %+v, want hourly loaded with warnings about only and daily", reports)
	}
	wantTotal(t, s, "10.5")
	// Without --report, the report the store holds goes on being loaded.
	reports, err = (&ingest.Loader{Store: s, Format: lines{}}).IngestPath(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || !reports[0].Skipped || reports[0].Source != "lines/111/hourly" || reports[1].Source != "lines/222/only" {
		t.Fatalf("reports = %+v, want hourly skipped and only loaded", reports)
	}
	wantTotal(t, s, "11.5")
	if _, err := (&ingest.Loader{Store: s, Format: lines{}, Report: "weekly"}).IngestPath(ctx, dir); err == nil ||
		!strings.Contains(err.Error(), "daily, hourly, only") {
		t.Fatalf("error = %v, want one listing the reports there are", err)
	}
}

// served is a Remote over deliveries held in memory.
type served struct {
	lines
	deliveries []*ingest.Delivery
	files      map[string]string
	downloads  int
}

func (r *served) Deliveries(context.Context) ([]*ingest.Delivery, error) { return r.deliveries, nil }

func (r *served) Download(_ context.Context, key string, w io.Writer, _ func() error) (int64, error) {
	r.downloads++
	n, err := io.WriteString(w, r.files[key])
	return int64(n), err
}

func TestACollectionReplacesOtherSourcesOfItsAccountAndSaysSo(t *testing.T) {
	dir, s := t.TempDir(), openStore(t)
	ctx := context.Background()
	var registered []cost.LoadedAccount
	l := &ingest.Loader{Store: s, Format: lines{}, TempDir: t.TempDir(),
		Register: func(_ context.Context, _ cost.CatalogTx, found []cost.LoadedAccount) error {
			registered = append(registered, found...)
			return nil
		}}
	if _, err := l.IngestPath(ctx, write(t, dir, "file.txt", "111,2026-08,3")); err != nil {
		t.Fatal(err)
	}
	remote := &served{files: map[string]string{"k1": "111,2026-08,5\n111,2026-08,0.25\n"}, deliveries: []*ingest.Delivery{{
		Source: "lines/111/cur", Report: "cur", BillingAccount: "111", Version: "a1", Origin: "remote manifest",
		Period: ingest.Period{Start: mustMonth(t, "2026-08"), End: mustMonth(t, "2026-09")}, Files: []string{"k1"}}}}
	reports, err := l.Collect(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Rows != 2 || len(reports[0].Replaced) != 1 || reports[0].Replaced[0] != "lines/111" {
		t.Fatalf("reports = %+v, want one period that replaced lines/111", reports)
	}
	wantTotal(t, s, "5.25")
	if len(registered) != 2 || registered[1].BillingAccountID != "111" {
		t.Errorf("Register saw %+v, want the accounts of both loads", registered)
	}
	if reports, err := l.Collect(ctx, remote); err != nil || !reports[0].Skipped || remote.downloads != 1 {
		t.Fatalf("collecting an unchanged version: %+v, %v, %d downloads; want it skipped without downloading", reports, err, remote.downloads)
	}
	entries, _ := os.ReadDir(l.TempDir)
	if len(entries) != 0 {
		t.Errorf("the downloads were left in %s: %v", l.TempDir, entries)
	}
}
