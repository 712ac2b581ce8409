package azsource

import (
	"context"
	"io"

	"github.com/reckon-finops/reckon/internal/focussource"
)

// Blob is also the container of a FOCUS source: a focussource.Bucket.
var _ focussource.Bucket = (*Blob)(nil)

// Objects lists every blob under the prefix, for a source of files other
// than cost exports (FOCUS files). Failures carry the source's codes:
// cost.EAccessDeniedExport, cost.EExportNotFound.
func (b *Blob) Objects(ctx context.Context) ([]focussource.Object, error) {
	objs, err := b.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]focussource.Object, len(objs))
	sizes := make(map[string]int64, len(objs))
	for i, o := range objs {
		out[i] = focussource.Object{Name: o.Name, Size: o.Size, Modified: o.Modified, ETag: o.ETag}
		sizes[o.Name] = o.Size
	}
	// Download then refuses a blob whose size is not the listed one.
	b.mu.Lock()
	b.sizes = sizes
	b.mu.Unlock()
	return out, nil
}

// Read streams a blob from its start.
func (b *Blob) Read(ctx context.Context, name string) (io.ReadCloser, error) {
	resp, err := b.client.NewBlobClient(name).DownloadStream(ctx, nil)
	if err != nil {
		return nil, b.fail(ctx, "read blob "+name, err)
	}
	return resp.Body, nil
}
