package main

import (
	"compress/gzip"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// leaveDownload puts what a collection killed mid-download leaves in a data
// folder, and returns its folder.
func leaveDownload(t *testing.T, data string) string {
	t.Helper()
	dir := filepath.Join(data, "tmp", "collect-3141592653")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "0-reckon-1.csv.gz"), make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func wantGone(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s is still there (%v)", path, err)
	}
}

func gzipFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(text))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestIngestRemovesLeftoverDownloads: reckon ingest, like aws collect and
// serve, starts by removing what a killed collection left in DATA/tmp.
func TestIngestRemovesLeftoverDownloads(t *testing.T) {
	bucket, data := t.TempDir(), t.TempDir()
	if _, err := synth.WriteBucket(bucket, synth.Options{Seed: 71, RowsPerMonth: 100}); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := cli(t, "ingest", "--data", data, bucket); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	leftover := leaveDownload(t, data)
	if code, out, stderr := cli(t, "ingest", "--data", data, bucket); code != 0 || !strings.Contains(out, "unchanged") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	wantGone(t, leftover)
}

// TestIngestCLIWarnsOfDatesAndRefusesHostileFiles runs the probe's files
// through reckon ingest: dates outside the bill are counted on the period's
// line and named in a warning; a key leading out of the folder and text
// that is not UTF-8 are refused, naming where, and the store keeps what it
// had.
func TestIngestCLIWarnsOfDatesAndRefusesHostileFiles(t *testing.T) {
	bucket, data := t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 72, RowsPerMonth: 100})
	if err != nil {
		t.Fatal(err)
	}
	period := filepath.Join(bucket, "reckon-cur", "20260801-20260901")
	manifestPath := filepath.Join(period, "reckon-cur-Manifest.json")
	if code, out, stderr := cli(t, "ingest", "--data", data, bucket); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	pointTo := func(version, file, text string) {
		t.Helper()
		if text != "" {
			gzipFile(t, filepath.Join(period, file), text)
		}
		m := readManifest(t, manifestPath)
		m["assemblyId"], m["reportKeys"] = version, []string{"reckon-cur/20260801-20260901/" + file}
		writeManifest(t, manifestPath, m)
	}
	const head = "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/UnblendedCost,lineItem/LineItemDescription\n"
	row := func(start, end, description string) string {
		return "012345678901,2026-08-01T00:00:00Z,Usage," + start + "," + end + ",2," + description + "\n"
	}

	pointTo("bad-utf8", "utf8.csv.gz", head+row("2026-08-02T00:00:00Z", "2026-08-02T01:00:00Z", "caf\xff\xfe"))
	code, out, stderr := cli(t, "ingest", "--data", data, bucket)
	if code != 1 || !strings.Contains(stderr, "utf8.csv.gz: line 2, column lineItem/LineItemDescription: invalid UTF-8: byte 0xff") {
		t.Fatalf("invalid UTF-8: exit %d\n%s\n%s", code, out, stderr)
	}
	pointTo("climbing", "../../../../../../../../etc/passwd", "")
	code, out, stderr = cli(t, "ingest", "--data", data, bucket)
	if code != 1 || !strings.Contains(stderr, manifestPath) || !strings.Contains(stderr, `"reckon-cur/20260801-20260901/../../../../../../../../etc/passwd" has a ".." segment`) {
		t.Fatalf("a climbing key: exit %d\n%s\n%s", code, out, stderr)
	}
	if got, _ := storeTotal(t, data); got.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Fatalf("the store holds %s, want the first load's %s", got, want.BilledCost)
	}

	pointTo("dates", "dates.csv.gz", head+row("2026-08-02T00:00:00Z", "2026-08-02T01:00:00Z", "inside")+
		row("2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z", "december")+row("1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "forever"))
	code, out, stderr = cli(t, "ingest", "--data", data, bucket)
	if code != 0 || !strings.Contains(out, "loaded 3 rows (2 charged outside the billing period)") ||
		!strings.Contains(out, "warning: "+filepath.Join(period, "dates.csv.gz")+": line 3: 2 rows are charged outside the billing period 2026-08-01..2026-08-31") {
		t.Fatalf("dates: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestCollectCLIRemovesLeftoverDownloads: a leftover download survived a
// restart and a later successful collection; reckon aws collect now
// removes it, even when nothing changed.
func TestCollectCLIRemovesLeftoverDownloads(t *testing.T) {
	const ext = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"
	dir := t.TempDir()
	if _, err := synth.WriteBucket(dir, synth.Options{Seed: 73, RowsPerMonth: 100, ReportName: "reckon", Prefix: "cur"}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(awsemu.New(emulatorState(dir, ext), nil))
	defer hs.Close()
	setAWSTestEnv(t)
	t.Setenv("RECKON_EXT_ID", ext)
	data := t.TempDir()
	args := []string{"aws", "collect", "--data", data, "--role-arn", testRoleARN, "--external-id-env", "RECKON_EXT_ID", "--report", "reckon", "--endpoint", hs.URL}
	if code, out, stderr := cli(t, args...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	leftover := leaveDownload(t, data)
	if code, out, stderr := cli(t, args...); code != 0 || !strings.Contains(out, "unchanged") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	wantGone(t, leftover)
}
