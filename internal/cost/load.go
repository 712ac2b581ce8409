package cost

import (
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// RowSource yields cost rows until io.EOF. A row need only stay valid until
// the next call.
type RowSource interface {
	Next() (*Row, error)
}

// Load describes one load: the rows of some billing periods of one source,
// at one report version. Loading replaces each billing period the rows or
// Periods cover, for that source only.
type Load struct {
	Source  string      // the report the rows come from, e.g. "aws-cur/123456789012/hourly"
	Version string      // the report version, e.g. the manifest's assemblyId
	Origin  string      // what was read, for display
	Periods []time.Time // billing periods replaced even if the load has no rows for them
}

// PeriodResult sums what a load put into one billing period.
type PeriodResult struct {
	Start, End time.Time
	Rows       int64
	BilledCost decimal.Decimal
}

// LoadResult is the outcome of a load.
type LoadResult struct {
	LoadID  int64
	Rows    int64
	Periods []PeriodResult
}
