package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
)

// Collect loads every billing period of the remote report whose current
// version is not the one loaded: it downloads the period's files to
// temporary files under l.TempDir (streaming, so memory stays flat), and
// replaces the period atomically. A collection replaces any other source's
// version of its billing account's periods, and says so in Report.Replaced:
// the connector is the authority for its payer.
//
// Download folders that an earlier collection left behind (killed before
// it could remove them) are removed before and after: see RemoveDownloads.
func (l *Loader) Collect(ctx context.Context, remote Remote) (reports []Report, err error) {
	if l.TempDir != "" {
		if err := RemoveDownloads(l.TempDir); err != nil {
			return nil, err
		}
		defer func() {
			if rerr := RemoveDownloads(l.TempDir); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	found, err := remote.Deliveries(ctx)
	if err != nil {
		return nil, err
	}
	chosen, notes, err := l.choose(ctx, found, "the remote report")
	if err != nil {
		return nil, err
	}
	for _, d := range chosen {
		rs, err := l.collectDelivery(ctx, remote, d)
		reports = append(reports, withNotes(rs, notes[d])...)
		if err != nil {
			return reports, err
		}
	}
	return reports, nil
}

func (l *Loader) collectDelivery(ctx context.Context, remote Remote, d *Delivery) (reports []Report, err error) {
	if skipped, err := l.skip(ctx, d); skipped != nil || err != nil {
		return skipped, err
	}
	tmp, err := newDownloadDir(l.TempDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := doneDownloadDir(tmp); rerr != nil && err == nil {
			err = rerr
		}
	}()
	var local []string
	for i, key := range d.Files {
		p := filepath.Join(tmp, strconv.Itoa(i)+"-"+path.Base(key))
		if err := download(ctx, remote, key, p); err != nil {
			return nil, err
		}
		local = append(local, p)
	}
	return l.load(ctx, remote, d, local, true)
}

// download streams one remote file into a new local file.
func download(ctx context.Context, remote Remote, key, local string) error {
	f, err := os.Create(local)
	if err != nil {
		return fmt.Errorf("create %s: %w", local, err)
	}
	defer f.Close()
	reset := func() error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return f.Truncate(0)
	}
	if _, err := remote.Download(ctx, key, f, reset); err != nil {
		return err
	}
	return f.Close()
}
