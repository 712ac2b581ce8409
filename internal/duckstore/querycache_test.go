package duckstore

import (
	"context"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestAnsweredQueriesAreKeptUntilTheDataChanges: a query asked again is
// answered from the cache, and a load that changes the rows ends that.
func TestAnsweredQueriesAreKeptUntilTheDataChanges(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	load(t, s, "src", "A", makeRows(month(2026, 8), 4, "1", "1"))
	l, err := s.Limit(QueryLimits{Cache: "1MB"})
	if err != nil {
		t.Fatal(err)
	}
	sum := func() decimal.Decimal {
		res, err := l.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0].Cost
	}
	if got := sum(); got.Cmp(decimal.FromInt(4)) != 0 {
		t.Fatalf("first answer %s, want 4", got)
	}
	// Rows changed behind the store's back are not seen: the answer is kept.
	if _, err := s.DB().Exec(`DELETE FROM cost_rows WHERE rowid IN (SELECT rowid FROM cost_rows LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if got := sum(); got.Cmp(decimal.FromInt(4)) != 0 {
		t.Fatalf("asked again: %s, want the kept 4", got)
	}
	// A load moves the data on: the answer is computed again.
	load(t, s, "src", "B", makeRows(month(2026, 8), 2, "1", "1"))
	if got := sum(); got.Cmp(decimal.FromInt(2)) != 0 {
		t.Fatalf("after a load: %s, want 2", got)
	}
}

func TestTheCacheKeepsWithinItsBudget(t *testing.T) {
	c := newQueryCache(2000)
	res := &cost.Result{Rows: []cost.ResultRow{{Currency: "USD", Groups: []string{"x"}}}}
	for i := range 50 {
		q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
			Filters: []cost.Filter{{Dimension: cost.Dimension{Column: "RegionId"}, Values: []string{string(rune('a' + i))}}}}
		if _, err := c.get(context.Background(), q, 1, func() (*cost.Result, error) { return res, nil }); err != nil {
			t.Fatal(err)
		}
		if c.used > c.budget {
			t.Fatalf("after %d answers the cache holds %d bytes, over its %d", i+1, c.used, c.budget)
		}
	}
	if len(c.entries) == 0 || len(c.entries) == 50 {
		t.Fatalf("%d answers kept, want some but not all", len(c.entries))
	}
	// A newer version drops the older answers.
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
	c.get(context.Background(), q, 2, func() (*cost.Result, error) { return res, nil }) //nolint:errcheck
	if len(c.entries) != 1 {
		t.Fatalf("%d answers kept after a newer version, want 1", len(c.entries))
	}
}
