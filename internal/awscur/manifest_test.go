package awscur

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// manifestDir holds real, anonymised CUR 1.0 manifests.
const manifestDir = "testdata/manifests"

func readManifest(t *testing.T, path string) *Manifest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(data, path)
	if err != nil {
		t.Fatalf("ParseManifest(%s): %v", path, err)
	}
	return m
}

func TestRealManifests(t *testing.T) {
	tests := []struct {
		file       string
		period     string
		assemblyID string
		reportName string
		columns    int
		untyped    int // columns without "type"
		keys       []string
	}{
		{"manifest-2018-01.json", "20180101-20180201", "abcdefgh-a820-4572-8c9e-df096ab9b3c4", "hourly-cost-and-usage", 168, 168, nil},
		{"manifest-2019-01.json", "20190101-20190201", "abcdefgh-ee56-403f-a678-1fb54efd4b4e", "hourly-cost-and-usage", 205, -1, nil},
		{"manifest-2019-12.json", "20191201-20200101", "11111111-2222-3333-4444-555555555555", "ReportName", 275, 0, nil},
		{"manifestTest.json", "20170801-20170901", "abcdefgh-e98d-48d6-86b4-29967358fe6c", "hourly-cost-and-usage", 158, 158, []string{
			"hourly/hourly-cost-and-usage/20170801-20170901/abcdefgh-e98d-48d6-86b4-29967358fe6c/hourly-cost-and-usage-01.csv.gz",
			"hourly/hourly-cost-and-usage/20170801-20170901/abcdefgh-e98d-48d6-86b4-29967358fe6c/hourly-cost-and-usage-02.csv.gz",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file+" is the period "+tt.period, func(t *testing.T) {
			m := readManifest(t, filepath.Join(manifestDir, tt.file))
			checks := []struct {
				what      string
				got, want any
			}{
				{"billing period", m.BillingPeriod.String(), tt.period},
				{"assemblyId", m.AssemblyID, tt.assemblyID},
				{"Version()", m.Version(), tt.assemblyID},
				{"account", m.Account, "123456789012"},
				{"reportName", m.Name(), tt.reportName},
				{"compression", m.Compression, "GZIP"},
				{"columns", len(m.Columns), tt.columns},
				{"reportKeys", strings.Join(m.Keys(), "\n"), strings.Join(tt.keys, "\n")},
				{"start is UTC midnight", m.BillingPeriod.Start.Format("2006-01-02T15:04:05.000Z07:00"), m.BillingPeriod.Start.UTC().Format("2006-01-02") + "T00:00:00.000Z"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
				}
			}
			untyped := 0
			for _, c := range m.Columns {
				if c.Category == "" || c.Name == "" {
					t.Errorf("column %+v has no category or name", c)
				}
				if c.Type == "" {
					untyped++
				}
			}
			if tt.untyped >= 0 && untyped != tt.untyped {
				t.Errorf("%d columns without a type, want %d", untyped, tt.untyped)
			}
			if tt.untyped < 0 && (untyped == 0 || untyped == len(m.Columns)) {
				t.Errorf("%d of %d columns without a type; this manifest mixes both", untyped, len(m.Columns))
			}
		})
	}
}

func TestManifestShapes(t *testing.T) {
	t.Run("additional artifacts are objects with a type and a name", func(t *testing.T) {
		m := readManifest(t, "testdata/manifest-artifacts.json")
		got := []string{}
		for _, a := range m.AdditionalArtifactKeys {
			got = append(got, a.ArtifactType+" "+filepath.Base(a.Name))
		}
		want := []string{"RedshiftCommands hourly-redshift-RedshiftCommands.sql", "RedshiftManifest hourly-redshift-RedshiftManifest.json"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if len(m.Keys()) != 2 || m.Columns[2].Type != "" || m.Columns[4].Type != "OptionalBigDecimal" {
			t.Errorf("keys %q, columns %+v", m.Keys(), m.Columns)
		}
	})
	t.Run("a CUR 2.0 manifest lists data files as s3 URLs and is versioned by execution", func(t *testing.T) {
		m := readManifest(t, "testdata/manifest-cur2.json")
		prefix := "exports/cur2-daily/data/BILLING_PERIOD=2024-03/20240315T061502Z-7c3e2a91-5b4d-4f6e-8a9b-0c1d2e3f4a5b/"
		want := []string{prefix + "cur2-daily-00001.csv.gz", prefix + "cur2-daily-00002.csv.gz"}
		if got := m.Keys(); !slices.Equal(got, want) {
			t.Errorf("Keys() = %q, want %q", got, want)
		}
		if m.Version() != "7c3e2a91-5b4d-4f6e-8a9b-0c1d2e3f4a5b" || m.Name() != "cur2-daily" || m.BillingPeriod.String() != "20240301-20240401" {
			t.Errorf("Version %q, Name %q, period %s", m.Version(), m.Name(), m.BillingPeriod)
		}
	})
	t.Run("an OVERWRITE_REPORT manifest without assembly is versioned by its checksum", func(t *testing.T) {
		data := []byte(`{"reportName":"r","billingPeriod":{"start":"20231101T000000.000Z","end":"20231201T000000.000Z"},"reportKeys":["r/20231101-20231201/r-1.csv.gz"]}`)
		m, err := ParseManifest(data, "r-Manifest.json")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if want := "sha256:" + hex.EncodeToString(sum[:]); m.Version() != want {
			t.Errorf("Version() = %q, want %q", m.Version(), want)
		}
	})
	t.Run("a byte order mark and spaces around the dates are tolerated", func(t *testing.T) {
		m, err := ParseManifest([]byte("\ufeff"+`{"billingPeriod":{"start":" 20231101T000000.000Z ","end":"2023-12-01T00:00:00Z"}}`), "m.json")
		if err != nil {
			t.Fatal(err)
		}
		if m.BillingPeriod.String() != "20231101-20231201" {
			t.Errorf("period %s", m.BillingPeriod)
		}
	})
	t.Run("artifacts written as plain strings are read as names", func(t *testing.T) {
		m, err := ParseManifest([]byte(`{"billingPeriod":{"start":"20231101T000000.000Z","end":"20231201T000000.000Z"},"additionalArtifactKeys":["a/r-RedshiftCommands.sql"]}`), "m.json")
		if err != nil {
			t.Fatal(err)
		}
		if len(m.AdditionalArtifactKeys) != 1 || m.AdditionalArtifactKeys[0].Name != "a/r-RedshiftCommands.sql" {
			t.Errorf("got %+v", m.AdditionalArtifactKeys)
		}
	})
}

func TestManifestErrors(t *testing.T) {
	tests := []struct {
		name, json, column, problem string
	}{
		{"a manifest without billingPeriod", `{"assemblyId":"x","reportKeys":[]}`, "billingPeriod", "no billingPeriod"},
		{"a manifest whose start is no date", `{"billingPeriod":{"start":"November","end":"20231201T000000.000Z"}}`, "billingPeriod.start", `"November" is not a timestamp`},
		{"a manifest with a 13th month", `{"billingPeriod":{"start":"20231301T000000.000Z","end":"20231201T000000.000Z"}}`, "billingPeriod.start", "20231301T000000.000Z"},
		{"a manifest without an end", `{"billingPeriod":{"start":"20231101T000000.000Z"}}`, "billingPeriod.end", `"" is not a timestamp`},
		{"a manifest that ends before it starts", `{"billingPeriod":{"start":"20231201T000000.000Z","end":"20231101T000000.000Z"}}`, "billingPeriod", "ends before it starts"},
		{"a manifest that ends when it starts", `{"billingPeriod":{"start":"20231101T000000.000Z","end":"20231101T000000.000Z"}}`, "billingPeriod", "ends before it starts"},
		{"a billingPeriod that is a string", `{"billingPeriod":"2023-11"}`, "", "not a CUR manifest"},
		{"a CSV file given as a manifest", "identity/LineItemId,bill/PayerAccountId\n", "", "not a CUR manifest"},
		{"an empty file", "", "", "not a CUR manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			m, err := ParseManifest([]byte(tt.json), "cur/r/20231101-20231201/r-Manifest.json")
			if err == nil {
				t.Fatalf("got %+v, want an error", m)
			}
			pe := mustParseError(t, err)
			if pe.File != "cur/r/20231101-20231201/r-Manifest.json" || pe.Column != tt.column || !strings.Contains(pe.Problem, tt.problem) {
				t.Errorf("got %q (column %q), want column %q and a problem containing %q", pe, pe.Column, tt.column, tt.problem)
			}
		})
	}
}
