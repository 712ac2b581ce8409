package azsource

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/ingest"
)

// object is a blob, or a file under the folder a Format reads: its name is
// slash-separated, relative to the container (or to the folder).
type object struct {
	Name     string
	Size     int64
	Modified time.Time
	ETag     string // in Blob Storage; "" on disk
}

var (
	// rangeDir is a run's date-range folder: 20260801-20260831.
	rangeDir = regexp.MustCompile(`^(\d{8})-(\d{8})$`)
	// oldFile is an older export's one file per run: <export>_<guid>.csv.
	oldFile = regexp.MustCompile(`^(.+)_[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\.csv(\.gz)?$`)
)

// OldExportFile reports whether name is a file of the older export layout,
// <root>/<export>/<YYYYMMDD-YYYYMMDD>/<export>_<guid>.csv, and returns the
// export's name and the calendar month the run covers.
func OldExportFile(name string) (export string, period ingest.Period, ok bool, err error) {
	parts := strings.Split(name, "/")
	if len(parts) < 3 {
		return "", ingest.Period{}, false, nil
	}
	dir, rng, file := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	m := oldFile.FindStringSubmatch(file)
	r := rangeDir.FindStringSubmatch(rng)
	if m == nil || r == nil || m[1] != dir {
		return "", ingest.Period{}, false, nil
	}
	start, err1 := time.Parse("20060102", r[1])
	end, err2 := time.Parse("20060102", r[2])
	if err1 != nil || err2 != nil {
		return "", ingest.Period{}, false, fmt.Errorf("folder %q is not a date range (YYYYMMDD-YYYYMMDD)", rng)
	}
	month := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	period = ingest.Period{Start: month, End: month.AddDate(0, 1, 0)}
	if end.Before(start) || !end.Before(period.End) {
		return "", ingest.Period{}, false, fmt.Errorf("folder %q covers more than one calendar month; Reckon replaces whole months: "+
			"export month to date, the last month, or a custom range within one month", rng)
	}
	return dir, period, true, nil
}

// run is one run of one export: a manifest and its blobs, or one file of
// the older layout.
type run struct {
	export  string
	scope   string // "" for the older layout, which does not say
	account string // the billing account the scope names; "" when none
	dataset string
	period  ingest.Period
	id      string // the run ID, or a checksum of the older layout's file
	origin  string // the manifest, or the file
	when    time.Time
	rows    int64 // the run's data rows; -1 when unknown
	files   []runFile
}

type runFile struct {
	name  string
	bytes int64 // -1 when unknown
	rows  int64 // -1 when unknown
}

// manifestRun is the run a manifest describes; key is where the manifest
// was read, and its blobs must lie in the same folder.
func manifestRun(m *Manifest, key string, modified time.Time) (*run, error) {
	r := &run{export: m.ExportName, scope: m.Scope, account: m.BillingAccount, dataset: m.Dataset, period: m.Period, id: m.RunID,
		origin: key, when: cmp.Or(m.Submitted, modified), rows: m.Rows}
	dir := path.Dir(key)
	for _, b := range m.Blobs {
		if path.Base(b.Name) == "manifest.json" {
			continue
		}
		// The manifest names blobs from the container's root; the folder it
		// was found in may be a prefix of that (a download of part of a
		// container), so only the run's folder must match.
		if path.Dir(b.Name) != dir && !strings.HasSuffix(path.Dir(b.Name), "/"+dir) && dir != "." {
			return nil, fmt.Errorf("blob %q is not in the run's folder %q: refused (Azure writes a run's blobs beside its manifest)", b.Name, dir)
		}
		name := path.Join(dir, path.Base(b.Name))
		r.files = append(r.files, runFile{name: name, bytes: b.Bytes, rows: b.Rows})
	}
	return r, nil
}

// oldRun is a file of the older layout as a run of its own. Its ID is a
// checksum of its name, size and time, as the layout has no run ID.
func oldRun(o object, export string, period ingest.Period, amortized bool) *run {
	dataset := ActualCost
	if amortized {
		dataset = AmortizedCost
	}
	sum := sha256.Sum256([]byte(o.Name + "|" + strconv.FormatInt(o.Size, 10) + "|" + o.Modified.UTC().Format(time.RFC3339Nano)))
	return &run{export: export, dataset: dataset, period: period, id: "sha256:" + hex.EncodeToString(sum[:16]),
		origin: o.Name, when: o.Modified, rows: -1, files: []runFile{{name: o.Name, bytes: o.Size, rows: -1}}}
}

// current keeps each export's newest run of each month: Azure writes a
// month again on every run, and the last run holds the month's data.
func current(runs []*run) []*run {
	newest := map[string]*run{}
	var order []string
	for _, r := range runs {
		key := r.scope + "\x00" + r.export + "\x00" + r.dataset + "\x00" + r.period.Start.Format(time.DateOnly)
		old, seen := newest[key]
		if !seen {
			order = append(order, key)
		}
		if !seen || r.when.After(old.when) || (r.when.Equal(old.when) && r.origin > old.origin) {
			newest[key] = r
		}
	}
	out := make([]*run, 0, len(order))
	for _, k := range order {
		out = append(out, newest[k])
	}
	return out
}

// group is the runs loaded as one delivery: one export's run, or an actual
// and an amortized run of the same scope and month.
type group struct {
	actual, amortized, focus *run
	notes                    []string // warnings about runs left out
}

// groups pairs the current runs: one delivery per scope and month for the
// cost details (actual and amortized together), one for a FocusCost export.
// Two exports of the same dataset for one scope and month bill the same
// cost, so that is refused; a FocusCost export beside cost details is left
// out with a note, as it bills the same cost too.
func groups(runs []*run) ([]*group, error) {
	byKey := map[string]*group{}
	var order []string
	for _, r := range current(runs) {
		key := r.scope + "\x00" + r.period.Start.Format(time.DateOnly)
		if r.scope == "" { // the older layout names no scope: each export stands alone
			key = "\x00" + r.export + "\x00" + key
		}
		g := byKey[key]
		if g == nil {
			g = &group{}
			byKey[key] = g
			order = append(order, key)
		}
		slot := map[string]**run{ActualCost: &g.actual, AmortizedCost: &g.amortized, FocusCost: &g.focus}[r.dataset]
		if *slot != nil {
			names := []string{(*slot).export, r.export}
			slices.Sort(names)
			return nil, fmt.Errorf("exports %s and %s both hold %s for scope %s, %s: they bill the same cost, so Reckon would count it twice; "+
				"delete one of them, or point Reckon at a prefix that holds one", names[0], names[1], r.dataset, cmp.Or(r.scope, "(unnamed)"), r.period)
		}
		*slot = r
	}
	out := make([]*group, 0, len(order))
	for _, k := range order {
		g := byKey[k]
		if g.focus != nil && (g.actual != nil || g.amortized != nil) {
			g.notes = append(g.notes, fmt.Sprintf("FocusCost export %s (%s) was not loaded: it bills the same cost as the actual and amortized exports of scope %s, which were",
				g.focus.export, g.focus.period, g.focus.scope))
			g.focus = nil
		}
		out = append(out, g)
	}
	return out, nil
}

// runs lists the group's runs in the order their files load: amortized,
// actual, FOCUS.
func (g *group) runs() []*run {
	var rs []*run
	for _, r := range []*run{g.amortized, g.actual, g.focus} {
		if r != nil {
			rs = append(rs, r)
		}
	}
	return rs
}

// delivery describes the group as an ingest.Delivery; files maps each run
// file's name to the name the delivery gives it (a local path, or a key).
func (g *group) delivery(files func(string) string) *ingest.Delivery {
	rs := g.runs()
	first := rs[0]
	d := &ingest.Delivery{Period: first.period}
	switch {
	case first.scope == "":
		d.Source, d.Report = "azure-export/"+first.export, first.export
	case g.focus != nil:
		d.Source, d.Report = "azure-export/"+first.scope+"/focus", first.scope+"/focus"
	default:
		d.Source, d.Report = "azure-export/"+first.scope, first.scope
	}
	d.BillingAccount = first.account
	var versions, origins []string
	for _, r := range rs {
		versions = append(versions, r.dataset+":"+r.id)
		origins = append(origins, r.origin)
		if r.when.After(d.Updated) {
			d.Updated = r.when
		}
		for _, f := range r.files {
			d.Files = append(d.Files, files(f.name))
		}
	}
	d.Version = strings.Join(versions, "+")
	d.Origin = strings.Join(origins, " + ")
	return d
}

// billingAccount is the billing account an ID names
// (providers/Microsoft.Billing/billingAccounts/<id>[/...], in any case),
// as written; "" for other scopes, whose rows say.
func billingAccount(id string) string {
	const prefix = "providers/microsoft.billing/billingaccounts/"
	if len(id) <= len(prefix) || !strings.EqualFold(id[:len(prefix)], prefix) {
		return ""
	}
	account, _, _ := strings.Cut(id[len(prefix):], "/")
	return account
}

// sortObjects orders a listing by name, for deterministic deliveries.
func sortObjects(objs []object) {
	slices.SortFunc(objs, func(a, b object) int { return strings.Compare(a.Name, b.Name) })
}
