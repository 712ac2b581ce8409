package cursource

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Client is what a report in S3 needs of the connector's AWS side;
// *awsapi.Client has it.
type Client interface {
	ReportLocation(ctx context.Context) (bucket, folder string, err error)
	Manifests(ctx context.Context, bucket, folder string) ([]awsapi.Manifest, error)
	Download(ctx context.Context, bucket, key string, w io.Writer, reset func() error) (int64, error)
}

// S3Report is a connector's CUR report in S3, as an ingest.Remote. Its
// deliveries' files are s3://bucket/key URLs.
type S3Report struct {
	client Client
}

// Remote returns the report the client's connector reads.
func Remote(c Client) *S3Report {
	return &S3Report{client: c}
}

// Deliveries reads the current manifest of every billing period of the
// report.
func (s *S3Report) Deliveries(ctx context.Context) ([]*ingest.Delivery, error) {
	bucket, folder, err := s.client.ReportLocation(ctx)
	if err != nil {
		return nil, err
	}
	manifests, err := s.client.Manifests(ctx, bucket, folder)
	if err != nil {
		return nil, err
	}
	out := make([]*ingest.Delivery, 0, len(manifests))
	for _, m := range manifests {
		d, err := remoteDelivery(bucket, folder, m)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func remoteDelivery(bucket, folder string, m awsapi.Manifest) (*ingest.Delivery, error) {
	name := "s3://" + bucket + "/" + m.Key
	man, err := awscur.ParseManifest(m.Data, name)
	if err != nil {
		return nil, err
	}
	// The source has always been built this way for collections, even when
	// a Data Exports manifest names no account; stores hold versions by it.
	d := &ingest.Delivery{Source: "aws-cur/" + man.Account + "/" + man.Name(), Report: man.Name(), BillingAccount: man.Account,
		Period: ingest.Period(man.BillingPeriod), Version: man.Version(), Origin: name, Updated: m.LastModified}
	overwrite := false
	for _, o := range man.Objects() {
		if err := checkObject(bucket, folder, o); err != nil {
			column := "reportKeys"
			if len(man.ReportKeys) == 0 {
				column = "dataFiles"
			}
			return nil, &awscur.ParseError{File: name, Column: column, Problem: err.Error()}
		}
		if path.Dir(o.Key) == path.Dir(m.Key) {
			overwrite = true
		}
		d.Files = append(d.Files, "s3://"+bucket+"/"+o.Key)
	}
	if overwrite {
		// Files are replaced in place: the manifest's ETag names the delivery.
		d.Version = "etag:" + m.ETag + ":" + man.Checksum[:16]
	}
	return d, nil
}

// checkObject refuses a data file outside the report's bucket and folder
// (folder ends in "/"): a manifest that names another bucket, another
// folder, or a key that is not a clean path ("." or ".." segments, which
// some HTTP layer may resolve out of the folder, "//", a trailing "/").
func checkObject(bucket, folder string, o awscur.Object) error {
	if o.Bucket != "" && o.Bucket != bucket {
		return fmt.Errorf("data file %q is in bucket %q, not the report's %q: refused", "s3://"+o.Bucket+"/"+o.Key, o.Bucket, bucket)
	}
	for _, seg := range strings.Split(o.Key, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("data file key %q has a %q segment: refused (AWS never writes one)", o.Key, seg)
		}
	}
	if path.Clean(o.Key) != o.Key {
		return fmt.Errorf("data file key %q has an empty segment or ends in a slash: refused (AWS never writes one)", o.Key)
	}
	if !strings.HasPrefix(o.Key, folder) {
		return fmt.Errorf("data file key %q is outside the report's folder s3://%s/%s: refused", o.Key, bucket, folder)
	}
	return nil
}

// Open reads a CUR file's rows, as Format.Open does.
func (s *S3Report) Open(r io.Reader, name string, size int64) (ingest.RowReader, error) {
	return Format{}.Open(r, name, size)
}

// Download copies the object at an s3://bucket/key URL to w.
func (s *S3Report) Download(ctx context.Context, url string, w io.Writer, reset func() error) (int64, error) {
	rest, ok := strings.CutPrefix(url, "s3://")
	bucket, key, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		return 0, fmt.Errorf("download %s: not an s3://bucket/key URL", url)
	}
	return s.client.Download(ctx, bucket, key, w, reset)
}
