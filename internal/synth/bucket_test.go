package synth

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type testManifest struct {
	AssemblyID string `json:"assemblyId"`
	Account    string `json:"account"`
	Columns    []struct {
		Category, Name, Type string
	} `json:"columns"`
	Charset       string   `json:"charset"`
	Compression   string   `json:"compression"`
	ContentType   string   `json:"contentType"`
	ReportID      string   `json:"reportId"`
	ReportName    string   `json:"reportName"`
	Bucket        string   `json:"bucket"`
	ReportKeys    []string `json:"reportKeys"`
	BillingPeriod struct {
		Start, End string
	} `json:"billingPeriod"`
	AdditionalArtifactKeys []map[string]string `json:"additionalArtifactKeys"`
}

func readManifest(t *testing.T, dir, key string) (testManifest, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var m testManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("parse manifest %s: %v", key, err)
	}
	return m, b
}

// recountKeys recounts the data files a manifest lists and checks their
// header matches its columns.
func recountKeys(t *testing.T, dir string, m testManifest) *recounter {
	t.Helper()
	rc := newRecounter()
	for _, key := range m.ReportKeys {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(key)))
		if err != nil {
			t.Fatalf("manifest lists %s: %v", key, err)
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("gunzip %s: %v", key, err)
		}
		header := rc.read(t, z)
		f.Close()
		if len(header) != len(m.Columns) {
			t.Fatalf("%s has %d columns, manifest %d", key, len(header), len(m.Columns))
		}
		for i, c := range m.Columns {
			if header[i] != c.Category+"/"+c.Name {
				t.Fatalf("%s column %d is %s, manifest %s/%s", key, i, header[i], c.Category, c.Name)
			}
		}
	}
	return rc
}

var (
	hex64Re = regexp.MustCompile(`^[0-9a-f]{64}$`)
	uuidRe  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

func TestWriteBucket(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"keeps every delivery with CREATE_NEW_REPORT", Options{Months: 2, RowsPerMonth: 800, Versions: 3, FilesPerVersion: 2, Prefix: "billing/cur", NetColumns: true}},
		{"keeps only the newest with OVERWRITE_REPORT", Options{Months: 2, RowsPerMonth: 800, Versions: 3, FilesPerVersion: 3, Versioning: OverwriteReport}},
		{"works without a prefix", Options{RowsPerMonth: 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tot, err := WriteBucket(dir, tc.o)
			if err != nil {
				t.Fatalf("WriteBucket: %v", err)
			}
			saved, err := ReadTotals(filepath.Join(dir, TotalsFile))
			if err != nil {
				t.Fatal(err)
			}
			if saved.Rows != tot.Rows || saved.BilledCost != tot.BilledCost || len(saved.ByDay) != len(tot.ByDay) {
				t.Fatalf("%s differs from the returned totals", TotalsFile)
			}
			o, _ := tc.o.withDefaults()
			rc := newRecounter()
			ranges := []string{"20260801-20260901", "20260901-20261001"}[:o.Months]
			for _, rg := range ranges {
				folder := path.Join(o.Prefix, o.ReportName, rg)
				m, current := readManifest(t, dir, path.Join(folder, o.ReportName+"-Manifest.json"))
				checkManifest(t, m, o, rg)
				r := recountKeys(t, dir, m)
				mergeRecount(rc, r)
				checkAssemblies(t, dir, folder, o, m, current, r)
			}
			rc.compare(t, tot)
			checkOnlyExpectedFiles(t, dir, o)
		})
	}
}

// checkAssemblies checks the delivery folders of one period: only the newest
// with OVERWRITE_REPORT; every delivery with CREATE_NEW_REPORT, the period
// manifest being a copy of the newest's, older ones holding less data.
func checkAssemblies(t *testing.T, dir, folder string, o Options, m testManifest, current []byte, r *recounter) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(folder)))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if o.Versioning == OverwriteReport {
		if len(dirs) != 0 || len(entries) != o.FilesPerVersion+1 {
			t.Fatalf("%s holds %d entries (%v folders), want %d files", folder, len(entries), dirs, o.FilesPerVersion+1)
		}
		return
	}
	if len(dirs) != o.Versions || !slices.Contains(dirs, m.AssemblyID) {
		t.Fatalf("%s has assemblies %v, want %d including %s", folder, dirs, o.Versions, m.AssemblyID)
	}
	_, copyBytes := readManifest(t, dir, path.Join(folder, m.AssemblyID, o.ReportName+"-Manifest.json"))
	if !bytes.Equal(copyBytes, current) {
		t.Fatal("the period manifest differs from its assembly's copy")
	}
	for _, a := range dirs {
		if a == m.AssemblyID {
			continue
		}
		old, _ := readManifest(t, dir, path.Join(folder, a, o.ReportName+"-Manifest.json"))
		if o := recountKeys(t, dir, old); o.total.billed.Cmp(&r.total.billed) == 0 || o.rows >= r.rows {
			t.Fatalf("older delivery %s has the same or more data than the newest", a)
		}
	}
}

func mergeRecount(dst, src *recounter) {
	dst.rows += src.rows
	dst.total.rows += src.total.rows
	dst.total.billed.Add(&dst.total.billed, &src.total.billed)
	dst.total.eff.Add(&dst.total.eff, &src.total.eff)
	dst.list.Add(dst.list, src.list)
	for g, m := range src.by {
		for k, a := range m {
			d := dst.by[g][k]
			if d == nil {
				d = &recAcc{}
				dst.by[g][k] = d
			}
			d.rows += a.rows
			d.billed.Add(&d.billed, &a.billed)
			d.eff.Add(&d.eff, &a.eff)
		}
	}
}

func checkManifest(t *testing.T, m testManifest, o Options, rg string) {
	t.Helper()
	start, end, _ := strings.Cut(rg, "-")
	switch {
	case m.Account != o.Payer, m.ReportName != o.ReportName, m.Bucket != o.Bucket:
		t.Errorf("manifest names account %s report %s bucket %s", m.Account, m.ReportName, m.Bucket)
	case m.Compression != "GZIP" || m.ContentType != "text/csv" || m.Charset != "UTF-8":
		t.Errorf("manifest format %s %s %s", m.Compression, m.ContentType, m.Charset)
	case !hex64Re.MatchString(m.ReportID) || !uuidRe.MatchString(m.AssemblyID):
		t.Errorf("reportId %q assemblyId %q", m.ReportID, m.AssemblyID)
	case m.BillingPeriod.Start != start+"T000000.000Z" || m.BillingPeriod.End != end+"T000000.000Z":
		t.Errorf("billingPeriod %+v for %s", m.BillingPeriod, rg)
	case m.AdditionalArtifactKeys == nil:
		t.Error("additionalArtifactKeys is not an array")
	case len(m.ReportKeys) != o.FilesPerVersion:
		t.Errorf("%d report keys, want %d", len(m.ReportKeys), o.FilesPerVersion)
	}
	for _, k := range m.ReportKeys {
		if !strings.HasPrefix(k, path.Join(o.Prefix, o.ReportName, rg)+"/") || !strings.HasSuffix(k, ".csv.gz") {
			t.Errorf("report key %s", k)
		}
	}
}

// checkOnlyExpectedFiles makes sure the totals file is the only object
// outside the report prefix.
func checkOnlyExpectedFiles(t *testing.T, dir string, o Options) {
	t.Helper()
	root := path.Join(o.Prefix, o.ReportName) + "/"
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel != TotalsFile && !strings.HasPrefix(rel, root) {
			t.Errorf("unexpected object %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
