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
