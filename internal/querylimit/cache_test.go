package querylimit

import (
	"context"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

func TestTheCacheKeepsWithinItsBudget(t *testing.T) {
	c := newCache(2000)
	res := &cost.Result{Rows: []cost.ResultRow{{Currency: "USD", Groups: []string{"x"}}}}
	for i := range 50 {
		q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
			Filters: []cost.Filter{{Dimension: cost.Dimension{Column: "RegionId"}, Values: []string{string(rune('a' + i))}}}}
		if _, err := c.get(context.Background(), q, "1", func() (*cost.Result, error) { return res, nil }); err != nil {
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
	c.get(context.Background(), q, "2", func() (*cost.Result, error) { return res, nil }) //nolint:errcheck
	if len(c.entries) != 1 {
		t.Fatalf("%d answers kept after a newer version, want 1", len(c.entries))
	}
}
