package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// IngestPath loads path through l.Format: a folder laid out as the format's
// exports are (each billing period's current delivery, one report per
// billing account) or a single file (its billing periods are taken from its
// rows).
func (l *Loader) IngestPath(ctx context.Context, path string) ([]Report, error) {
	if l.Format == nil {
		return nil, errors.New("ingest: the loader has no format to read files with")
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !st.IsDir() {
		d, err := l.Format.File(path)
		if err != nil {
			return nil, err
		}
		return l.ingestDelivery(ctx, l.Format, d)
	}
	found, err := l.Format.Find(path)
	if err != nil {
		return nil, err
	}
	chosen, notes, err := l.choose(ctx, found, path)
	if err != nil {
		return nil, err
	}
	var reports []Report
	for _, d := range chosen {
		rs, err := l.ingestDelivery(ctx, l.Format, d)
		reports = append(reports, withNotes(rs, notes[d])...)
		if err != nil {
			return reports, err
		}
	}
	return reports, nil
}

// ingestDelivery loads a delivery whose files are local, unless its version
// is the one loaded.
func (l *Loader) ingestDelivery(ctx context.Context, o Opener, d *Delivery) ([]Report, error) {
	if skipped, err := l.skip(ctx, d); skipped != nil || err != nil {
		return skipped, err
	}
	return l.load(ctx, o, d, d.Files, l.Replace)
}

// skip returns the delivery's report, marked skipped, when the store holds
// its version already.
func (l *Loader) skip(ctx context.Context, d *Delivery) ([]Report, error) {
	loaded, err := l.Store.LoadedVersion(ctx, d.Source, d.Period.Start)
	if err != nil {
		return nil, err
	}
	if loaded != d.Version {
		return nil, nil
	}
	return []Report{{Source: d.Source, Period: d.Period, Version: d.Version, Skipped: true, Files: d.Files, SourceUpdated: d.Updated}}, nil
}

// load streams the delivery's files, at the local paths given, into the
// store, and reports each billing period it replaced.
func (l *Loader) load(ctx context.Context, o Opener, d *Delivery, paths []string, replace bool) ([]Report, error) {
	account := d.BillingAccount
	if account == "" && !d.Mixed {
		var err error
		if account, err = firstAccount(o, paths, d.Files, d.Root); err != nil {
			return nil, err
		}
	}
	src := &fileRows{opener: o, paths: paths, names: d.Files, root: d.Root, progress: l.progress()}
	if !d.FromRows {
		src.period = &d.Period
	}
	defer src.close()
	label := d.Source + " " + d.Period.Start.Format("2006-01")
	if d.FromRows && len(paths) > 0 {
		label = filepath.Base(paths[0])
	}
	total := totalSize(paths)
	started := l.now()
	l.progress().Start(label, total)
	res, err := l.Store.ReplacePeriods(ctx, cost.Load{
		Source: d.Source, Version: d.Version, Origin: d.Origin, Periods: []time.Time{d.Period.Start},
		BillingAccount: account, Replace: replace, AllowEmpty: l.AllowEmpty, Register: l.Register,
	}, src)
	l.progress().Finish()
	if err != nil {
		return nil, err
	}
	reports := make([]Report, 0, len(res.Periods))
	for _, p := range res.Periods {
		outside, warnings := src.outsideOf(p.Start)
		reports = append(reports, Report{
			Source: d.Source, Period: Period{Start: p.Start, End: p.End}, Version: d.Version,
			Rows: p.Rows, BilledCost: p.BilledCost, Currency: src.currency, Files: d.Files, Bytes: total,
			SourceUpdated: d.Updated, Duration: l.now().Sub(started), Replaced: p.Replaced,
			Warnings: append(slices.Clip(src.warnings), warnings...), OutsidePeriod: outside,
		})
	}
	return reports, nil
}

// firstAccount reads the billing account of the first row of the files, for
// a delivery that does not name it; "" if they have no rows.
func firstAccount(o Opener, paths, names []string, root string) (string, error) {
	peek := &fileRows{opener: o, paths: paths, names: names, root: root, progress: noProgress{}}
	defer peek.close()
	row, err := peek.Next()
	if errors.Is(err, io.EOF) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.Clone(row.BillingAccountID), nil // the row aliases the reader's buffer
}

// withNotes adds warnings about the delivery's report to the first of its
// period reports.
func withNotes(rs []Report, notes []string) []Report {
	if len(rs) > 0 && len(notes) > 0 {
		rs[0].Warnings = append(append([]string(nil), notes...), rs[0].Warnings...)
	}
	return rs
}

func totalSize(paths []string) int64 {
	var n int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}
