// Package querylimit bounds what the queries of a cost store may take when
// it serves many callers: a deadline per query, a number that run at once
// (the others wait their turn, within their deadline), one streamed export
// at a time beside them, and a cache of answers to queries asked again
// before the data changes. It wraps any store (DuckDB's, ClickHouse's)
// whose data version says when its answers may have changed.
package querylimit

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Store is a cost store's reads, as the API and the budgets make them.
type Store interface {
	Query(ctx context.Context, q *cost.Query) (*cost.Result, error)
	Each(ctx context.Context, q *cost.Query, fn func(*cost.ResultRow) error) error
	Values(ctx context.Context, q *cost.Query, vq cost.ValueQuery) (*cost.Values, error)
	Rows(ctx context.Context, q *cost.Query, fn func(*cost.Row) error) error
	ExtraKeys(ctx context.Context, q *cost.Query) ([]string, error)
	WriteParquet(ctx context.Context, q *cost.Query, w io.Writer) error
}

// Limits bound a store's queries.
type Limits struct {
	// Timeout is how long a query may take, waiting its turn included;
	// zero means no deadline.
	Timeout time.Duration
	// Concurrent is how many queries run at once; the others wait their
	// turn. Zero means no bound, and then exports are not bounded either.
	Concurrent int
	// Cache is the bytes of answers kept for queries asked again before
	// the data changes; zero keeps none.
	Cache int64
}

// Version returns the store's data version: a value that changes whenever
// an answer may have changed (a load committed, an account purged, an
// account renamed in the catalog). Answers are cached per version.
type Version func(ctx context.Context) (string, error)

// Limited is a store's reads bounded by Limits; create it with New.
type Limited struct {
	store   Store
	version Version
	timeout time.Duration
	turns   chan struct{} // one token per running query; nil when unbounded
	exports chan struct{} // the one streamed export at a time; nil when unbounded
	cache   *cache        // nil when none
}

// New bounds store's reads by l; version is needed for a cache.
func New(store Store, version Version, l Limits) (*Limited, error) {
	if l.Timeout < 0 {
		return nil, cost.Errorf(cost.EInvalid, "the query timeout %s is negative", l.Timeout)
	}
	out := &Limited{store: store, version: version, timeout: l.Timeout}
	if l.Cache > 0 {
		if version == nil {
			return nil, errors.New("querylimit: a cache needs the store's data version")
		}
		out.cache = newCache(l.Cache)
	}
	if l.Concurrent > 0 {
		out.turns = make(chan struct{}, l.Concurrent)
		out.exports = make(chan struct{}, 1)
	}
	return out, nil
}

// Concurrent is how many queries run at once; 0 means no bound.
func (l *Limited) Concurrent() int { return cap(l.turns) }

// Running is how many queries hold a turn now.
func (l *Limited) Running() int { return len(l.turns) }

// Stopped is the error of a query whose context ended: its cause when
// that is a cost error (the server's shutdown, the query's deadline),
// else Timeout or Canceled.
func Stopped(ctx context.Context) error {
	cause := context.Cause(ctx)
	if _, ok := errors.AsType[*cost.Error](cause); ok {
		return cause
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return cost.Errorf(cost.ETimeout, "the query ran past its deadline: narrow it (a shorter range, fewer groups)")
	}
	return cost.Errorf(cost.ECanceled, "the query was cancelled")
}

// deadline gives ctx the query timeout, with the words of its error.
func (l *Limited) deadline(ctx context.Context, what string) (context.Context, context.CancelFunc) {
	if l.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, l.timeout, cost.Errorf(cost.ETimeout,
		"%s ran past the server's limit of %s: narrow it (a shorter range, fewer groups)", what, l.timeout))
}

// turn waits for a query's turn, or for ctx to end; release gives it back.
func (l *Limited) turn(ctx context.Context) (release func(), err error) {
	return take(ctx, l.turns)
}

func take(ctx context.Context, slots chan struct{}) (func(), error) {
	if slots == nil {
		return func() {}, nil
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, Stopped(ctx)
	}
}

// Query runs q when its turn comes, within the deadline: a query still
// running at the deadline is interrupted, and one still waiting gives up.
// An answer of the current data version is served from the cache.
func (l *Limited) Query(ctx context.Context, q *cost.Query) (*cost.Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err // before waiting a turn
	}
	ctx, cancel := l.deadline(ctx, "the query")
	defer cancel()
	run := func() (*cost.Result, error) {
		release, err := l.turn(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
		return l.store.Query(ctx, q)
	}
	if l.cache == nil {
		return run()
	}
	version, err := l.version(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, Stopped(ctx) // its deadline, not the version's fault
		}
		return nil, err
	}
	return l.cache.get(ctx, q, version, run)
}

// Values lists dimension values (Store.Values) when a query's turn comes,
// within the deadline.
func (l *Limited) Values(ctx context.Context, q *cost.Query, vq cost.ValueQuery) (*cost.Values, error) {
	if err := q.Validate(); err != nil {
		return nil, err // before waiting a turn
	}
	if err := vq.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := l.deadline(ctx, "listing the values")
	defer cancel()
	release, err := l.turn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return l.store.Values(ctx, q, vq)
}

// ExtraKeys is Store.ExtraKeys when a query's turn comes: it reads the
// range as a query does, before the export's rows.
func (l *Limited) ExtraKeys(ctx context.Context, q *cost.Query) ([]string, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	release, err := l.turn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return l.store.ExtraKeys(ctx, q)
}

// Each streams q's rows (Store.Each) when the export slot is free. An
// export runs at its reader's pace and may take longer than a query: the
// deadline is the caller's (the server's write timeout), not the query
// timeout. It takes the one export slot, not a query's turn, so that slow
// readers of exports cannot hold every turn and starve the queries; the
// store counts on one export beside the queries.
func (l *Limited) Each(ctx context.Context, q *cost.Query, fn func(*cost.ResultRow) error) error {
	return l.export(ctx, q, func() error { return l.store.Each(ctx, q, fn) })
}

// Rows streams the stored rows (Store.Rows) in the export slot.
func (l *Limited) Rows(ctx context.Context, q *cost.Query, fn func(*cost.Row) error) error {
	return l.export(ctx, q, func() error { return l.store.Rows(ctx, q, fn) })
}

// WriteParquet writes the stored rows as Parquet (Store.WriteParquet) in
// the export slot; a nil q reads no rows and waits for nothing.
func (l *Limited) WriteParquet(ctx context.Context, q *cost.Query, w io.Writer) error {
	if q == nil {
		return l.store.WriteParquet(ctx, nil, w)
	}
	return l.export(ctx, q, func() error { return l.store.WriteParquet(ctx, q, w) })
}

// export runs fn, which streams q, in the export slot.
func (l *Limited) export(ctx context.Context, q *cost.Query, fn func() error) error {
	if err := q.Validate(); err != nil {
		return err
	}
	release, err := take(ctx, l.exports)
	if err != nil {
		return err
	}
	defer release()
	return fn()
}
