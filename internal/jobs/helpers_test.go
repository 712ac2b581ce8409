package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// openStore is a real DuckDB store in a temporary folder.
func openStore(t testing.TB) *duckstore.Store {
	t.Helper()
	store, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// newRunner is a Runner over store, logging into logs.
func newRunner(store *duckstore.Store, clock cost.Clock, collector Collector, logs *bytes.Buffer, onCollect func(cost.ScopeID, int64, error)) *Runner {
	return New(Options{Catalog: store, Costs: store, Collector: collector, Clock: clock,
		Log: slog.New(slog.NewTextHandler(logs, nil)), OnCollect: onCollect})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// change changes the catalog directly, as the load path does.
func change(t testing.TB, c cost.Catalog, fn func(context.Context, cost.CatalogTx)) {
	t.Helper()
	ctx := context.Background()
	must(t, c.Update(ctx, func(tx cost.CatalogTx) error {
		fn(ctx, tx)
		return nil
	}))
}

// read reads the catalog directly.
func read[T any](t testing.TB, c cost.Catalog, fn func(context.Context, cost.CatalogReader) (T, error)) T {
	t.Helper()
	ctx := context.Background()
	var out T
	must(t, c.View(ctx, func(r cost.CatalogReader) error {
		var err error
		out, err = fn(ctx, r)
		return err
	}))
	return out
}

// fixedClock always says t.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// movingClock is a clock the test moves.
type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movingClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
