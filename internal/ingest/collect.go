package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/awscur"
)

// Remote is what collection needs of a report in S3.
type Remote interface {
	ReportLocation(ctx context.Context) (bucket, folder string, err error)
	Manifests(ctx context.Context, bucket, folder string) ([]awsapi.Manifest, error)
	Download(ctx context.Context, bucket, key string, w io.Writer, reset func() error) (int64, error)
}

// Collect loads every billing period of the remote report whose current
// version is not the one loaded: it reads each period's manifest, downloads
// the period's files to temporary files under l.TempDir (streaming, so
// memory stays flat), and replaces the period atomically.
func (l *Loader) Collect(ctx context.Context, remote Remote) ([]Report, error) {
	bucket, folder, err := remote.ReportLocation(ctx)
	if err != nil {
		return nil, err
	}
	manifests, err := remote.Manifests(ctx, bucket, folder)
	if err != nil {
		return nil, err
	}
	var reports []Report
	for _, m := range manifests {
		r, err := l.collectPeriod(ctx, remote, bucket, m)
		if err != nil {
			return reports, err
		}
		reports = append(reports, r)
	}
	return reports, nil
}

func (l *Loader) collectPeriod(ctx context.Context, remote Remote, bucket string, m awsapi.Manifest) (Report, error) {
	name := "s3://" + bucket + "/" + m.Key
	man, err := awscur.ParseManifest(m.Data, name)
	if err != nil {
		return Report{}, err
	}
	d := &delivery{manifestPath: name, manifest: man, source: "aws-cur/" + man.Account + "/" + man.Name(), version: man.Version()}
	for _, key := range man.Keys() {
		if path.Dir(key) == path.Dir(m.Key) {
			d.overwrite = true
		}
	}
	if d.overwrite {
		// Files are replaced in place: the manifest's ETag names the delivery.
		d.version = "etag:" + m.ETag + ":" + man.Checksum[:16]
	}
	loaded, err := l.Store.LoadedVersion(ctx, d.source, man.BillingPeriod.Start)
	if err != nil {
		return Report{}, err
	}
	if loaded == d.version {
		return Report{Source: d.source, Period: man.BillingPeriod, Version: d.version, Skipped: true, SourceUpdated: m.LastModified}, nil
	}
	tmp, err := os.MkdirTemp(l.TempDir, "collect-")
	if err != nil {
		return Report{}, fmt.Errorf("create download folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	for i, key := range man.Keys() {
		local := filepath.Join(tmp, strconv.Itoa(i)+"-"+path.Base(key))
		if err := download(ctx, remote, bucket, key, local); err != nil {
			return Report{}, err
		}
		d.files = append(d.files, local)
	}
	r, err := l.ingestDelivery(ctx, d)
	r.SourceUpdated = m.LastModified
	return r, err
}

// download streams one object into a new local file.
func download(ctx context.Context, remote Remote, bucket, key, local string) error {
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
	if _, err := remote.Download(ctx, bucket, key, f, reset); err != nil {
		return err
	}
	return f.Close()
}
