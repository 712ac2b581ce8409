package ingest

import (
	"context"
	"io"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Delivery is one version of a report: the current delivery of one billing
// period, or a single file whose rows give its billing periods.
type Delivery struct {
	// Source names the report in the store, the same for every version of it,
	// so that a new version replaces the old ("aws-cur/<payer>/<report>").
	Source string
	// Report is the report's name, as Loader.Report names it; "" for a
	// single file.
	Report string
	// BillingAccount is the account every row is billed to (the AWS payer);
	// "" means the first row says, unless Mixed.
	BillingAccount string
	// Mixed marks a delivery whose rows may be billed to several billing
	// accounts (a FOCUS file of several providers): its load names none, so
	// it replaces only its own source's earlier versions.
	Mixed bool
	// Period is the billing period the delivery replaces, even if it has no
	// rows; every row must belong to it, unless FromRows.
	Period Period
	// FromRows marks a single file: its rows say which billing periods it
	// replaces, and Period is its first row's.
	FromRows bool
	Version  string // identifies the delivery, e.g. the manifest's assemblyId
	Origin   string // what was read, for messages: a manifest or a file
	// Files are local paths, or for a Remote's delivery the keys its
	// Download takes, in order. The Opener is given these names (a key, not
	// the temporary file it was downloaded to), and messages name them.
	Files []string
	// Root, when set, is the folder every one of Files lies in: they are
	// opened through os.Root, so that no symbolic link, even one swapped
	// in after Find, leads out of it.
	Root    string
	Updated time.Time // when the source delivered it, if known
}

// Opener reads the rows of one file of a delivery.
type Opener interface {
	// Open reads rows from r, the file's content as stored (compressed or
	// not), of size bytes (0 if unknown), which bounds how far a
	// compressed file may inflate; name is the file as the delivery's
	// Files name it, and labels errors and warnings.
	Open(r io.Reader, name string, size int64) (RowReader, error)
}

// RowReader yields the rows of one file.
type RowReader interface {
	// Next returns the next row, valid until the next call, or io.EOF.
	Next() (*cost.Row, error)
	// Line is the line of the row Next returned last, for messages.
	Line() int
	// Warnings lists the defects worked around so far.
	Warnings() []string
	// Close releases what Open started, such as a decompressing goroutine.
	Close() error
}

// Format is a kind of billing export on disk (AWS CUR; Azure exports and
// FOCUS files next): where its deliveries are in a folder, what a single
// file holds, and how to read its rows.
type Format interface {
	Opener
	// Find returns the current delivery of every billing period of every
	// report under root, a folder laid out as the format's exports are; it
	// fails, saying what it expected, when there is none.
	Find(root string) ([]*Delivery, error)
	// File returns the delivery of a single file.
	File(path string) (*Delivery, error)
}

// Remote is a report where its provider delivers it (a CUR in S3, an Azure
// export in Blob Storage).
type Remote interface {
	Opener
	// Deliveries returns the current delivery of every billing period, its
	// Files being keys for Download.
	Deliveries(ctx context.Context) ([]*Delivery, error)
	// Download copies one file to w, retrying a short or failed transfer
	// from the start after calling reset, which empties w.
	Download(ctx context.Context, key string, w io.Writer, reset func() error) (int64, error)
}
