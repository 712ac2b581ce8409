package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

func newBenchAlertsCommand() *cobra.Command {
	o := alertsBench{store: loadOptions()}
	cmd := &cobra.Command{
		Use:   "alerts --rows N [--months 6] [--budgets 50] [--runs 7] [--cardinality realistic|high] [--keep DIR]",
		Short: "Time the evaluation of budgets and the anomaly search against one query",
		Long: `Generate a CUR of about N rows over --months ending this month (the last
one month to date), load it with reckon ingest, and create --budgets budgets
in the catalog, spread over the root group, the billing account and each
linked account: Monthly, Quarterly and Annually, a third on EC2 alone, each
with 3 to 5 notifications (Actual and Forecasted, to contact emails; nothing
is sent), and their amounts set from the scope's forecast so that some cross
and some do not. The root group gets an anomaly subscription.

One evaluation (every budget, then the anomaly search on each billing account
and subscribed scope) warms up and raises the alerts; the --runs timed
evaluations after it find those alerts and write none. They run with the
query cache on, as reckon serve has it, kept between runs (a scheduled
evaluation with no load since the last) and new for each run (the
evaluation after a load, which moves the cache on); then with it off. The
baseline, in the same process and store, is one query: 30 days daily by
service on mg/root, cache off. It prints p50 and p95 of each, the queries
an evaluation asks, and the cost per budget. The last line is
"ratio <evaluate_p50/baseline_p50>", the evaluation with the cache new each
run.

--keep DIR keeps the CUR and the loaded data folder (reckon-data), and
reuses them on a later run of the same size on the same day; the budgets and
alerts go into a copy of it (eval-data), made afresh on every run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.rows <= 0 || o.months <= 0 || o.budgets <= 0 || o.runs <= 0 {
				return usageErrorf("--rows, --months, --budgets and --runs must be positive")
			}
			if o.cardinality != string(synth.RealisticCardinality) && o.cardinality != string(synth.HighCardinality) {
				return usageErrorf("--cardinality %q: use realistic or high", o.cardinality)
			}
			return o.run(cmd.Context(), cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.rows, "rows", 1_000_000, "rows to generate")
	f.IntVar(&o.months, "months", 6, "billing periods the rows spread over, the last this month to date")
	f.IntVar(&o.budgets, "budgets", 50, "budgets to create")
	f.IntVar(&o.runs, "runs", 7, "timed evaluations of each kind, after one to warm up")
	f.StringVar(&o.keep, "keep", "", "keep (and reuse) the CUR and the data folder in DIR")
	f.StringVar(&o.store.MemoryLimit, "memory", o.store.MemoryLimit, "memory for the store's DuckDB, as reckon serve --memory")
	f.IntVar(&o.store.Threads, "threads", o.store.Threads, "the store's DuckDB threads, as reckon serve --threads")
	f.StringVar(&o.cardinality, "cardinality", string(synth.RealisticCardinality),
		"realistic, or high: a distinct description, resource and tag value on every row")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed evaluations to FILE")
	_ = f.MarkHidden("cpuprofile")
	return cmd
}

// alertsBench is one run of `reckon bench alerts`.
type alertsBench struct {
	rows, months, budgets, runs   int
	keep, cardinality, cpuProfile string
	store                         duckstore.Options // as reckon serve opens it
}

func (o *alertsBench) run(ctx context.Context, out io.Writer) error {
	dir := o.keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "reckon-bench-alerts-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	now := clockOf(ctx).Now().UTC()
	data, err := o.prepare(ctx, out, dir, now)
	if err != nil {
		return err
	}
	store, err := duckstore.Open(ctx, data, o.store)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := o.seed(ctx, out, store, now); err != nil {
		return err
	}
	return o.measure(ctx, out, store, now)
}

// prepare generates the CUR and loads it, unless --keep holds both from
// an earlier run of the same size today, and returns a fresh copy of the
// loaded data folder for the budgets and alerts.
func (o *alertsBench) prepare(ctx context.Context, out io.Writer, dir string, now time.Time) (string, error) {
	file, loaded, eval := filepath.Join(dir, "cur.csv.gz"), filepath.Join(dir, "reckon-data"), filepath.Join(dir, "eval-data")
	marker := filepath.Join(dir, "loaded.txt")
	want := fmt.Sprintf("rows=%d months=%d cardinality=%s day=%s\n", o.rows, o.months, o.cardinality, now.Format(time.DateOnly))
	if got, err := os.ReadFile(marker); err == nil && string(got) == want {
		fmt.Fprintf(out, "reusing the data in %s\n", dir)
	} else {
		os.Remove(marker)
		if err := o.load(ctx, out, file, loaded, now); err != nil {
			return "", err
		}
		if err := os.WriteFile(marker, []byte(want), 0o644); err != nil {
			return "", err
		}
	}
	if err := os.RemoveAll(eval); err != nil {
		return "", err
	}
	if err := os.CopyFS(eval, os.DirFS(loaded)); err != nil {
		return "", fmt.Errorf("copy the data folder: %w", err)
	}
	return eval, nil
}

// load generates the CUR, ending with this month to date, and loads it
// with reckon ingest in a process of its own.
func (o *alertsBench) load(ctx context.Context, out io.Writer, file, data string, now time.Time) error {
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	opts := synth.Options{Seed: 1, Start: month.AddDate(0, 1-o.months, 0), Months: o.months, RowsPerMonth: o.rows / o.months,
		Cardinality: synth.Cardinality(o.cardinality), Now: now}
	start := time.Now()
	totals, err := writeGzipCUR(file, opts)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(out, "generated %d rows over %d months (%s to %s, the last to date) in %s\n", totals.Rows, o.months,
		opts.Start.Format("2006-01"), month.Format("2006-01"), time.Since(start).Round(time.Second))
	self, err := os.Executable()
	if err != nil {
		return err
	}
	os.RemoveAll(data)
	m, err := timeProcess(ctx, self, "ingest", "--data", data, file)
	if err != nil {
		return fmt.Errorf("reckon ingest: %w", err)
	}
	fmt.Fprintf(out, "reckon ingest %.1f s\n", m.wall.Seconds())
	return checkTotal(ctx, data, totals.BilledCost)
}

// benchContact is every notification's one recipient; nothing is sent.
const benchContact = "finops@example.com"

// benchNotifications are a budget's notifications: the first 3, 4 or 5.
var benchNotifications = []struct {
	typ       cost.ThresholdType
	op        cost.Operator
	threshold int64
}{
	{cost.ThresholdActual, cost.OpGreaterThan, 50},
	{cost.ThresholdForecasted, cost.OpGreaterThan, 100},
	{cost.ThresholdActual, cost.OpGreaterThanOrEqualTo, 100},
	{cost.ThresholdActual, cost.OpGreaterThan, 80},
	{cost.ThresholdForecasted, cost.OpGreaterThan, 120},
}

// benchFactors are the budgets' amounts as multiples of the forecast of
// their current period, so that some notifications fire and some do not.
var benchFactors = []string{"0.6", "0.9", "1.1", "1.5", "3"}

const benchFilter = `ServiceName = "Amazon Elastic Compute Cloud"`

// seed creates the budgets and the anomaly subscription.
func (o *alertsBench) seed(ctx context.Context, out io.Writer, store *duckstore.Store, now time.Time) error {
	scopes, err := benchScopes(ctx, store)
	if err != nil {
		return err
	}
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	first := month.AddDate(0, 1-o.months, 0)
	grains := []cost.TimeGrain{cost.GrainMonthly, cost.GrainQuarterly, cost.GrainAnnually}
	probe := budget.New(budget.Options{Catalog: store, Costs: store})
	budgets := make([]cost.Budget, o.budgets)
	filtered, notes := 0, 0
	for i := range budgets {
		// The budget has existed since the data's first month, as on a
		// server that has run for a while: the period before is evaluated too.
		b := cost.Budget{ID: cost.NewBudgetID(), Scope: scopes[i%len(scopes)], Name: fmt.Sprintf("bench-%03d", i), Currency: "USD",
			Measure: cost.MeasureBilled, TimeGrain: grains[i%len(grains)], StartDate: first, Created: first, CreatedBy: "bench",
			Updated: first, UpdatedBy: "bench"}
		if i/3%3 == 1 { // a third, of every grain
			b.Filter = benchFilter
			filtered++
		}
		for _, n := range benchNotifications[:3+i/2%3] {
			b.Notifications = append(b.Notifications, cost.Notification{Enabled: true, Operator: n.op, Threshold: decimal.FromInt(n.threshold),
				ThresholdType: n.typ, ContactEmails: []string{benchContact}, ContactRoles: []cost.Role{}, Webhooks: []string{}})
		}
		notes += len(b.Notifications)
		b.Amount = decimal.FromInt(1) // until measured: Validate gives the end date the periods need
		if err := b.Validate(); err != nil {
			return fmt.Errorf("budget %s: %w", b.Name, err)
		}
		if b.Amount, err = benchAmount(ctx, probe, &b, benchFactors[i%len(benchFactors)], now); err != nil {
			return fmt.Errorf("the amount of %s on %s: %w", b.Name, b.Scope, err)
		}
		budgets[i] = b
	}
	sub := cost.AnomalySubscription{ID: cost.NewBudgetID(), Scope: cost.RootGroup, Name: "bench-anomalies", ContactEmails: []string{benchContact},
		ContactRoles: []cost.Role{}, Webhooks: []string{}, Created: first, CreatedBy: "bench"}
	if err := sub.Validate(); err != nil {
		return err
	}
	err = store.Update(ctx, func(tx cost.CatalogTx) error {
		for _, b := range budgets {
			if _, err := cost.SaveBudget(ctx, tx, b); err != nil {
				return fmt.Errorf("save budget %s: %w", b.Name, err)
			}
		}
		return tx.PutAnomalySubscription(ctx, sub)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "budgets %d on %d scopes (%s), Monthly, Quarterly and Annually, %d on EC2 alone, %d notifications; "+
		"1 anomaly subscription on %s\n", len(budgets), len(scopes), describeScopes(scopes), filtered, notes, cost.RootGroup)
	return nil
}

// benchScopes are the root group, the billing accounts and the linked
// accounts the load registered.
func benchScopes(ctx context.Context, store *duckstore.Store) ([]cost.ScopeID, error) {
	var all []cost.Scope
	err := store.View(ctx, func(r cost.CatalogReader) (err error) {
		all, err = r.Scopes(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []cost.ScopeID{cost.RootGroup}
	for _, kind := range []cost.ScopeKind{cost.KindBillingAccount, cost.KindLinkedAccount} {
		for _, s := range all {
			if s.ID.Kind() == kind {
				out = append(out, s.ID)
			}
		}
	}
	if len(out) == 1 {
		return nil, fmt.Errorf("the load registered no billing or linked account")
	}
	return out, nil
}

func describeScopes(scopes []cost.ScopeID) string {
	count := map[cost.ScopeKind]int{}
	for _, s := range scopes {
		count[s.Kind()]++
	}
	return fmt.Sprintf("%s, %d billing account, %d linked accounts", cost.RootGroup, count[cost.KindBillingAccount], count[cost.KindLinkedAccount])
}

// benchAmount is factor times the forecast of the budget's current period
// (100 where the scope has no cost under the filter).
func benchAmount(ctx context.Context, e *budget.Evaluator, b *cost.Budget, factor string, now time.Time) (decimal.Decimal, error) {
	p, ok := b.PeriodAt(now)
	if !ok {
		return decimal.Zero, fmt.Errorf("no period holds %s", now.Format(time.DateOnly))
	}
	st, err := budget.Measure(ctx, e.Query, nil, b, p, now)
	if err != nil {
		return decimal.Zero, err
	}
	amount := st.Forecast.Mul(decimal.MustParse(factor)).Round(2)
	if amount.Sign() <= 0 {
		return decimal.FromInt(100), nil
	}
	return amount, nil
}

// countedCosts counts an evaluator's queries and the time they take.
type countedCosts struct {
	costs budget.Costs
	n     atomic.Int64
	busy  atomic.Int64 // nanoseconds
}

func (c *countedCosts) Query(ctx context.Context, q *cost.Query) (*cost.Result, error) {
	start := time.Now()
	res, err := c.costs.Query(ctx, q)
	c.n.Add(1)
	c.busy.Add(int64(time.Since(start)))
	return res, err
}

// alertCounts counts the alerts in the catalog by kind.
func alertCounts(ctx context.Context, store *duckstore.Store) (map[cost.AlertKind]int, error) {
	out := map[cost.AlertKind]int{}
	err := store.View(ctx, func(r cost.CatalogReader) error {
		alerts, err := r.Alerts(ctx, cost.AlertFilter{})
		for _, a := range alerts {
			out[a.Kind]++
		}
		return err
	})
	return out, err
}

// anomalyScopes counts the scopes the anomaly search reads: every billing
// account and every scope with a subscription.
func anomalyScopes(ctx context.Context, store *duckstore.Store) (int, error) {
	n := 0
	err := store.View(ctx, func(r cost.CatalogReader) error {
		scopes, err := r.Scopes(ctx)
		if err != nil {
			return err
		}
		subs, err := r.AnomalySubscriptions(ctx, "")
		for _, s := range scopes {
			if s.ID.Kind() == cost.KindBillingAccount || slices.ContainsFunc(subs, func(sub cost.AnomalySubscription) bool { return sub.Scope == s.ID }) {
				n++
			}
		}
		return err
	})
	return n, err
}

// peakRSS is this process's peak resident memory, in MB.
func peakRSS() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) * 1024 / 1e6 // Linux reports kilobytes
}

// evalRuns are the timed evaluations of one kind.
type evalRuns struct {
	name string
	// costs gives each run its queries: the same Limited for every run
	// keeps the cache between them.
	costs func() (budget.Costs, error)
	lat   latencies
	n     int64         // queries over the runs
	busy  time.Duration // in them
}

func (o *alertsBench) measure(ctx context.Context, out io.Writer, store *duckstore.Store, now time.Time) error {
	served, err := store.Limit(defaultQueryLimits())
	if err != nil {
		return err
	}
	warm := &evalRuns{name: "warm-up", costs: func() (budget.Costs, error) { return served, nil }}
	if err := o.evaluate(ctx, store, warm, 1); err != nil {
		return err
	}
	raised, err := alertCounts(ctx, store)
	if err != nil {
		return err
	}
	searched, err := anomalyScopes(ctx, store)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "warm-up evaluation %s, %d queries: raised %d alerts (%d budget, %d anomaly); the anomaly search reads %d scopes\n",
		ms(warm.lat[0]), warm.n, raised[cost.AlertBudget]+raised[cost.AlertAnomaly], raised[cost.AlertBudget], raised[cost.AlertAnomaly], searched)
	before, err := alertStates(ctx, store)
	if err != nil {
		return err
	}
	off := defaultQueryLimits()
	off.Cache = "0"
	kinds := []*evalRuns{
		{name: "cache on, kept between runs", costs: func() (budget.Costs, error) { return served, nil }},
		{name: "cache on, new each run (after a load)", costs: func() (budget.Costs, error) { return store.Limit(defaultQueryLimits()) }},
		{name: "cache off", costs: func() (budget.Costs, error) { return store.Limit(off) }},
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, k := range kinds {
		if err := o.evaluate(ctx, store, k, o.runs); err != nil {
			return err
		}
		fmt.Fprintf(out, "evaluate, %-38s p50 %8s p95 %8s   %d queries/run, %s/run in them\n", k.name,
			ms(k.lat.p(0.5)), ms(k.lat.p(0.95)), k.n/int64(o.runs), ms(k.busy/time.Duration(o.runs)))
	}
	after, err := alertStates(ctx, store)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "the %d timed evaluations found the warm-up's %d alerts and %s\n", len(kinds)*o.runs, len(before), changes(before, after))
	base, err := o.baseline(ctx, store, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "baseline, 30 days daily by service on %s, cache off  p50 %8s p95 %8s\n", cost.RootGroup, ms(base.p(0.5)), ms(base.p(0.95)))
	cold := kinds[1].lat.p(0.5)
	fmt.Fprintf(out, "per budget (cache on, new each run): %s = p50 %s / %d budgets\n", ms(cold/time.Duration(o.budgets)), ms(cold), o.budgets)
	fmt.Fprintf(out, "peak RSS %.0f MB (the store's DuckDB: %s, %d threads)\n", peakRSS(), o.store.MemoryLimit, o.store.Threads)
	fmt.Fprintf(out, "ratio %.3f\n", cold.Seconds()/base.p(0.5).Seconds())
	return nil
}

// evaluate times runs evaluations of every budget and the anomaly search.
func (o *alertsBench) evaluate(ctx context.Context, store *duckstore.Store, k *evalRuns, runs int) error {
	for range runs {
		costs, err := k.costs()
		if err != nil {
			return err
		}
		counted := &countedCosts{costs: costs}
		e := budget.New(budget.Options{Catalog: store, Costs: counted, Clock: clockOf(ctx)})
		d, err := timed(func() error { return e.Evaluate(ctx) })
		if err != nil {
			return fmt.Errorf("evaluate, %s: %w", k.name, err)
		}
		k.lat = append(k.lat, d)
		k.n += counted.n.Load()
		k.busy += time.Duration(counted.busy.Load())
	}
	return nil
}

// baseline times the query (a) of bench query, over the last 30 days:
// two runs to warm up, then --runs.
func (o *alertsBench) baseline(ctx context.Context, store *duckstore.Store, now time.Time) (latencies, error) {
	raw, err := store.Limit(duckstore.QueryLimits{Cache: "0"})
	if err != nil {
		return nil, err
	}
	e := budget.New(budget.Options{Catalog: store, Costs: raw})
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	q := &cost.Query{Type: cost.CostActual, From: today.AddDate(0, 0, -30), To: today, Granularity: cost.GranularityDaily,
		GroupBy: []cost.Dimension{{Column: "ServiceName"}}}
	b := queryBench{runs: o.runs}
	return b.times(func() error {
		_, err := e.Query(ctx, cost.RootGroup, q)
		return err
	})
}

// alertStates are the alerts' states and last changes, by ID.
func alertStates(ctx context.Context, store *duckstore.Store) (map[string]string, error) {
	out := map[string]string{}
	err := store.View(ctx, func(r cost.CatalogReader) error {
		alerts, err := r.Alerts(ctx, cost.AlertFilter{})
		for _, a := range alerts {
			out[a.ID] = string(a.State) + " " + a.Updated.Format(time.RFC3339Nano)
		}
		return err
	})
	return out, err
}

// changes says what became of the alerts between two snapshots.
func changes(before, after map[string]string) string {
	added, changed := 0, 0
	for id, st := range after {
		was, ok := before[id]
		switch {
		case !ok:
			added++
		case was != st:
			changed++
		}
	}
	if added == 0 && changed == 0 {
		return "wrote nothing: no alert raised or changed"
	}
	return fmt.Sprintf("raised %d more and changed %d", added, changed)
}
