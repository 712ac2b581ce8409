package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

func newBenchQueryCommand() *cobra.Command {
	o := queryBench{store: loadOptions()}
	cmd := &cobra.Command{
		Use:   "query --rows N [--months 3] [--runs 15] [--clients 50] [--duration 30s] [--cardinality realistic|high] [--keep DIR] [--store clickhouse://… --catalog postgres://…]",
		Short: "Time the query engine through the API against hand-written SQL on a flat DuckDB table",
		Long: `Generate a CUR of about N rows over --months (--cardinality high: a
distinct description, resource and tag value on every row), load it with
reckon ingest, and load the same file into a flat DuckDB table of the raw
line items (read_csv, as an analyst would). Then start the API
in-process and time, through HTTP with a bearer token and with the answer
cache off:

  (a) a 30-day daily group-by-service on the root group
  (b) a monthly group-by account and service over the whole store
  (c) the top 10 resources with the rest as Others
  (d) a nested and/or/not filter with a tag grouping

and the same GROUP BYs written by hand against the flat table, --runs times
each. It prints p50 and p95 of each; then --clients clients run the mix
for --duration through a server with the cache on, as reckon serve has it,
and again with it off, each with the errors and p50/p95/p99. The last line is
"ratio <max over (a)-(d) of api_p50/raw_p50>".

With --store and --catalog, the same file is also loaded into the ClickHouse
store (a ClickHouse database and a PostgreSQL database made for the run,
dropped after it unless --keep), and an API over the PostgreSQL catalog and
the ClickHouse store answers (a)-(d) beside the embedded store's: each
query's p50 and p95 on it, whether both stores' answers are identical (every
row, exact decimals), the clients' mix with the cache on and off (queries
bounded as reckon serve --store bounds them), and a table
of the cost analysis issue's targets met or missed on each store: ratio <=
0.2, (a) p50 <= 50 ms, every p95 <= 500 ms, 0 errors and p99 <= 1 s for the
clients. The line before the last is "ratio clickhouse <max api_p50/raw_p50>".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.rows <= 0 || o.months <= 0 || o.runs <= 0 || o.clients <= 0 || o.duration <= 0 {
				return usageErrorf("--rows, --months, --runs, --clients and --duration must be positive")
			}
			if o.cardinality != string(synth.RealisticCardinality) && o.cardinality != string(synth.HighCardinality) {
				return usageErrorf("--cardinality %q: use realistic or high", o.cardinality)
			}
			if err := o.so.check(); err != nil {
				return err
			}
			return o.run(cmd.Context(), cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.rows, "rows", 1_000_000, "rows to generate")
	f.IntVar(&o.months, "months", 3, "billing periods the rows spread over")
	f.IntVar(&o.runs, "runs", 15, "timed runs of each query, after two to warm up")
	f.IntVar(&o.clients, "clients", 50, "concurrent clients of the mix")
	f.DurationVar(&o.duration, "duration", 30*time.Second, "how long the clients run")
	f.StringVar(&o.keep, "keep", "", "keep (and reuse) the CUR, the data folder and the flat table in DIR")
	f.StringVar(&o.store.MemoryLimit, "memory", o.store.MemoryLimit, "memory for the store's DuckDB, as reckon serve --memory")
	f.IntVar(&o.store.Threads, "threads", o.store.Threads, "the store's DuckDB threads, as reckon serve --threads")
	f.StringVar(&o.cardinality, "cardinality", string(synth.RealisticCardinality),
		"realistic, or high: a distinct description, resource and tag value on every row")
	o.so.add(cmd)
	return cmd
}

// queryBench is one run of `reckon bench query`.
type queryBench struct {
	rows, months, runs, clients int
	duration                    time.Duration
	keep, cardinality           string
	store                       duckstore.Options // as reckon serve opens it
	so                          benchScaleOutFlags
}

// benchCase is one query: its API body and the hand-written SQL on the
// flat table that answers the same.
type benchCase struct {
	name string
	body map[string]any
	raw  string
}

// benchCases are (a)-(d) on data that starts at start.
func benchCases(start time.Time, months int) []benchCase {
	last := start.AddDate(0, months-1, 0)
	from, to := last.Format(time.DateOnly), last.AddDate(0, 0, 30).Format(time.DateOnly)
	const cost = `"lineItem/UnblendedCost"`
	return []benchCase{
		{"(a) 30 days daily by service", map[string]any{"scope": "mg/root", "from": from, "to": to,
			"granularity": "daily", "groupBy": []string{"ServiceName"}},
			`SELECT CAST("lineItem/UsageStartDate" AS DATE) AS day, "product/ProductName", sum(` + cost + `) FROM cur
			 WHERE "lineItem/UsageStartDate" >= '` + from + `' AND "lineItem/UsageStartDate" < '` + to + `'
			 GROUP BY ALL ORDER BY 1, 3 DESC`},
		{"(b) monthly by account and service", map[string]any{"scope": "mg/root", "granularity": "monthly",
			"groupBy": []string{"SubAccountId", "ServiceName"}},
			`SELECT date_trunc('month', "lineItem/UsageStartDate") AS month, "lineItem/UsageAccountId", "product/ProductName", sum(` + cost + `)
			 FROM cur GROUP BY ALL ORDER BY 1, 4 DESC`},
		{"(c) top 10 resources and Others", map[string]any{"scope": "mg/root", "groupBy": []string{"ResourceId"}, "top": 10},
			`WITH g AS (SELECT "lineItem/ResourceId" AS r, sum(` + cost + `) AS c FROM cur GROUP BY 1),
			 k AS (SELECT r, c, row_number() OVER (ORDER BY c DESC, r) AS rk FROM g)
			 SELECT CASE WHEN rk <= 10 THEN r ELSE 'Others' END, sum(c) FROM k GROUP BY 1 ORDER BY 2 DESC`},
		{"(d) and/or/not filter by tag", map[string]any{"scope": "mg/root", "granularity": "monthly", "groupBy": []string{"tag:Team"},
			"filter": `(ServiceName in ("Amazon Elastic Compute Cloud", "Amazon Simple Storage Service") or RegionId = us-east-1) and not tag:Environment = dev`},
			`SELECT date_trunc('month', "lineItem/UsageStartDate"), "resourceTags/user:Team", sum(` + cost + `) FROM cur
			 WHERE ("product/ProductName" IN ('Amazon Elastic Compute Cloud', 'Amazon Simple Storage Service') OR "product/regionCode" = 'us-east-1')
			   AND NOT coalesce("resourceTags/user:Environment", '') = 'dev'
			 GROUP BY ALL ORDER BY 1, 3 DESC`},
	}
}

func (o *queryBench) run(ctx context.Context, out io.Writer) error {
	dir := o.keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "reckon-bench-query-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	opts := synth.Options{Seed: 1, Months: o.months, RowsPerMonth: o.rows / o.months, Cardinality: synth.Cardinality(o.cardinality)}
	data, baseDB, err := o.prepare(ctx, out, dir, opts)
	if err != nil {
		return err
	}
	store, err := duckstore.Open(ctx, data, o.store)
	if err != nil {
		return err
	}
	defer store.Close()
	raw, err := sql.Open("duckdb", baseDB+"?access_mode=read_only")
	if err != nil {
		return err
	}
	defer raw.Close()
	cases := benchCases(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), o.months)
	cold, stop, err := duckServer(ctx, store, duckstore.QueryLimits{Timeout: time.Minute, Cache: "0"})
	if err != nil {
		return err
	}
	defer stop()
	var ch *scaleOutQuery // nil without --store
	if o.so.on() {
		if ch, err = o.openScaleOut(ctx, out, dir, store); err != nil {
			return err
		}
		defer ch.close(ctx, out, o.keep != "")
	}
	duck := &storeFigures{name: "duckdb", reference: true}
	if err := o.timeCases(ctx, out, cases, cold, raw, duck, ch); err != nil {
		return err
	}
	if err := o.mixes(ctx, out, store, cases, duck, ch); err != nil {
		return err
	}
	if ch != nil {
		printTargets(out, duck, &ch.figs)
		fmt.Fprintf(out, "ratio clickhouse %.3f\n", ch.figs.worst)
	}
	fmt.Fprintf(out, "ratio %.3f\n", duck.worst)
	if ch != nil && len(ch.figs.differ) > 0 {
		return fmt.Errorf("the ClickHouse store's answers differ from the embedded store's: %s", strings.Join(ch.figs.differ, ", "))
	}
	return nil
}

// timeCases times each case through the API and on the flat table, and
// with ch through the API over the ClickHouse store.
func (o *queryBench) timeCases(ctx context.Context, out io.Writer, cases []benchCase, cold *apiClient, raw *sql.DB, duck *storeFigures, ch *scaleOutQuery) error {
	for _, c := range cases {
		apiLat, err := o.times(func() error { return cold.do(ctx, "POST", "/api/v1/query", c.body, nil) })
		if err != nil {
			return fmt.Errorf("%s through the API: %w", c.name, err)
		}
		rawLat, err := o.times(func() error { return drain(ctx, raw, c.raw) })
		if err != nil {
			return fmt.Errorf("%s on the flat table: %w", c.name, err)
		}
		ratio := duck.add(apiLat, rawLat)
		fmt.Fprintf(out, "%-36s api p50 %7s p95 %7s   raw p50 %7s p95 %7s   api/raw %.3f\n", c.name,
			ms(apiLat.p(0.5)), ms(apiLat.p(0.95)), ms(rawLat.p(0.5)), ms(rawLat.p(0.95)), ratio)
		if ch != nil {
			if err := ch.measure(ctx, out, o, c, cold, apiLat, rawLat); err != nil {
				return err
			}
		}
	}
	return nil
}

// mixes runs the clients on the embedded store with the cache on, as
// reckon serve has it, then with every query computed, then with ch on
// the ClickHouse store.
func (o *queryBench) mixes(ctx context.Context, out io.Writer, store *duckstore.Store, cases []benchCase, duck *storeFigures, ch *scaleOutQuery) error {
	serveLimits := duckstore.QueryLimits{Timeout: 30 * time.Second, Memory: "64MB", Cache: "64MB"}
	warmAPI, stopWarm, err := duckServer(ctx, store, serveLimits)
	if err != nil {
		return err
	}
	defer stopWarm()
	serveLimits.Cache = "0"
	coldAPI, stopCold, err := duckServer(ctx, store, serveLimits)
	if err != nil {
		return err
	}
	defer stopCold()
	serveLimits.Cache = "64MB"
	runs := []mixRun{{"the cache on, as reckon serve has it", warmAPI, duck, nil}, {"the cache off", coldAPI, nil, nil}}
	if ch != nil {
		warmCH, err := ch.serve(ctx, serveLimits)
		if err != nil {
			return err
		}
		serveLimits.Cache = "0"
		coldCH, err := ch.serve(ctx, serveLimits)
		if err != nil {
			return err
		}
		runs = append(runs, mixRun{"the ClickHouse store, the cache on, as reckon serve --store has it", warmCH, &ch.figs, &ch.log},
			mixRun{"the ClickHouse store, the cache off", coldCH, nil, &ch.log})
	}
	for _, run := range runs {
		lat, failed, errs := o.mix(ctx, run.api, cases)
		fmt.Fprintf(out, "%d clients for %s, the mix with %s: %d queries, %d errors, p50 %s p95 %s p99 %s\n",
			o.clients, o.duration, run.name, len(lat), failed, ms(lat.p(0.5)), ms(lat.p(0.95)), ms(lat.p(0.99)))
		for _, e := range errs {
			fmt.Fprintf(out, "  error: %s\n", e)
		}
		if run.log != nil {
			for _, l := range run.log.first() {
				fmt.Fprintf(out, "  server: %s\n", l)
			}
		}
		if run.figs != nil {
			run.figs.mixErrors, run.figs.mixP99 = failed, lat.p(0.99)
		}
	}
	return nil
}

// mixRun is one run of the clients: its API, the figures it fills (nil
// for none) and its server's error lines (nil when not kept).
type mixRun struct {
	name string
	api  *apiClient
	figs *storeFigures
	log  *serverErrors
}

// prepare generates the CUR and loads it into the store and the flat
// table, unless --keep holds them from an earlier run.
func (o *queryBench) prepare(ctx context.Context, out io.Writer, dir string, opts synth.Options) (data, baseDB string, err error) {
	file, data, baseDB := filepath.Join(dir, "cur.csv.gz"), filepath.Join(dir, "reckon-data"), filepath.Join(dir, "flat.duckdb")
	if _, err := os.Stat(baseDB); err == nil {
		fmt.Fprintf(out, "reusing the data in %s\n", dir)
		return data, baseDB, nil
	}
	start := time.Now()
	totals, err := writeGzipCUR(file, opts)
	if err != nil {
		return "", "", fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(out, "generated %d rows over %d months in %s\n", totals.Rows, opts.Months, time.Since(start).Round(time.Second))
	self, err := os.Executable()
	if err != nil {
		return "", "", err
	}
	os.RemoveAll(data)
	m, err := timeProcess(ctx, self, "ingest", "--data", data, file)
	if err != nil {
		return "", "", fmt.Errorf("reckon ingest: %w", err)
	}
	fmt.Fprintf(out, "reckon ingest %.1f s\n", m.wall.Seconds())
	if err := checkTotal(ctx, data, totals.BilledCost); err != nil {
		return "", "", err
	}
	if _, err := timeProcess(ctx, self, "bench", "baseline", "--db", baseDB+".part", file); err != nil {
		return "", "", fmt.Errorf("flat table: %w", err)
	}
	return data, baseDB, os.Rename(baseDB+".part", baseDB)
}

// duckServer serves the API over the embedded store with the limits.
func duckServer(ctx context.Context, store *duckstore.Store, limits duckstore.QueryLimits) (*apiClient, func(), error) {
	queries, err := store.Limit(limits)
	if err != nil {
		return nil, nil, err
	}
	return benchServer(ctx, store, queries, nil)
}

// benchServer serves the API over the catalog and the cost rows on
// 127.0.0.1 with the administrator's token, and returns its client. The
// server's error lines go to log (nil: nowhere).
func benchServer(ctx context.Context, catalog cost.Catalog, costs api.Costs, log *serverErrors) (*apiClient, func(), error) {
	token, err := api.EnsureAdmin(ctx, catalog, cost.SystemClock{}, "")
	if err != nil {
		return nil, nil, err
	}
	if token == "" { // made by an earlier server: a fresh user and token
		token, err = benchToken(ctx, catalog)
		if err != nil {
			return nil, nil, err
		}
	}
	ln, err := listenLocal(api.New(api.Options{Catalog: catalog, Costs: costs, Log: log.logger()}))
	if err != nil {
		return nil, nil, err
	}
	c := &apiClient{server: "http://" + ln.Addr().String(), token: token,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	return c, func() { ln.Close() }, nil
}

// latencies are measured durations.
type latencies []time.Duration

func (l latencies) p(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// times runs f twice to warm up, then o.runs times, timing each.
func (o *queryBench) times(f func() error) (latencies, error) {
	var out latencies
	for i := range o.runs + 2 {
		d, err := timed(f)
		if err != nil {
			return nil, err
		}
		if i >= 2 {
			out = append(out, d)
		}
	}
	return out, nil
}

// drain runs a query and reads every row of its answer.
func drain(ctx context.Context, db *sql.DB, query string) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// mix runs the clients over the cases for the duration, and returns the
// latencies, the number of errors and the first ten.
func (o *queryBench) mix(ctx context.Context, c *apiClient, cases []benchCase) (latencies, int, []string) {
	var (
		mu     sync.Mutex
		lat    latencies
		failed int
		errs   []string
		wg     sync.WaitGroup
		stop   atomic.Bool
	)
	for i := range o.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for !stop.Load() && ctx.Err() == nil {
				d, err := timed(func() error {
					return c.do(ctx, "POST", "/api/v1/query", cases[rng.IntN(len(cases))].body, nil)
				})
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					failed++
				}
				if err != nil && len(errs) < 10 {
					errs = append(errs, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-time.After(o.duration):
	case <-ctx.Done():
	}
	stop.Store(true)
	wg.Wait()
	return lat, failed, errs
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// benchToken gives the administrator of a catalog made by an earlier run
// a new token.
func benchToken(ctx context.Context, catalog cost.Catalog) (string, error) {
	plain, t := cost.NewToken(api.AdminUser, time.Now())
	err := catalog.Update(ctx, func(tx cost.CatalogTx) error { return tx.PutToken(ctx, t) })
	return plain, err
}
