package budget_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// countingCatalog is the store's catalog, counting its write transactions:
// each commit moves the store's data version on, which empties the query
// cache of every reader.
type countingCatalog struct {
	*duckstore.Store
	updates atomic.Int32
}

func (c *countingCatalog) Update(ctx context.Context, fn func(cost.CatalogTx) error) error {
	c.updates.Add(1)
	return c.Store.Update(ctx, fn)
}

// TestAnEvaluationThatFindsNothingNewWritesNothing evaluates a budget that
// fired, twice more on the same data: the later evaluations open no write
// transaction, so a scheduled evaluation leaves the query cache warm.
func TestAnEvaluationThatFindsNothingNewWritesNothing(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	saveBudget(t, store, atFull(oct))
	deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "1200.00"))
	clk := &clock{t: day(2026, 10, 20).Add(6 * time.Hour)}
	counting := &countingCatalog{Store: store}
	e := budget.New(budget.Options{Catalog: counting, Costs: store, Clock: clk, Notifier: &recorder{clock: clk}})
	must(t, e.Evaluate(ctx))
	if counting.updates.Load() == 0 {
		t.Fatal("the first evaluation wrote nothing; its alert should have fired")
	}
	counting.updates.Store(0)
	for range 2 {
		clk.mu.Lock()
		clk.t = clk.t.Add(time.Hour)
		clk.mu.Unlock()
		must(t, e.Evaluate(ctx))
	}
	if n := counting.updates.Load(); n != 0 {
		t.Errorf("two evaluations that found nothing new opened %d write transactions", n)
	}
}
