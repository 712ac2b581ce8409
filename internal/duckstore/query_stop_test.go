package duckstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// slowTags makes every query that reads tag sets run for many minutes:
// tag_sets becomes a view that first hashes 10^11 numbers. Queries that do
// not group or filter by a tag stay fast.
func slowTags(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.db.Exec(`ALTER TABLE tag_sets RENAME TO tag_sets_base;
		CREATE VIEW tag_sets AS SELECT t.* FROM tag_sets_base t
		WHERE (SELECT count(*) FROM range(100000000000) WHERE hash(range) = 0) >= 0`); err != nil {
		t.Fatal(err)
	}
}

// byTag is a query that reads tag sets.
func byTag() *cost.Query {
	return &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
		Filters: []cost.Filter{{Dimension: dim("tag:Environment"), Values: []string{"prod"}}}}
}

// TestAQueryStopsWhenItsContextEnds cancels a query that would run for
// minutes: DuckDB interrupts it, the error says why, and the store goes on
// answering.
func TestAQueryStopsWhenItsContextEnds(t *testing.T) {
	s := seed(t)
	slowTags(t, s)
	shutdown := cost.Errorf(cost.EUnavailable, "the server is shutting down")
	tests := []struct {
		name  string
		ctx   func() (context.Context, func())
		code  string
		wants string
	}{
		{"its caller goes away", func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			return ctx, cancel
		}, cost.ECanceled, "cancelled"},
		{"its deadline passes", func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}, cost.ETimeout, "deadline"},
		{"the server shuts down", func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(context.Background())
			time.AfterFunc(300*time.Millisecond, func() { cancel(shutdown) })
			return ctx, func() { cancel(nil) }
		}, cost.EUnavailable, "shutting down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			_, err := s.Query(ctx, byTag())
			took := time.Since(start)
			if cost.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.wants) {
				t.Errorf("error %v, want a %s saying %q", err, tt.code, tt.wants)
			}
			// Uninterrupted, the query runs for minutes.
			if took > 20*time.Second {
				t.Errorf("the query stopped %s after it started", took)
			}
			t.Logf("stopped after %s", took)
			if got := total(t, s); got.Cmp(decimal.FromInt(12)) != 0 {
				t.Errorf("the next query: %s, want 12", got)
			}
		})
	}
}

// TestLimitedQueriesTakeTurns runs a query that holds the only turn: the
// next waits until it ends, and a deadline stops a query running or waiting.
func TestLimitedQueriesTakeTurns(t *testing.T) {
	s := seed(t) // 512MB
	slowTags(t, s)
	l, err := s.Limit(QueryLimits{Memory: "512MB"})
	if err != nil || l.Concurrent() != 1 {
		t.Fatalf("Limit = %v, %v; want one query at a time", l, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error)
	go func() {
		_, err := l.Query(ctx, byTag())
		first <- err
	}()
	for l.Running() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	next := make(chan *cost.Result)
	go func() {
		res, err := l.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
		if err != nil {
			t.Error(err)
		}
		next <- res
	}()
	select {
	case <-next:
		t.Fatal("a second query ran while the first held the only turn")
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	if err := <-first; cost.ErrorCode(err) != cost.ECanceled {
		t.Errorf("the first query: %v, want Canceled", err)
	}
	if res := <-next; res == nil || len(res.Rows) != 1 || res.Rows[0].Cost.Cmp(decimal.FromInt(12)) != 0 {
		t.Errorf("the second query: %+v, want 12", res)
	}

	timed, err := s.Limit(QueryLimits{Timeout: 300 * time.Millisecond, Memory: "512MB"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the first runs past its deadline, the second waits past it
		go func() {
			_, err := timed.Query(context.Background(), byTag())
			first <- err
		}()
	}
	for range 2 {
		if err := <-first; cost.ErrorCode(err) != cost.ETimeout || !strings.Contains(err.Error(), "limit of 300ms") {
			t.Errorf("a query past its deadline: %v, want a Timeout naming the limit", err)
		}
	}
}

func TestLimitSharesTheStoresMemory(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{MemoryLimit: "192MB"})
	tests := []struct {
		memory     string
		concurrent int
		ok         bool
	}{
		{"", 0, true},
		{"48MB", 4, true},
		{"64 MB", 3, true},
		{"100mb", 1, true},
		{"192MB", 1, true},
		{"0.5GB", 0, false},
		{"0MB", 0, false},
		{"48", 4_000_000, true},
		{"lots", 0, false},
		{"48XB", 0, false},
	}
	for _, tt := range tests {
		l, err := s.Limit(QueryLimits{Memory: tt.memory})
		if (err == nil) != tt.ok || err == nil && l.Concurrent() != tt.concurrent {
			t.Errorf("Memory %q: %v, %v; want %d at once, ok=%v", tt.memory, l, err, tt.concurrent, tt.ok)
		}
		if err != nil && cost.ErrorCode(err) != cost.EInvalid {
			t.Errorf("Memory %q: %v is not Invalid", tt.memory, err)
		}
	}
}

// TestASumPastTheRangeOfACostIsAnInvalidQuery: DECIMAL(38,18) holds less
// than 10^20; a total beyond it is the caller's to narrow, not a fault.
func TestASumPastTheRangeOfACostIsAnInvalidQuery(t *testing.T) {
	s := seed(t)
	if _, err := s.db.Exec(`UPDATE cost_rows SET BilledCost = 40000000000000000000`); err != nil {
		t.Fatal(err)
	}
	rollUpAgain(t, s)
	q := cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
	if _, err := s.Query(context.Background(), &q); cost.ErrorCode(err) != cost.EInvalid || !strings.Contains(err.Error(), "the sum overflows") {
		t.Errorf("six rows of 4·10^19: %v, want an Invalid saying the sum overflows", err)
	}
	got := run(t, s, cost.Query{Granularity: cost.GranularityDaily})
	if len(got) != 3 || got[0] != "80000000000000000000.0 USD 2026-08-01" {
		t.Errorf("two rows a day: %q", got)
	}
}

// rollUpAgain rebuilds the daily rollup from cost_rows, after a test wrote
// cost_rows straight, as no load can.
func rollUpAgain(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.db.Exec(`DELETE FROM cost_daily; DELETE FROM cost_daily_resources; DELETE FROM cost_monthly; DELETE FROM cost_monthly_resources`); err != nil {
		t.Fatal(err)
	}
	conn, err := s.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var ids []int64
	rows, err := conn.QueryContext(context.Background(), `SELECT DISTINCT load_id FROM cost_rows`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id) //nolint:errcheck
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := rollUp(context.Background(), conn, id); err != nil {
			t.Fatal(err)
		}
	}
}
