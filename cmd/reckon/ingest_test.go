package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestIngestFlagsChooseAReportReplaceAndEmpty runs reckon ingest's one-truth
// rules through the command line: --report, --replace and --allow-empty.
func TestIngestFlagsChooseAReportReplaceAndEmpty(t *testing.T) {
	bucket, data := t.TempDir(), t.TempDir()
	if _, err := synth.WriteBucket(bucket, synth.Options{Seed: 51, RowsPerMonth: 400, ReportName: "hourly"}); err != nil {
		t.Fatal(err)
	}
	daily, err := synth.WriteBucket(bucket, synth.Options{Seed: 52, RowsPerMonth: 300, ReportName: "daily"})
	if err != nil {
		t.Fatal(err)
	}
	wantStore := func(want string) {
		t.Helper()
		if got, _ := storeTotal(t, data); got.Cmp(decimal.MustParse(want)) != 0 {
			t.Errorf("the store holds %s billed, want %s", got, want)
		}
	}
	step := func(name string, wantCode int, wantOut string, args ...string) {
		t.Helper()
		code, stdout, stderr := cli(t, append([]string{"ingest", "--data", data}, args...)...)
		if code != wantCode || !strings.Contains(stdout+stderr, wantOut) {
			t.Fatalf("%s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", name, code, wantCode, wantOut, stdout, stderr)
		}
	}

	step("two reports, none named", 1, "Name the one to load with --report NAME", bucket)
	wantStore("0")
	step("--report daily", 0, "warning: report hourly (1 billing periods) was not loaded", "--report", "daily", bucket)
	wantStore(daily.BilledCost)
	step("the bucket again", 0, "unchanged", bucket)
	wantStore(daily.BilledCost)

	file := filepath.Join(bucket, "daily", "20260801-20260901")
	manifest := readManifest(t, filepath.Join(file, "daily-Manifest.json"))
	file = filepath.Join(bucket, filepath.FromSlash(manifest["reportKeys"].([]any)[0].(string)))
	step("a file of the loaded report", 1, "already loaded from aws-cur/012345678901/daily", file)
	wantStore(daily.BilledCost)
	step("--replace", 0, "replaced aws-cur/012345678901/daily", "--replace", file)
	wantStore(daily.BilledCost)

	// A restatement of daily with no files: refused, then allowed. The file
	// holds the month now, so the restatement must replace it too.
	manifest["reportKeys"], manifest["assemblyId"] = []string{}, "restated"
	writeManifest(t, filepath.Join(bucket, "daily", "20260801-20260901", "daily-Manifest.json"), manifest)
	step("an empty restatement", 1, "--allow-empty", "--report", "daily", "--replace", bucket)
	wantStore(daily.BilledCost)
	step("--allow-empty", 0, "loaded 0 rows", "--report", "daily", "--replace", "--allow-empty", bucket)
	wantStore("0")
}

func readManifest(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func writeManifest(t *testing.T, path string, m map[string]any) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
