package cursource

import (
	"context"
	"io"
	"strings"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/focussource"
)

// FilesClient is what files in S3 need of the connector's AWS side;
// *awsapi.Client has it.
type FilesClient interface {
	Objects(ctx context.Context, bucket, prefix string) ([]awsapi.Object, error)
	Read(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	Download(ctx context.Context, bucket, key string, w io.Writer, reset func() error) (int64, error)
}

// S3Files is the objects under a prefix of an S3 bucket, read as the
// connector's role: the bucket of a FOCUS source (a focussource.Bucket).
// Its files are keys, and only keys under the prefix are read.
type S3Files struct {
	client         FilesClient
	bucket, prefix string
}

var _ focussource.Bucket = (*S3Files)(nil)

// Files returns the objects under prefix (a folder: "" or ending in /,
// which is added) in the bucket.
func Files(c FilesClient, bucket, prefix string) *S3Files {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &S3Files{client: c, bucket: bucket, prefix: prefix}
}

// String names the bucket and prefix.
func (f *S3Files) String() string { return "s3://" + f.bucket + "/" + f.prefix }

// Objects lists the objects under the prefix.
func (f *S3Files) Objects(ctx context.Context) ([]focussource.Object, error) {
	objs, err := f.client.Objects(ctx, f.bucket, f.prefix)
	if err != nil {
		return nil, err
	}
	out := make([]focussource.Object, 0, len(objs))
	for _, o := range objs {
		if strings.HasPrefix(o.Key, f.prefix) {
			out = append(out, focussource.Object{Name: o.Key, Size: o.Size, Modified: o.Modified, ETag: o.ETag})
		}
	}
	return out, nil
}

// Read streams an object under the prefix.
func (f *S3Files) Read(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := f.inside(key); err != nil {
		return nil, err
	}
	return f.client.Read(ctx, f.bucket, key)
}

// Download copies an object under the prefix to w.
func (f *S3Files) Download(ctx context.Context, key string, w io.Writer, reset func() error) (int64, error) {
	if err := f.inside(key); err != nil {
		return 0, err
	}
	return f.client.Download(ctx, f.bucket, key, w, reset)
}

func (f *S3Files) inside(key string) error {
	if !strings.HasPrefix(key, f.prefix) || strings.Contains("/"+key+"/", "/../") {
		return cost.Errorf(cost.EExportIsNotValid, "%s is not under %s", key, f)
	}
	return nil
}
