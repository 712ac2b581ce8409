// Package ingest loads billing exports into a store, whatever their format:
// it finds each billing period's current delivery (through a Format for
// folders and files, or a Remote for exports collected from the cloud),
// skips versions already loaded, chooses one report per billing account,
// and hands the period's rows to the store, which replaces the period
// atomically. Formats (AWS CUR today) plug in from their own packages.
package ingest

import (
	"context"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Store is what ingest needs of a cost store.
type Store interface {
	LoadedVersion(ctx context.Context, source string, period time.Time) (string, error)
	ReplacePeriods(ctx context.Context, load cost.Load, rows cost.RowSource) (cost.LoadResult, error)
}

// Progress observes a load as it reads. Implementations draw a progress bar
// or do nothing; they are called from the loading goroutine.
type Progress interface {
	// Start announces a load of total compressed bytes (0 if unknown).
	Start(label string, totalBytes int64)
	// Update reports bytes read so far (compressed, as stored) and rows parsed.
	Update(bytesRead, rows int64)
	// Finish ends the load's display.
	Finish()
}

// Loader loads deliveries into a Store.
type Loader struct {
	Store    Store
	Format   Format   // how IngestPath reads folders and files
	Progress Progress // nil for none
	Clock    cost.Clock
	// TempDir holds downloads while they load; "" means the system's.
	TempDir string

	// Replace lets a load replace another source's version of the same
	// billing account and period (Collect always replaces: a connector is
	// the authority for its payer).
	Replace bool
	// AllowEmpty lets a delivery with no rows empty a period that holds cost.
	AllowEmpty bool
	// Report names the one report to load where a folder holds several;
	// "" loads the one the store already holds, or the only one.
	Report string
	// Register is passed to every load the Loader makes (cost.Load.Register).
	Register cost.RegisterFunc
}

// Period is a billing period, start inclusive and end exclusive, in UTC.
type Period struct {
	Start, End time.Time
}

// String formats the period as its first and last day: 2026-08-01..2026-08-31.
func (p Period) String() string {
	if p.End.IsZero() {
		return p.Start.Format(time.DateOnly)
	}
	return p.Start.Format(time.DateOnly) + ".." + p.End.AddDate(0, 0, -1).Format(time.DateOnly)
}

// Report says what one load did for one billing period.
type Report struct {
	Source        string
	Period        Period
	Version       string
	Skipped       bool // the version was already loaded
	Rows          int64
	BilledCost    decimal.Decimal
	Currency      string
	Files         []string
	Bytes         int64     // compressed bytes read
	SourceUpdated time.Time // when the source last delivered the period (S3 LastModified), if known
	Duration      time.Duration
	Replaced      []string // other sources whose version of the period this load replaced
	Warnings      []string // defects worked around, and reports not loaded
	// OutsidePeriod counts the rows charged outside the billing period by
	// more than OutsideTolerance (a warning names the first).
	OutsidePeriod int64
}

type noProgress struct{}

func (noProgress) Start(string, int64) {}
func (noProgress) Update(int64, int64) {}
func (noProgress) Finish()             {}

func (l *Loader) progress() Progress {
	if l.Progress == nil {
		return noProgress{}
	}
	return l.Progress
}

func (l *Loader) now() time.Time {
	if l.Clock == nil {
		return time.Now()
	}
	return l.Clock.Now()
}
