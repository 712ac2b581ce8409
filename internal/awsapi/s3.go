package awsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Manifest is a billing period's current manifest as read from S3.
type Manifest struct {
	Key          string
	ETag         string
	LastModified time.Time // when AWS last delivered the period
	Data         []byte
}

// ReportLocation finds the report definition and returns where its files
// are: the bucket and the report's folder ("<prefix>/<report>/").
func (c *Client) ReportLocation(ctx context.Context) (bucket, folder string, err error) {
	pages := costandusagereportservice.NewDescribeReportDefinitionsPaginator(c.cur, &costandusagereportservice.DescribeReportDefinitionsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if failed := c.roleFailed(err); failed != nil {
				return "", "", failed
			}
			return "", "", &cost.Error{Code: cost.EAccessDeniedReportDefinitions,
				Message: "reading report definitions failed (" + apiCode(err) + "): allow cur:DescribeReportDefinitions on *"}
		}
		for i := range page.ReportDefinitions {
			if def := &page.ReportDefinitions[i]; aws.ToString(def.ReportName) == c.opts.ReportName {
				return aws.ToString(def.S3Bucket), reportPrefix(def), nil
			}
		}
	}
	return "", "", &cost.Error{Code: cost.EFailedToFindReport, Message: fmt.Sprintf("no report named %q in account %s", c.opts.ReportName, c.account)}
}

// Manifests reads the current (period-level) manifest of every billing
// period under the report's folder, oldest first: CUR 1.0 keeps it in
// <folder>/<YYYYMMDD-YYYYMMDD>/, Data Exports (CUR 2.0) in
// <folder>/metadata/BILLING_PERIOD=YYYY-MM/.
func (c *Client) Manifests(ctx context.Context, bucket, folder string) ([]Manifest, error) {
	subfolders, err := c.subfolders(ctx, bucket, folder)
	if err != nil {
		return nil, err
	}
	var periods []string
	for _, p := range subfolders {
		switch strings.TrimPrefix(p, folder) {
		case "metadata/":
			exports, err := c.subfolders(ctx, bucket, p)
			if err != nil {
				return nil, err
			}
			periods = append(periods, exports...)
		case "data/":
		default:
			periods = append(periods, p)
		}
	}
	slices.Sort(periods)
	var out []Manifest
	for _, p := range periods {
		key := p + c.opts.ReportName + "-Manifest.json"
		m, err := c.getManifest(ctx, bucket, key)
		if err != nil {
			return nil, err
		}
		if m != nil {
			out = append(out, *m)
		}
	}
	return out, nil
}

// subfolders lists the "folders" directly under prefix.
func (c *Client) subfolders(ctx context.Context, bucket, prefix string) ([]string, error) {
	var out []string
	pages := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, &cost.Error{Code: cost.EAccessDeniedListReports,
				Message: fmt.Sprintf("listing s3://%s/%s failed (%s): allow s3:ListBucket on arn:aws:s3:::%s", bucket, prefix, apiCode(err), bucket)}
		}
		for _, p := range page.CommonPrefixes {
			out = append(out, aws.ToString(p.Prefix))
		}
	}
	return out, nil
}

func (c *Client) getManifest(ctx context.Context, bucket, key string) (*Manifest, error) {
	var buf bytes.Buffer
	meta, err := c.download(ctx, bucket, key, &buf, func() error { buf.Reset(); return nil })
	if errors.Is(err, errNoSuchKey) {
		return nil, nil // a folder that is not a billing period
	}
	if err != nil {
		return nil, err
	}
	return &Manifest{Key: key, ETag: meta.etag, LastModified: meta.modified, Data: buf.Bytes()}, nil
}

// errNoSuchKey marks a download of a key that does not exist.
var errNoSuchKey = errors.New("no such key")

func (c *Client) downloadError(bucket, key string, err error) error {
	return &cost.Error{Code: cost.EAccessDeniedDownloadReport,
		Message: fmt.Sprintf("reading s3://%s/%s failed (%s): allow s3:GetObject on the report's objects", bucket, key, apiCode(err))}
}

// Download copies an object to w, checking that every byte S3 announced
// arrived; a short or failed transfer is retried from the start (w must be
// rewindable: Download truncates it through reset) up to three times.
func (c *Client) Download(ctx context.Context, bucket, key string, w io.Writer, reset func() error) (int64, error) {
	var n int64
	counted := writerFunc(func(p []byte) (int, error) {
		k, err := w.Write(p)
		n += int64(k)
		return k, err
	})
	_, err := c.download(ctx, bucket, key, counted, func() error { n = 0; return reset() })
	if errors.Is(err, errNoSuchKey) {
		return 0, c.downloadError(bucket, key, err)
	}
	return n, err
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (c *Client) retryDelay() time.Duration {
	if c.opts.RetryDelay > 0 {
		return c.opts.RetryDelay
	}
	return 100 * time.Millisecond
}

// objectMeta is what a download learns of the object.
type objectMeta struct {
	etag     string
	modified time.Time
}

// download copies an object to w and returns its ETag and modification
// time, retrying failed or short transfers from the start.
func (c *Client) download(ctx context.Context, bucket, key string, w io.Writer, reset func() error) (objectMeta, error) {
	var last error
	for attempt := range 3 {
		if attempt > 0 {
			if err := reset(); err != nil {
				return objectMeta{}, err
			}
			select {
			case <-ctx.Done():
				return objectMeta{}, ctx.Err()
			case <-time.After(c.retryDelay() << (attempt - 1)):
			}
		}
		obj, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			switch {
			case apiCode(err) == "NoSuchKey":
				return objectMeta{}, errNoSuchKey
			case isAccessDenied(err):
				return objectMeta{}, c.downloadError(bucket, key, err)
			}
			last = err
			continue
		}
		n, err := io.Copy(w, obj.Body)
		obj.Body.Close()
		if err == nil && obj.ContentLength != nil && n != *obj.ContentLength {
			err = fmt.Errorf("got %d of %d bytes", n, *obj.ContentLength)
		}
		if err == nil {
			return objectMeta{aws.ToString(obj.ETag), aws.ToTime(obj.LastModified).UTC()}, nil
		}
		last = err
	}
	return objectMeta{}, fmt.Errorf("download s3://%s/%s: %w", bucket, key, last)
}
