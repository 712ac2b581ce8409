package azsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/reckon-finops/reckon/internal/azexport"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/csvscan"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// RemoteOptions say where an export's container is and how to read it.
type RemoteOptions struct {
	// AccountURL is the storage account's blob endpoint:
	// https://<account>.blob.core.windows.net, or Azurite's
	// http://127.0.0.1:10000/devstoreaccount1.
	AccountURL string
	Container  string
	// Prefix is the exports' root folder in the container ("" for all of
	// it); only blobs under it are read.
	Prefix string
	// SASToken is a shared access signature with read and list permissions
	// on the container; or AccountName and AccountKey, a shared key. Neither
	// ever appears in an error or in String.
	SASToken                string
	AccountName, AccountKey string
	// RetryDelay is the first wait before a failed request or transfer is
	// tried again (doubling each time); 0 means 200 ms.
	RetryDelay time.Duration
	Options
}

// Blob is the exports in a Blob Storage container, read through the azblob
// SDK, as an ingest.Remote. Its deliveries' files are blob names.
type Blob struct {
	opts   RemoteOptions
	client *container.Client
	reg    registry
	mu     sync.Mutex
	sizes  map[string]int64 // the listed size of each file of a delivery
}

// NewRemote returns the exports in the container opts names. It reaches no
// network until Deliveries.
func NewRemote(opts RemoteOptions) (*Blob, error) {
	opts.AccountURL = strings.TrimRight(opts.AccountURL, "/")
	opts.SASToken = strings.TrimPrefix(opts.SASToken, "?")
	if opts.AccountURL == "" || opts.Container == "" {
		return nil, cost.Errorf(cost.EInvalid, "an Azure export source needs the storage account's blob URL and the container")
	}
	if strings.Contains(opts.AccountURL, "?") {
		return nil, cost.Errorf(cost.EInvalid, "the account URL must not carry a query; give the SAS token on its own")
	}
	if opts.Prefix != "" && !strings.HasSuffix(opts.Prefix, "/") {
		opts.Prefix += "/"
	}
	opts.Prefix = strings.TrimLeft(opts.Prefix, "/")
	delay := opts.RetryDelay
	if delay <= 0 {
		delay = 200 * time.Millisecond
	}
	co := &container.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: delay, MaxRetryDelay: 8 * delay},
	}}
	url := opts.AccountURL + "/" + opts.Container
	var (
		c   *container.Client
		err error
	)
	switch {
	case opts.SASToken != "":
		c, err = container.NewClientWithNoCredential(url+"?"+opts.SASToken, co)
	case opts.AccountName != "" && opts.AccountKey != "":
		var cred *container.SharedKeyCredential
		if cred, err = container.NewSharedKeyCredential(opts.AccountName, opts.AccountKey); err == nil {
			c, err = container.NewClientWithSharedKeyCredential(url, cred, co)
		}
	default:
		return nil, cost.Errorf(cost.EInvalid, "an Azure export source needs a SAS token, or the storage account's name and key")
	}
	if err != nil {
		// The SDK's messages may quote the key's decoding; say only what to fix.
		return nil, cost.Errorf(cost.EInvalid, "cannot use the credentials given for %s: the account key must be base64, the SAS token a query string", opts.AccountURL)
	}
	return &Blob{opts: opts, client: c}, nil
}

// String names the container and prefix, never the credentials.
func (b *Blob) String() string {
	return "azblob " + b.opts.AccountURL + "/" + b.opts.Container + "/" + b.opts.Prefix
}

// Deliveries lists the container under the prefix, reads the newest
// manifest of each export and month, and returns one delivery per scope
// and month (see Format.Find).
func (b *Blob) Deliveries(ctx context.Context) ([]*ingest.Delivery, error) {
	objs, err := b.list(ctx)
	if err != nil {
		return nil, err
	}
	same := func(name string) string { return name }
	gs, err := plan(newestManifests(objs), func(o object) ([]byte, error) { return b.readManifest(ctx, o) }, b.opts.Options, same)
	if errors.Is(err, errNoExports) {
		return nil, cost.Errorf(cost.EExportNotFound, "%s holds no Azure cost export under prefix %q: %s. Check the export's container and "+
			"root folder path, and that it has run at least once", b.where(), b.opts.Prefix, expected)
	}
	if err != nil {
		return nil, cost.Errorf(cost.EExportIsNotValid, "%s: Reckon cannot read this export: %v", b.where(), err)
	}
	if err := checkFiles(gs, objs, b.where(), same); err != nil {
		return nil, cost.Errorf(cost.EExportIsNotValid, "%v", err)
	}
	sizes := map[string]int64{}
	for _, o := range objs {
		sizes[o.Name] = o.Size
	}
	b.mu.Lock()
	b.sizes = sizes
	b.mu.Unlock()
	return b.reg.register(gs, func(name string) string { return name }), nil
}

func (b *Blob) where() string {
	return "container " + b.opts.Container + " of " + b.opts.AccountURL
}

// list returns every blob under the prefix.
func (b *Blob) list(ctx context.Context) ([]object, error) {
	var objs []object
	pager := b.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &b.opts.Prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, b.fail(ctx, "list the blobs", err)
		}
		for _, it := range page.Segment.BlobItems {
			if it.Name == nil || it.Properties == nil || it.Properties.ContentLength == nil {
				continue
			}
			o := object{Name: *it.Name, Size: *it.Properties.ContentLength}
			if it.Properties.LastModified != nil {
				o.Modified = it.Properties.LastModified.UTC()
			}
			if it.Properties.ETag != nil {
				o.ETag = string(*it.Properties.ETag)
			}
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// readManifest downloads a manifest, refusing one past maxManifest.
func (b *Blob) readManifest(ctx context.Context, o object) ([]byte, error) {
	if o.Size > maxManifest {
		return nil, fmt.Errorf("manifest %s is %d bytes, more than the %d Reckon reads", o.Name, o.Size, maxManifest)
	}
	var buf strings.Builder
	if _, err := b.download(ctx, o.Name, o.Size, &buf, func() error { buf.Reset(); return nil }); err != nil {
		return nil, err
	}
	return []byte(buf.String()), nil
}

// runSegment is a folder a run adds below its export and month: the time
// it ran (yyyyMMddHHmm) or its GUID.
var runSegment = regexp.MustCompile(`^(\d{12}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$`)

// newestManifests keeps, of the manifests of one export and month (their
// folders the same but for the run's time and GUID), only the one written
// last: a container holds a run for every day of every month, and reading
// each manifest would cost a request. Other blobs are kept.
func newestManifests(objs []object) []object {
	newest := map[string]int{}
	var out []object
	for _, o := range objs {
		if path.Base(o.Name) != "manifest.json" {
			out = append(out, o)
			continue
		}
		var key []string
		for _, seg := range strings.Split(path.Dir(o.Name), "/") {
			if !runSegment.MatchString(seg) {
				key = append(key, seg)
			}
		}
		k := strings.Join(key, "/")
		i, seen := newest[k]
		switch {
		case !seen:
			newest[k] = len(out)
			out = append(out, o)
		case o.Modified.After(out[i].Modified) || (o.Modified.Equal(out[i].Modified) && o.Name > out[i].Name):
			out[i] = o
		}
	}
	return out
}

// Open reads the rows of a file of a delivery Deliveries returned. Bad
// input is an error with code cost.EExportIsNotValid, whose message names
// the blob, line and column, for the collection's error.
func (b *Blob) Open(r io.Reader, name string, size int64) (ingest.RowReader, error) {
	rr, err := b.reg.open(r, name, size)
	if err != nil {
		return nil, notValid(err)
	}
	return invalidRows{rr}, nil
}

// invalidRows marks a reader's bad input as cost.EExportIsNotValid.
type invalidRows struct{ ingest.RowReader }

func (r invalidRows) Next() (*cost.Row, error) {
	row, err := r.RowReader.Next()
	if err != nil && err != io.EOF {
		return nil, notValid(err)
	}
	return row, err
}

func notValid(err error) error {
	var (
		pe  *azexport.ParseError
		cpe *csvscan.ParseError
	)
	if errors.As(err, &pe) || errors.As(err, &cpe) {
		return cost.Errorf(cost.EExportIsNotValid, "%v", err)
	}
	return err
}

// Download copies the blob to w, retrying a failed or short transfer from
// the start after reset, and refuses a blob whose size is not the one its
// manifest (or the listing) gave.
func (b *Blob) Download(ctx context.Context, name string, w io.Writer, reset func() error) (int64, error) {
	want := int64(-1)
	if fi := b.reg.lookup(name); fi != nil {
		want = fi.file.bytes
	}
	if want < 0 {
		b.mu.Lock()
		if n, ok := b.sizes[name]; ok {
			want = n
		}
		b.mu.Unlock()
	}
	return b.download(ctx, name, want, w, reset)
}

func (b *Blob) download(ctx context.Context, name string, want int64, w io.Writer, reset func() error) (int64, error) {
	blob := b.client.NewBlobClient(name)
	var last error
	for attempt := range 3 {
		if attempt > 0 {
			if err := reset(); err != nil {
				return 0, err
			}
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(b.delay() << (attempt - 1)):
			}
		}
		resp, err := blob.DownloadStream(ctx, nil)
		if err != nil {
			return 0, b.fail(ctx, "read blob "+name, err)
		}
		n, err := io.Copy(w, resp.Body)
		resp.Body.Close()
		if err == nil && want >= 0 && n != want {
			err = fmt.Errorf("got %d bytes of the %d expected", n, want)
			if resp.ContentLength != nil && *resp.ContentLength == n {
				// The blob itself is that size: it was cut short (or
				// replaced) after the manifest was written.
				return n, cost.Errorf(cost.EExportIsNotValid, "blob %s in %s is %d bytes but its manifest says %d: it was cut short or "+
					"replaced after the run; run the export again", name, b.where(), n, want)
			}
		}
		if err == nil {
			return n, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		last = err
	}
	return 0, fmt.Errorf("download blob %s from %s: %s", name, b.where(), b.redact(last))
}

func (b *Blob) delay() time.Duration {
	if b.opts.RetryDelay > 0 {
		return b.opts.RetryDelay
	}
	return 200 * time.Millisecond
}
