package querylimit

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// fakeStore answers every query with its count of runs; block, when set,
// holds each query until it is closed or the query's context ends.
type fakeStore struct {
	runs  atomic.Int64
	block chan struct{}
}

func (f *fakeStore) Query(ctx context.Context, _ *cost.Query) (*cost.Result, error) {
	n := f.runs.Add(1)
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, Stopped(ctx)
		}
	}
	return &cost.Result{Rows: []cost.ResultRow{{Cost: decimal.FromInt(n), Currency: "USD"}}}, nil
}
func (f *fakeStore) Each(context.Context, *cost.Query, func(*cost.ResultRow) error) error { return nil }
func (f *fakeStore) Values(context.Context, *cost.Query, cost.ValueQuery) (*cost.Values, error) {
	return &cost.Values{}, nil
}
func (f *fakeStore) Rows(context.Context, *cost.Query, func(*cost.Row) error) error { return nil }
func (f *fakeStore) ExtraKeys(context.Context, *cost.Query) ([]string, error)       { return nil, nil }
func (f *fakeStore) WriteParquet(context.Context, *cost.Query, io.Writer) error     { return nil }

func query() *cost.Query {
	return &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
}

// TestAnswersAreKeptForOneDataVersion: an answer is served again while the
// version holds, computed again when another arrives, and an answer
// computed for a version the cache has left is not kept.
func TestAnswersAreKeptForOneDataVersion(t *testing.T) {
	ctx := context.Background()
	store := &fakeStore{}
	version := "1"
	l, err := New(store, func(context.Context) (string, error) { return version, nil }, Limits{Cache: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ask := func() int64 {
		res, err := l.Query(ctx, query())
		if err != nil {
			t.Fatal(err)
		}
		for n := int64(1); n < 10; n++ {
			if res.Rows[0].Cost.Cmp(decimal.FromInt(n)) == 0 {
				return n
			}
		}
		t.Fatalf("answer %s", res.Rows[0].Cost)
		return 0
	}
	if a, b := ask(), ask(); a != 1 || b != 1 {
		t.Fatalf("asked twice at one version: runs %d then %d, want 1 and 1 (kept)", a, b)
	}
	version = "2"
	if got := ask(); got != 2 {
		t.Fatalf("after the version moved: run %d, want 2 (computed again)", got)
	}
	// A version that differs counts as newer, whatever it reads as: the
	// store says when its answers changed, not in which order.
	version = "10"
	if got := ask(); got != 3 {
		t.Fatalf("at version 10: run %d, want 3", got)
	}
	// An answer of a version the cache has left is not kept.
	l.cache.get(ctx, query(), "11", func() (*cost.Result, error) { //nolint:errcheck
		l.cache.get(ctx, &cost.Query{Granularity: cost.GranularityDaily}, "12", func() (*cost.Result, error) { return store.Query(ctx, nil) }) //nolint:errcheck
		return store.Query(ctx, query())
	})
	if len(l.cache.entries) != 1 || l.cache.version != "12" {
		t.Errorf("after a slow answer of version 11 behind one of 12: %d kept at %q, want only 12's", len(l.cache.entries), l.cache.version)
	}
}

// TestQueriesWaitTheirTurnWithinTheirDeadline: with one turn, a second
// query waits for the first, and gives up with a Timeout at its deadline.
func TestQueriesWaitTheirTurnWithinTheirDeadline(t *testing.T) {
	store := &fakeStore{block: make(chan struct{})}
	l, err := New(store, nil, Limits{Concurrent: 1, Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error)
	go func() {
		_, err := l.Query(context.Background(), query())
		first <- err
	}()
	for l.Running() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err = l.Query(ctx, query())
	if e, ok := errors.AsType[*cost.Error](err); !ok || e.Code != cost.ETimeout {
		t.Errorf("a query waiting past its deadline: %v, want a Timeout", err)
	}
	if n := store.runs.Load(); n != 1 {
		t.Errorf("%d queries ran, want 1: the waiting one never ran", n)
	}
	close(store.block)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, err := New(store, nil, Limits{Cache: 1}); err == nil {
		t.Error("a cache without a data version was accepted")
	}
}
