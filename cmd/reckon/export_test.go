package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/focusfile"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestExportFromTheStoreAndThroughTheServer exports an ingested synthetic
// bill from the data folder and through reckon serve: the two files are
// the same, and hold the generator's rows and total.
func TestExportFromTheStoreAndThroughTheServer(t *testing.T) {
	bucket, data, out := t.TempDir(), t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 23, RowsPerMonth: 500})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "ingest", "--data", data, bucket); code != 0 {
		t.Fatalf("ingest exited %d: %s", code, stderr)
	}
	local := filepath.Join(out, "local.csv")
	if code, _, stderr := cli(t, "export", "--data", data, "--out", local); code != 0 {
		t.Fatalf("export --data exited %d: %s", code, stderr)
	}
	localCSV, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	rows, billed := 0, decimal.Zero
	rd, err := focusfile.NewReader(bytes.NewReader(localCSV), local)
	if err != nil {
		t.Fatal(err)
	}
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows, billed = rows+1, billed.Add(r.BilledCost)
	}
	if int64(rows) != want.Rows || billed.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("the export holds %d rows, %s; the generator wrote %d rows, %s", rows, billed, want.Rows, want.BilledCost)
	}

	localParquet := filepath.Join(out, "local.parquet")
	if code, _, stderr := cli(t, "export", "--data", data, "--format", "focus-parquet", "--out", localParquet); code != 0 {
		t.Fatalf("export --data as Parquet exited %d: %s", code, stderr)
	}

	base, token, stop := startServe(t, data, nil)
	defer stop()
	t.Setenv("RECKON_TOKEN", token)
	served := filepath.Join(out, "served.csv")
	if code, _, stderr := cli(t, "export", "--server", base, "--scope", "mg/root", "--out", served); code != 0 {
		t.Fatalf("export --server exited %d: %s", code, stderr)
	}
	if servedCSV, _ := os.ReadFile(served); !bytes.Equal(servedCSV, localCSV) {
		t.Errorf("the server's export (%d bytes) differs from the store's (%d bytes)", len(servedCSV), len(localCSV))
	}
	code, stdout, stderr := cli(t, "export", "--server", base, "--scope", "mg/root", "--format", "focus-parquet", "--from", "2020-01-01")
	if code != 0 || !strings.HasPrefix(stdout, "PAR1") || !strings.HasSuffix(stdout, "PAR1") {
		t.Fatalf("export as Parquet to standard output exited %d, %d bytes: %s", code, len(stdout), stderr)
	}
	parquet := filepath.Join(out, "export.parquet")
	if err := os.WriteFile(parquet, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	check, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	var n int64
	var sum string
	for _, file := range []string{parquet, localParquet} {
		if err := check.DB().QueryRow("SELECT count(*), CAST(sum(BilledCost) AS VARCHAR) FROM read_parquet('"+file+"')").Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		if n != want.Rows || decimal.MustParse(sum).Cmp(decimal.MustParse(want.BilledCost)) != 0 {
			t.Errorf("%s holds %d rows, %s; the generator wrote %d rows, %s", file, n, sum, want.Rows, want.BilledCost)
		}
	}

	// A refused export leaves no file behind.
	failed := filepath.Join(out, "failed.csv")
	t.Setenv("RECKON_TOKEN", "rkn_0123456789abcdef_"+strings.Repeat("0", 64))
	if code, _, stderr := cli(t, "export", "--server", base, "--scope", "mg/root", "--out", failed); code == 0 || !strings.Contains(stderr, "not valid") {
		t.Errorf("an export with a bad token exited %d: %s", code, stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(out, "*failed*")); len(left) != 0 {
		t.Errorf("a refused export left %q", left)
	}
}

func TestExportRefusesABadCommandLine(t *testing.T) {
	data := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "give either --data DIR"},
		{[]string{"export", "--data", data, "--server", "http://127.0.0.1:1"}, "give either --data DIR"},
		{[]string{"export", "--data", data, "--format", "csv"}, `--format "csv": use focus-csv or focus-parquet`},
		{[]string{"export", "--data", data, "--from", "2026-9-1"}, `--from "2026-9-1": write a day as YYYY-MM-DD`},
		{[]string{"export", "--data", data, "--scope", "mg/root"}, "--scope needs --server"},
		{[]string{"export", "--server", "http://127.0.0.1:1"}, "--server needs --scope"},
	} {
		code, _, stderr := cli(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}
