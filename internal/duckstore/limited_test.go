package duckstore

import (
	"context"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestASlowExportDoesNotHoldTheQueriesTurns: with one query at a time
// (the store's memory over the share), an export whose reader has stopped
// reading leaves the queries their turn, and a second export waits for the
// first.
func TestASlowExportDoesNotHoldTheQueriesTurns(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{MemoryLimit: "64MB"})
	load(t, s, "src", "v1", makeRows(month(2026, 8), 50, "1", "1", "2"))
	l, err := s.Limit(QueryLimits{Memory: "64MB"})
	if err != nil || l.Concurrent() != 1 {
		t.Fatalf("%v, %d at once, want 1", err, l.Concurrent())
	}
	reading, release := make(chan struct{}), make(chan struct{})
	exported := make(chan error, 1)
	q := &cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostActual, Whole: true}
	go func() {
		first := true
		exported <- l.Each(context.Background(), q, func(*cost.ResultRow) error {
			if first {
				first = false
				close(reading)
				<-release // the reader stops reading
			}
			return nil
		})
	}()
	<-reading
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := l.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil || len(res.Rows) != 1 || res.Rows[0].Cost.String() != "50.0" {
		t.Fatalf("a query beside a stalled export: %v %v", res, err)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	if err := l.Each(short, q, func(*cost.ResultRow) error { return nil }); cost.ErrorCode(err) != cost.ETimeout {
		t.Errorf("a second export while the first runs: %v, want it to wait its turn until its deadline", err)
	}
	close(release)
	if err := <-exported; err != nil {
		t.Fatal(err)
	}
}
