// Package ingest loads AWS CUR reports into a store: it finds each billing
// period's current report version (from manifests in a folder laid out like a
// CUR bucket, or a single CUR file), skips versions already loaded, and hands
// the period's rows to the store, which replaces the period atomically.
package ingest

import (
	"context"
	"time"

	"github.com/reckon-finops/reckon/internal/awscur"
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

// Loader loads reports into a Store.
type Loader struct {
	Store    Store
	Progress Progress // nil for none
	Clock    cost.Clock
	// TempDir holds downloads while they load; "" means the system's.
	TempDir string
}

// Report says what one load did for one billing period.
type Report struct {
	Source        string
	Period        awscur.Period
	Version       string
	Skipped       bool // the version was already loaded
	Rows          int64
	BilledCost    decimal.Decimal
	Currency      string
	Files         []string
	Bytes         int64     // compressed bytes read
	SourceUpdated time.Time // when the source last delivered the period (S3 LastModified), if known
	Duration      time.Duration
	Warnings      []awscur.Warning
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
