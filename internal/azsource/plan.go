package azsource

import (
	"errors"
	"fmt"
	"path"
	"slices"
)

// Options say what an export layout does not.
type Options struct {
	// AmortizedExports names the exports of the older layout (no manifest)
	// that hold amortized cost; that layout does not say, and the others
	// are read as actual cost.
	AmortizedExports []string
}

// errNoExports is returned by plan when the listing holds no export.
var errNoExports = errors.New("no Azure cost export")

// expected describes the layouts, for messages about a folder or prefix
// that holds none.
const expected = "expected <export>/<YYYYMMDD-YYYYMMDD>/<run>/<guid>/manifest.json beside part_*.csv or .csv.gz files " +
	"(Cost Management exports since 2023), or <export>/<YYYYMMDD-YYYYMMDD>/<export>_<guid>.csv (older exports)"

// plan finds the current runs in a listing and groups them into
// deliveries: read returns a manifest's content, show names a blob in
// messages.
func plan(objs []object, read func(object) ([]byte, error), opts Options, show func(string) string) ([]*group, error) {
	sortObjects(objs)
	var runs []*run
	for _, o := range objs {
		if path.Base(o.Name) == "manifest.json" {
			data, err := read(o)
			if err != nil {
				return nil, err
			}
			m, err := ParseManifest(data, show(o.Name))
			if err != nil {
				return nil, err
			}
			if !m.IsCost() {
				continue
			}
			r, err := manifestRun(m, o.Name, o.Modified)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", show(o.Name), err)
			}
			runs = append(runs, r)
			continue
		}
		export, period, ok, err := OldExportFile(o.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", show(o.Name), err)
		}
		if ok {
			runs = append(runs, oldRun(o, export, period, slices.Contains(opts.AmortizedExports, export)))
		}
	}
	if len(runs) == 0 {
		return nil, errNoExports
	}
	return groups(runs)
}

// checkFiles checks that every file of the groups' runs is in the listing
// with the size its manifest gives: a size that differs is a blob cut short
// (or replaced), which would load part of a month.
// show names a file or manifest in messages (on disk, its path).
func checkFiles(gs []*group, objs []object, where string, show func(string) string) error {
	sizes := make(map[string]int64, len(objs))
	for _, o := range objs {
		sizes[o.Name] = o.Size
	}
	for _, g := range gs {
		for _, r := range g.runs() {
			for _, f := range r.files {
				size, ok := sizes[f.name]
				if !ok {
					return fmt.Errorf("%s lists %s, which is not in %s: the run is incomplete or was moved; run the export again", show(r.origin), f.name, where)
				}
				if f.bytes >= 0 && size != f.bytes {
					return fmt.Errorf("%s is %d bytes but %s says %d: the file was cut short (or replaced) after the run; run the export again",
						show(f.name), size, show(r.origin), f.bytes)
				}
			}
		}
	}
	return nil
}
