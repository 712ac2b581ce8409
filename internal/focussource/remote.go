package focussource

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/focusfile"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Object is a file in a bucket or container, as its listing gives it.
type Object struct {
	Name     string // the key or blob name
	Size     int64
	Modified time.Time
	ETag     string // changes with the content, where the store gives one
}

// Bucket is where a FOCUS source's files are, under a prefix: a Blob
// Storage container (azsource.Blob), or an S3 bucket. Its errors carry the
// source's codes (cost.EAccessDeniedExport, cost.EExportNotFound).
type Bucket interface {
	// Objects lists every object under the prefix.
	Objects(ctx context.Context) ([]Object, error)
	// Read streams an object from its start, to read its first row.
	Read(ctx context.Context, name string) (io.ReadCloser, error)
	// Download copies an object to w, as ingest.Remote's Download.
	Download(ctx context.Context, name string, w io.Writer, reset func() error) (int64, error)
	// String names the bucket and prefix for messages, never a credential.
	String() string
}

// Remote is the FOCUS files in a Bucket as an ingest.Remote: as Format.Find
// does on disk, each folder holding FOCUS files is one delivery, its files
// read together, their rows saying which billing periods they replace.
type Remote struct {
	Format
	bucket Bucket
	label  string
}

// NewRemote returns the FOCUS files in bucket. label names it in the
// deliveries' sources (focus/<label>/<folder>), so that another bucket's
// folder of the same name is another source: give, say, the storage
// account and container.
func NewRemote(bucket Bucket, label string) *Remote {
	return &Remote{bucket: bucket, label: label}
}

// billingPeriod is the folder AWS Data Exports writes each month to.
var billingPeriod = regexp.MustCompile(`(?i)^billing_period=(\d{4}-\d{2})$`)

// Deliveries lists the bucket and returns one delivery per folder holding
// FOCUS files (.csv or .csv.gz), its files in name order. The version
// hashes the files' names, sizes, times and ETags, so that a folder
// rewritten in place (a restated month) is a new version and an unchanged
// one is skipped without a download. The billing period comes from a
// BILLING_PERIOD=YYYY-MM folder, else from the first file's first row.
func (r *Remote) Deliveries(ctx context.Context) ([]*ingest.Delivery, error) {
	objs, err := r.bucket.Objects(ctx)
	if err != nil {
		return nil, err
	}
	byDir := map[string][]Object{}
	for _, o := range objs {
		if isDataFile(path.Base(o.Name)) {
			dir := path.Dir(o.Name)
			byDir[dir] = append(byDir[dir], o)
		}
	}
	if len(byDir) == 0 {
		return nil, cost.Errorf(cost.EExportNotFound, "%s holds no FOCUS files: expected folders of .csv or .csv.gz files whose header "+
			"has the FOCUS columns (BilledCost, BillingPeriodStart, ChargePeriodStart…); check the container and prefix", r.bucket)
	}
	dirs := make([]string, 0, len(byDir))
	for dir := range byDir {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	var out []*ingest.Delivery
	for _, dir := range dirs {
		files := byDir[dir]
		slices.SortFunc(files, func(a, b Object) int { return strings.Compare(a.Name, b.Name) })
		d := &ingest.Delivery{Source: "focus/" + r.label + "/" + dir, Mixed: true, FromRows: true,
			Version: objectsVersion(files), Origin: r.bucket.String() + " " + dir}
		for _, f := range files {
			d.Files = append(d.Files, f.Name)
			if f.Modified.After(d.Updated) {
				d.Updated = f.Modified
			}
		}
		if d.Period, err = r.period(ctx, dir, files[0].Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// period is a folder's billing period: its BILLING_PERIOD=YYYY-MM segment,
// else the first row of its first file.
func (r *Remote) period(ctx context.Context, dir, first string) (ingest.Period, error) {
	if m := billingPeriod.FindStringSubmatch(path.Base(dir)); m != nil {
		if start, err := time.Parse("2006-01", m[1]); err == nil {
			return ingest.Period{Start: start, End: start.AddDate(0, 1, 0)}, nil
		}
	}
	body, err := r.bucket.Read(ctx, first)
	if err != nil {
		return ingest.Period{}, err
	}
	defer body.Close()
	rows, err := r.Open(body, first, 0)
	if err != nil {
		return ingest.Period{}, err
	}
	defer rows.Close()
	row, err := rows.Next()
	if errors.Is(err, io.EOF) {
		return ingest.Period{}, cost.Errorf(cost.EExportIsNotValid, "%s in %s has a header but no rows, so its billing period is unknown", first, r.bucket)
	}
	if err != nil {
		return ingest.Period{}, err
	}
	return ingest.Period{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd}, nil
}

// Open reads a FOCUS file's rows; a file Reckon cannot read is
// cost.EExportIsNotValid, naming the file, line and column.
func (r *Remote) Open(body io.Reader, name string, size int64) (ingest.RowReader, error) {
	rr, err := r.Format.Open(body, name, size)
	if err != nil {
		return nil, notValid(err)
	}
	return invalidRows{rr}, nil
}

// Download copies a file of a delivery to w.
func (r *Remote) Download(ctx context.Context, name string, w io.Writer, reset func() error) (int64, error) {
	return r.bucket.Download(ctx, name, w, reset)
}

// invalidRows marks a reader's bad input as cost.EExportIsNotValid.
type invalidRows struct{ ingest.RowReader }

func (r invalidRows) Next() (*cost.Row, error) {
	row, err := r.RowReader.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, notValid(err)
	}
	return row, err
}

func notValid(err error) error {
	var pe *focusfile.ParseError
	if errors.As(err, &pe) {
		return cost.Errorf(cost.EExportIsNotValid, "%v", err)
	}
	return err
}

// objectsVersion hashes the listing of a folder's files.
func objectsVersion(files []Object) string {
	h := xxh3.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s\x00", f.Name, f.Size, f.Modified.UTC().Format(time.RFC3339Nano), f.ETag)
	}
	sum := h.Sum128().Bytes()
	return "list-xxh3:" + hex.EncodeToString(sum[:])
}
