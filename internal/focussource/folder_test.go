package focussource_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

const focusHeader = "BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,BilledCost,EffectiveCost," +
	"ListCost,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName,PublisherName,InvoiceIssuerName,ServiceName,SubAccountId\n"

// focusRows writes n usage rows of one AWS account in September 2026, each
// billed cost, gzipped.
func focusRows(t *testing.T, n int, cost string) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString(focusHeader)
	for i := range n {
		day := 1 + i%29
		fmt.Fprintf(&b, "111111111111,Payer,USD,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,%s,%s,%s,Usage,2026-09-%02dT00:00:00Z,2026-09-%02dT00:00:00Z,AWS,AWS,AWS,Amazon EC2,222222222222\n",
			cost, cost, cost, day, day+1)
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write([]byte(b.String()))
	w.Close()
	return z.Bytes()
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func billed(t *testing.T, s *duckstore.Store) decimal.Decimal {
	t.Helper()
	res, err := s.Query(context.Background(), &cost.Query{Type: cost.CostActual, Granularity: cost.GranularityNone})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) == 0 {
		return decimal.Zero
	}
	return res.Rows[0].Cost
}

// An AWS Data Exports FOCUS export: one folder per billing period, several
// files in it, rewritten in place when AWS restates the month.
func TestADataExportsFolderLoadsEachPeriodAndARestatementReplacesIt(t *testing.T) {
	root := filepath.Join(t.TempDir(), "focus-export")
	sept := filepath.Join(root, "data", "BILLING_PERIOD=2026-09")
	write(t, filepath.Join(sept, "focus-export-00001.csv.gz"), focusRows(t, 40, "0.25"))
	write(t, filepath.Join(sept, "focus-export-00002.csv.gz"), focusRows(t, 20, "1.5"))
	write(t, filepath.Join(root, "metadata", "BILLING_PERIOD=2026-09", "focus-export-Manifest.json"), []byte(`{}`))

	s := openStore(t)
	ctx := context.Background()
	reports, err := loader(s).IngestPath(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Rows != 60 || reports[0].Source != "focus/focus-export/data/BILLING_PERIOD=2026-09" {
		t.Fatalf("reports %+v, want one period of 60 rows from the period's folder", reports)
	}
	if got, want := billed(t, s), decimal.MustParse("40"); got.Cmp(want) != 0 { // 40 × 0.25 + 20 × 1.5
		t.Fatalf("billed %s, want %s", got, want)
	}

	// The same files again: unchanged.
	reports, err = loader(s).IngestPath(ctx, root)
	if err != nil || len(reports) != 1 || !reports[0].Skipped {
		t.Fatalf("reloading the same folder: %+v, %v; want it skipped", reports, err)
	}

	// AWS restates September: the second file shrinks. The month is
	// replaced, not added to.
	write(t, filepath.Join(sept, "focus-export-00002.csv.gz"), focusRows(t, 10, "1.5"))
	if _, err := loader(s).IngestPath(ctx, root); err != nil {
		t.Fatal(err)
	}
	if got, want := billed(t, s), decimal.MustParse("25"); got.Cmp(want) != 0 {
		t.Fatalf("after the restatement billed %s, want %s", got, want)
	}

	// A truncated file in a new restatement is refused by name, and the
	// month stays as it was.
	data := focusRows(t, 30, "9")
	write(t, filepath.Join(sept, "focus-export-00002.csv.gz"), data[:len(data)/2])
	_, err = loader(s).IngestPath(ctx, root)
	if err == nil || !strings.Contains(err.Error(), "focus-export-00002.csv.gz") {
		t.Fatalf("a truncated file: %v; want an error naming it", err)
	}
	if got, want := billed(t, s), decimal.MustParse("25"); got.Cmp(want) != 0 {
		t.Fatalf("after the refused load billed %s, want %s", got, want)
	}
}

func TestBadFOCUSFilesAreRefusedByFileLineAndColumn(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t)
	ctx := context.Background()
	good := filepath.Join(dir, "good.csv")
	write(t, good, []byte(focusHeader+"111111111111,Payer,USD,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,2.5,2.5,2.5,Usage,"+
		"2026-09-01T00:00:00Z,2026-09-02T00:00:00Z,AWS,AWS,AWS,Amazon EC2,222222222222\n"))
	if _, err := loader(s).IngestPath(ctx, good); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, content string
		want          []string
	}{
		{"non-numeric.csv", focusHeader + "111111111111,Payer,USD,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,abc,2.5,2.5,Usage," +
			"2026-09-01T00:00:00Z,2026-09-02T00:00:00Z,AWS,AWS,AWS,Amazon EC2,222222222222\n", []string{"non-numeric.csv", "line 2", "BilledCost"}},
		{"missing-column.csv", strings.Replace(focusHeader, "BilledCost,", "", 1) + "111111111111,Payer,USD,2026-09-01T00:00:00Z," +
			"2026-10-01T00:00:00Z,2.5,2.5,Usage,2026-09-01T00:00:00Z,2026-09-02T00:00:00Z,AWS,AWS,AWS,Amazon EC2,222222222222\n",
			[]string{"missing-column.csv", "line 1", "BilledCost"}},
		{"no-provider.csv", focusHeader + "111111111111,Payer,USD,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,1,1,1,Usage," +
			"2026-09-01T00:00:00Z,2026-09-02T00:00:00Z,,AWS,AWS,Amazon EC2,222222222222\n", []string{"no-provider.csv", "line 2", "ProviderName"}},
	} {
		path := filepath.Join(dir, c.name)
		write(t, path, []byte(c.content))
		_, err := loader(s).IngestPath(ctx, path)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want an error saying %q", c.name, err, w)
			}
		}
		if got, want := billed(t, s), decimal.MustParse("2.5"); got.Cmp(want) != 0 {
			t.Errorf("after %s billed %s, want %s", c.name, got, want)
		}
	}
}

func TestABrokenParquetFileIsRefusedByName(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t)
	path := filepath.Join(dir, "cut.parquet")
	write(t, path, []byte("PAR1\x15\x04\x15\x10 not the rest of a Parquet file"))
	_, err := loader(s).IngestPath(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "cut.parquet") || !strings.Contains(err.Error(), "Parquet") {
		t.Fatalf("a broken Parquet file: %v; want an error naming it", err)
	}
	if got := billed(t, s); !got.IsZero() {
		t.Fatalf("billed %s after a refused load", got)
	}
}
