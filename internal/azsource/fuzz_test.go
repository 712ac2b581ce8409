package azsource

import (
	"path"
	"strings"
	"testing"
	"time"
)

const sampleManifest = `{
  "blobCount": 2, "dataRowCount": 7, "byteCount": 0,
  "exportConfig": {"exportName": "daily-actual", "type": "ActualCost", "dataVersion": "2023-12-01-preview",
    "resourceId": "/subscriptions/5F2C3A1E-8B4D-4C7A-9E21-0D6B7F3A9C11/providers/Microsoft.CostManagement/exports/daily-actual",
    "apiVersion": "2023-07-01-preview", "timeFrame": "MonthToDate", "granularity": "Daily"},
  "deliveryConfig": {"partitionData": true, "dataOverwriteBehavior": "CreateNewReport", "fileFormat": "Csv", "rootFolderPath": "exports"},
  "runInfo": {"executionType": "Scheduled", "submittedTime": "2026-08-15T06:00:03.1032074Z",
    "runId": "af754a8e-30fc-4ef3-bfc6-71bd1efb8598", "startDate": "2026-08-01T00:00:00", "endDate": "2026-08-31T00:00:00"},
  "blobs": [
    {"blobName": "exports/daily-actual/20260801-20260831/202608150600/af754a8e-30fc-4ef3-bfc6-71bd1efb8598/part_0_0001.csv", "byteCount": 1200, "dataRowCount": 4},
    {"blobName": "exports/daily-actual/20260801-20260831/202608150600/af754a8e-30fc-4ef3-bfc6-71bd1efb8598/part_1_0001.csv", "byteCount": 900, "dataRowCount": 3}
  ]
}`

// FuzzParseManifest holds ParseManifest to what the rest of the package
// relies on, whatever a container holds: a month-long UTC period, a scope
// of clean lower-case segments, blob names that are clean relative paths,
// and a run's files inside the manifest's folder.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(sampleManifest), "exports/daily-actual/20260801-20260831/202608150600/af754a8e-30fc-4ef3-bfc6-71bd1efb8598/manifest.json")
	f.Add([]byte(strings.Replace(sampleManifest, `"ActualCost"`, `"FocusCost"`, 1)), "manifest.json")
	f.Add([]byte(strings.Replace(sampleManifest, "part_0_0001.csv", "../../part_0_0001.csv", 1)), "a/manifest.json")
	f.Add([]byte(strings.Replace(sampleManifest, "2026-08-31T00", "2026-09-30T00", 1)), "a/manifest.json")
	f.Add([]byte(`{"exportConfig":{"type":"PriceSheet"}}`), "manifest.json")
	f.Add([]byte("\xef\xbb\xbf{}"), "manifest.json")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		m, err := ParseManifest(data, key)
		if err != nil || !m.IsCost() {
			return
		}
		p := m.Period
		if p.Start.Location() != time.UTC || p.Start.Day() != 1 || p.Start.Hour() != 0 || !p.End.Equal(p.Start.AddDate(0, 1, 0)) {
			t.Fatalf("period %v..%v is not a calendar month in UTC", p.Start, p.End)
		}
		if m.Scope == "" || m.Scope != strings.ToLower(m.Scope) {
			t.Fatalf("scope %q is empty or not lower-case", m.Scope)
		}
		for _, seg := range strings.Split(m.Scope, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("scope %q has segment %q", m.Scope, seg)
			}
		}
		if m.RunID == "" || m.ExportName == "" || m.Rows < -1 {
			t.Fatalf("manifest %+v lacks a run ID or name, or counts rows below -1", m)
		}
		for _, b := range m.Blobs {
			if path.Clean(b.Name) != b.Name || strings.HasPrefix(b.Name, "/") || b.Name == ".." || strings.HasPrefix(b.Name, "../") {
				t.Fatalf("blob name %q is not a clean relative path", b.Name)
			}
			if b.Bytes < -1 || b.Rows < -1 {
				t.Fatalf("blob %+v counts below -1", b)
			}
		}
		r, err := manifestRun(m, key, time.Time{})
		if err != nil {
			return
		}
		dir := path.Dir(key)
		for _, f := range r.files {
			if base := path.Base(f.name); path.Dir(f.name) != dir || base == "." || base == ".." {
				t.Fatalf("run file %q is not in the manifest's folder %q", f.name, dir)
			}
		}
	})
}

// FuzzOldExportFile holds the older layout's name parsing to its shape:
// a match names the export folder the file is in, and a month in UTC.
func FuzzOldExportFile(f *testing.F) {
	f.Add("exports/legacy/20260801-20260831/legacy_0b5e3c1a-2f4d-4e6a-8b9c-1d2e3f4a5b6c.csv")
	f.Add("legacy/20260801-20260831/legacy_0b5e3c1a2f4d4e6a8b9c1d2e3f4a5b6c.csv.gz")
	f.Add("legacy/20260801-20260931/legacy_0b5e3c1a-2f4d-4e6a-8b9c-1d2e3f4a5b6c.csv")
	f.Add("legacy/20261301-20261331/legacy_0b5e3c1a-2f4d-4e6a-8b9c-1d2e3f4a5b6c.csv")
	f.Add("a/b/c")
	f.Fuzz(func(t *testing.T, name string) {
		export, p, ok, err := OldExportFile(name)
		if err != nil || !ok {
			if ok {
				t.Fatal("ok with an error")
			}
			return
		}
		parts := strings.Split(name, "/")
		if export == "" || parts[len(parts)-3] != export || !strings.HasPrefix(parts[len(parts)-1], export+"_") {
			t.Fatalf("%q: export %q is not the folder the file is in", name, export)
		}
		if p.Start.Location() != time.UTC || p.Start.Day() != 1 || !p.End.Equal(p.Start.AddDate(0, 1, 0)) {
			t.Fatalf("%q: period %v..%v is not a calendar month", name, p.Start, p.End)
		}
	})
}

// FuzzNewestManifests holds the pruning of manifests by their names to
// keeping every other blob, and at least one manifest of those given.
func FuzzNewestManifests(f *testing.F) {
	f.Add("e/20260801-20260831/202608150600/af754a8e-30fc-4ef3-bfc6-71bd1efb8598/manifest.json",
		"e/20260801-20260831/202608160600/bf754a8e-30fc-4ef3-bfc6-71bd1efb8598/manifest.json", int64(1), int64(2))
	f.Add("e/20260801-20260831/manifest.json", "f/20260801-20260831/manifest.json", int64(2), int64(2))
	f.Fuzz(func(t *testing.T, a, b string, ta, tb int64) {
		objs := []object{{Name: a, Modified: time.Unix(ta%1e10, 0)}, {Name: b, Modified: time.Unix(tb%1e10, 0)}, {Name: "x/part_0.csv"}}
		out := newestManifests(objs)
		in, kept := map[string]int{}, map[string]int{}
		for _, o := range objs {
			in[o.Name]++
		}
		manifests := 0
		for _, o := range out {
			kept[o.Name]++
			if path.Base(o.Name) == "manifest.json" {
				manifests++
			}
		}
		for _, o := range objs {
			isManifest := path.Base(o.Name) == "manifest.json"
			if !isManifest && kept[o.Name] != in[o.Name] {
				t.Fatalf("newestManifests(%v) = %v: blob %q was dropped", objs, out, o.Name)
			}
			if isManifest && manifests == 0 {
				t.Fatalf("newestManifests(%v) = %v: no manifest kept", objs, out)
			}
		}
		for name := range kept {
			if in[name] == 0 {
				t.Fatalf("newestManifests(%v) = %v: %q was not given", objs, out, name)
			}
		}
	})
}
