package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/synth"
)

// A FOCUS export of a folder holding AWS, Azure and FOCUS data, loaded with
// reckon ingest into a fresh data folder, gives the same totals by every
// dimension, in every currency: the round trip through the commands a user
// runs.
func TestAnExportIngestedIntoAFreshFolderGivesTheSameTotals(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	bucket, azure := t.TempDir(), t.TempDir()
	if _, err := synth.WriteBucket(bucket, synth.Options{Seed: 9, RowsPerMonth: 800, NetColumns: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.WriteAzureExports(azure, synth.DemoAzureOptions(now)); err != nil {
		t.Fatal(err)
	}
	focus := filepath.Join("..", "..", "internal", "focusfile", "testdata", "microsoft-focus-1.0-export.csv")
	first, second := t.TempDir(), t.TempDir()
	for _, path := range []string{bucket, azure, focus} {
		if code, _, stderr := cli(t, "ingest", "--data", first, path); code != 0 {
			t.Fatalf("ingest %s: %s", path, stderr)
		}
	}
	file := filepath.Join(t.TempDir(), "export.csv")
	if code, _, stderr := cli(t, "export", "--data", first, "--format", "focus-csv", "--out", file); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	if code, out, stderr := cli(t, "ingest", "--data", second, file); code != 0 || !strings.Contains(out, "focus/") {
		t.Fatalf("ingest the export: %d %s%s", code, out, stderr)
	}
	// The Parquet export reads back the same way, into a third folder.
	third, parquet := t.TempDir(), filepath.Join(t.TempDir(), "export.parquet")
	if code, _, stderr := cli(t, "export", "--data", first, "--format", "focus-parquet", "--out", parquet); code != 0 {
		t.Fatalf("export Parquet: %s", stderr)
	}
	if code, out, stderr := cli(t, "ingest", "--data", third, parquet); code != 0 || !strings.Contains(out, "focus/") {
		t.Fatalf("ingest the Parquet export: %d %s%s", code, out, stderr)
	}
	sameTotals(t, first, second, "the CSV export")
	sameTotals(t, first, third, "the Parquet export")
	// Tags and the other sources' x_ columns come through too.
	for _, tag := range []string{"tag:env", "tag:team"} {
		args := []string{"query", "--group-by", tag, "--format", "csv"}
		_, a, _ := cli(t, append(args, "--data", first)...)
		_, b, _ := cli(t, append(args, "--data", second)...)
		_, c, _ := cli(t, append(args, "--data", third)...)
		if a != b || a != c {
			t.Errorf("by %s: %s\n---\n%s\n---\n%s", tag, a, b, c)
		}
	}
	// Exported again, the second folder gives the same lines, x_ columns
	// of every source included (in another order: by load).
	again := filepath.Join(t.TempDir(), "again.csv")
	if code, _, stderr := cli(t, "export", "--data", second, "--format", "focus-csv", "--out", again); code != 0 {
		t.Fatalf("export again: %s", stderr)
	}
	a, b := sortedLines(t, file), sortedLines(t, again)
	if !slices.Equal(a, b) {
		t.Errorf("the second export differs from the first: %d and %d lines", len(a), len(b))
	}
	if header := strings.Join(a, "\n"); !strings.Contains(header, ",x_SkuMeterCategory,") {
		t.Errorf("the export lost the Microsoft export's x_ columns")
	}
}

// sameTotals compares two data folders' totals by every dimension, by day.
func sameTotals(t *testing.T, first, second, what string) {
	t.Helper()
	for _, dim := range cost.Dimensions {
		for _, measure := range []string{"BilledCost,EffectiveCost,ListCost,x_UnblendedCost", "ConsumedQuantity"} {
			args := []string{"query", "--group-by", dim, "--measure", measure, "--granularity", "daily", "--format", "csv"}
			_, a, errA := cli(t, append(args, "--data", first)...)
			_, b, errB := cli(t, append(args, "--data", second)...)
			if errA != "" || errB != "" || a != b || strings.Count(a, "\n") < 2 {
				t.Errorf("%s, by %s (%s): the totals differ or failed (%s %s)\n%.600s\n---\n%.600s", what, dim, measure, errA, errB, a, b)
			}
		}
	}
}

func sortedLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	slices.Sort(lines)
	return lines
}
