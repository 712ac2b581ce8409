package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// storeFigures are one store's figures against the cost analysis
// issue's targets.
type storeFigures struct {
	name      string
	worst     float64       // max over the cases of api_p50/raw_p50
	aP50      time.Duration // the first case's, (a)
	worstP95  time.Duration
	cases     int
	mixErrors int
	mixP99    time.Duration
	differ    []string // the cases whose answers differ from the embedded store's
	reference bool     // the embedded store, which the others' answers are compared with
}

// add records a case's latencies and returns its api/raw ratio.
func (f *storeFigures) add(api, raw latencies) float64 {
	r := api.p(0.5).Seconds() / raw.p(0.5).Seconds()
	f.worst = max(f.worst, r)
	if f.cases == 0 {
		f.aP50 = api.p(0.5)
	}
	f.worstP95 = max(f.worstP95, api.p(0.95))
	f.cases++
	return r
}

// scaleOutQuery is the ClickHouse side of reckon bench query: the pair
// made for the run, and the API over it.
type scaleOutQuery struct {
	pair  *benchScaleOut
	so    *scaleOut
	api   *apiClient // the cache off, for the timed cases
	stops []func()
	figs  storeFigures
	log   serverErrors // the APIs' error lines, which their clients see only as "an internal error"
}

// openScaleOut loads the run's CUR into a fresh scale-out pair, checks
// that it holds the embedded store's total, and serves the API over it.
func (o *queryBench) openScaleOut(ctx context.Context, out io.Writer, dir string, duck *duckstore.Store) (_ *scaleOutQuery, err error) {
	pair, err := newBenchScaleOut(ctx, o.so)
	if err != nil {
		return nil, err
	}
	q := &scaleOutQuery{pair: pair, figs: storeFigures{name: "clickhouse"}}
	pair.announce(out, o.keep != "")
	defer func() {
		if err != nil {
			q.close(ctx, out, o.keep != "")
		}
	}()
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	m, err := pair.load(ctx, self, filepath.Join(dir, "cur.csv.gz"))
	if err != nil {
		return nil, fmt.Errorf("load into the ClickHouse store: %w", err)
	}
	fmt.Fprintf(out, "clickhouse load %.1f s, peak RSS %.0f MB (the loader; the ClickHouse servers share the machine's cores)\n",
		m.wall.Seconds(), float64(m.maxRSS)/1e6)
	// Timings taken while ClickHouse merges the load's parts would be of
	// the merges as much as of the queries, on both stores.
	settled, err := pair.waitMerges(ctx, 15*time.Minute)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "clickhouse: the shards' background merges of the load ended %.0f s after it\n", settled.Seconds())
	res, err := duck.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil {
		return nil, err
	}
	want := decimal.Zero
	for _, row := range res.Rows {
		want = want.Add(row.Cost)
	}
	if q.so, err = openScaleOut(ctx, pair.storeURL, pair.catalogURL); err != nil {
		return nil, err
	}
	if err := checkStoreTotal(ctx, q.so.store, "the ClickHouse store's", want.String()); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "check: the ClickHouse store's sum(BilledCost) = %s, the embedded store's\n", want)
	if q.api, err = q.serve(ctx, duckstore.QueryLimits{Timeout: time.Minute, Cache: "0"}); err != nil {
		return nil, err
	}
	return q, nil
}

// serve starts an API over the pair with its queries bounded as reckon
// serve --store bounds them (its default --query-concurrency), stopped by
// close.
func (q *scaleOutQuery) serve(ctx context.Context, l duckstore.QueryLimits) (*apiClient, error) {
	b := &backend{catalog: q.so.catalog, store: q.so.store, scale: q.so}
	queries, err := b.queries(l, serveConcurrency)
	if err != nil {
		return nil, err
	}
	c, stop, err := benchServer(ctx, q.so.catalog, queries, &q.log)
	if err != nil {
		return nil, err
	}
	q.stops = append(q.stops, stop)
	return c, nil
}

// serveConcurrency is reckon serve's default --query-concurrency.
const serveConcurrency = 8

// close stops the API, closes the pair and drops its databases unless
// keep.
func (q *scaleOutQuery) close(ctx context.Context, out io.Writer, keep bool) {
	for _, stop := range q.stops {
		stop()
	}
	if q.so != nil {
		q.so.Close()
	}
	q.pair.finish(ctx, out, keep)
}

// measure times the case through the API over the ClickHouse store and
// checks that its answer is the embedded store's.
func (q *scaleOutQuery) measure(ctx context.Context, out io.Writer, o *queryBench, c benchCase, duckAPI *apiClient, duckLat, rawLat latencies) error {
	lat, err := o.times(func() error { return q.api.do(ctx, "POST", "/api/v1/query", c.body, nil) })
	if err != nil {
		return fmt.Errorf("%s through the API on ClickHouse: %w", c.name, err)
	}
	ratio := q.figs.add(lat, rawLat)
	verdict, err := sameAnswers(ctx, duckAPI, q.api, c.body)
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	if !strings.HasPrefix(verdict, "identical") {
		q.figs.differ = append(q.figs.differ, c.name)
	}
	fmt.Fprintf(out, "%-36s api p50 %7s p95 %7s   clickhouse/duckdb p50 %.2f   api/raw %.3f   %s\n", "  on ClickHouse",
		ms(lat.p(0.5)), ms(lat.p(0.95)), lat.p(0.5).Seconds()/duckLat.p(0.5).Seconds(), ratio, verdict)
	return nil
}

// sameAnswers compares both APIs' whole answers (every page) to body,
// row by row in a canonical order, the measures as exact decimals.
func sameAnswers(ctx context.Context, a, b *apiClient, body map[string]any) (string, error) {
	x, err := wholeAnswer(ctx, a, body)
	if err != nil {
		return "", fmt.Errorf("the embedded store's answer: %w", err)
	}
	y, err := wholeAnswer(ctx, b, body)
	if err != nil {
		return "", fmt.Errorf("the ClickHouse store's answer: %w", err)
	}
	if len(x.Rows) != len(y.Rows) {
		return fmt.Sprintf("DIFFERENT answers: %d rows against the embedded store's %d", len(y.Rows), len(x.Rows)), nil
	}
	for _, r := range []*cost.Result{x, y} {
		slices.SortFunc(r.Rows, compareRows)
	}
	for i := range x.Rows {
		if d := rowDiff(&x.Rows[i], &y.Rows[i]); d != "" {
			return "DIFFERENT answers: " + d, nil
		}
	}
	return fmt.Sprintf("identical answers (%d rows)", len(x.Rows)), nil
}

// wholeAnswer follows the answer's nextLinks to its last page.
func wholeAnswer(ctx context.Context, c *apiClient, body map[string]any) (*cost.Result, error) {
	var all cost.Result
	path := "/api/v1/query"
	for page := 0; ; page++ {
		var r cost.Result
		if err := c.do(ctx, "POST", path, body, &r); err != nil {
			return nil, err
		}
		all.Columns = r.Columns
		all.Rows = append(all.Rows, r.Rows...)
		if r.NextLink == "" {
			return &all, nil
		}
		if page >= 10_000 {
			return nil, fmt.Errorf("more than %d pages", page)
		}
		path = strings.TrimPrefix(r.NextLink, c.server)
	}
}

// compareRows orders rows by date, groups and currency: the key, not the
// cost, so that ties in cost do not reorder them.
func compareRows(a, b cost.ResultRow) int {
	return cmp.Or(a.Date.Compare(b.Date), slices.Compare(a.Groups, b.Groups), cmp.Compare(a.Currency, b.Currency))
}

// rowDiff says how y differs from x, or "" when it does not.
func rowDiff(x, y *cost.ResultRow) string {
	key := fmt.Sprintf("%s %v %s", x.Date.Format(time.DateOnly), x.Groups, x.Currency)
	if compareRows(*x, *y) != 0 {
		return fmt.Sprintf("the row %s is %s %v %s on ClickHouse", key, y.Date.Format(time.DateOnly), y.Groups, y.Currency)
	}
	if x.Cost.Cmp(y.Cost) != 0 || len(x.More) != len(y.More) {
		return fmt.Sprintf("%s costs %s, %s on ClickHouse", key, x.Cost, y.Cost)
	}
	for i := range x.More {
		if x.More[i].Cmp(y.More[i]) != 0 {
			return fmt.Sprintf("%s measure %d is %s, %s on ClickHouse", key, i+2, x.More[i], y.More[i])
		}
	}
	return ""
}

// printTargets prints the cost analysis issue's targets, met or missed,
// on each store.
func printTargets(out io.Writer, stores ...*storeFigures) {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	rows := []struct {
		target string
		cell   func(f *storeFigures) string
	}{
		{"ratio <= 0.2", func(f *storeFigures) string { return fmt.Sprintf("%.3f %s", f.worst, verdict(f.worst <= 0.2)) }},
		{"(a) p50 <= 50 ms", func(f *storeFigures) string {
			return fmt.Sprintf("%s %s", ms(f.aP50), verdict(f.aP50 <= 50*time.Millisecond))
		}},
		{"every p95 <= 500 ms", func(f *storeFigures) string {
			return fmt.Sprintf("%s %s", ms(f.worstP95), verdict(f.worstP95 <= 500*time.Millisecond))
		}},
		{"clients, cache on: 0 errors, p99 <= 1 s", func(f *storeFigures) string {
			return fmt.Sprintf("%d, %s %s", f.mixErrors, ms(f.mixP99), verdict(f.mixErrors == 0 && f.mixP99 <= time.Second))
		}},
		{"identical answers", func(f *storeFigures) string {
			if f.reference {
				return "(the reference)"
			}
			if len(f.differ) > 0 {
				return "NO: " + strings.Join(f.differ, ", ")
			}
			return "yes"
		}},
	}
	line := func(first string, cell func(f *storeFigures) string) {
		var b strings.Builder
		fmt.Fprintf(&b, "%-40s", first)
		for _, f := range stores {
			fmt.Fprintf(&b, "  %-22s", cell(f))
		}
		fmt.Fprintln(out, strings.TrimRight(b.String(), " "))
	}
	line("targets (cost analysis issue)", func(f *storeFigures) string { return f.name })
	for _, r := range rows {
		line(r.target, r.cell)
	}
}

// serverErrors keeps the first lines an API server logs at level ERROR:
// its clients see only "an internal error occurred".
type serverErrors struct {
	mu    sync.Mutex
	lines []string
}

func (e *serverErrors) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.lines) < 3 {
		e.lines = append(e.lines, strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// first returns the lines kept.
func (e *serverErrors) first() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.lines)
}

// logger logs errors to e; a nil e discards everything.
func (e *serverErrors) logger() *slog.Logger {
	if e == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(e, &slog.HandlerOptions{Level: slog.LevelError}))
}
