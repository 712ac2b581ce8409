package cursource_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/pgzip"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestADataExportsFolderLoads lays out a CUR 2.0 (Data Exports) export as
// AWS writes it, data/BILLING_PERIOD=…/ and metadata/BILLING_PERIOD=…/, with
// the snake_case sample CSV whose map columns hold JSON.
func TestADataExportsFolderLoads(t *testing.T) {
	bucket := t.TempDir()
	export := filepath.Join(bucket, "exports", "reckon-cur2")
	dataDir := filepath.Join(export, "data", "BILLING_PERIOD=2024-03")
	metaDir := filepath.Join(export, "metadata", "BILLING_PERIOD=2024-03")
	for _, d := range []string{dataDir, metaDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sample, err := os.ReadFile("../awscur/testdata/cur2-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dataDir, "reckon-cur2-00001.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zw := pgzip.NewWriter(f)
	zw.Write(sample)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	manifest := `{"executionId":"9f3c1e2a-0b1d-4c5e-8f00-000000000001","exportName":"reckon-cur2",
		"billingPeriod":{"start":"2024-03-01T00:00:00.000Z","end":"2024-04-01T00:00:00.000Z"},
		"dataFiles":["s3://billing-bucket/exports/reckon-cur2/data/BILLING_PERIOD=2024-03/reckon-cur2-00001.csv.gz"]}`
	if err := os.WriteFile(filepath.Join(metaDir, "reckon-cur2-Manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}

	s := openStore(t)
	reports := load(t, s, bucket)
	if len(reports) != 1 || reports[0].Rows != 7 || reports[0].Version != "9f3c1e2a-0b1d-4c5e-8f00-000000000001" {
		t.Fatalf("reports = %+v, want one period of 7 rows at the execution id", reports)
	}
	// The sample's unblended costs sum to 1.5180293410 (its net column is empty).
	want := decimal.MustParse("1.518029341")
	if got := reports[0].BilledCost; got.Cmp(want) != 0 {
		t.Errorf("billed %s, want %s", got, want)
	}
	if again := load(t, s, bucket); !again[0].Skipped {
		t.Error("the same execution was loaded twice")
	}
}
