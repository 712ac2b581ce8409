package budget

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Costs is the cost-row store the evaluator reads.
type Costs interface {
	Query(ctx context.Context, q *cost.Query) (*cost.Result, error)
}

// Options are what an Evaluator is built from.
type Options struct {
	Catalog cost.Catalog // required
	Costs   Costs        // required
	Clock   cost.Clock   // the system clock when nil
	// Notifier sends alerts; nil records them and sends nothing.
	Notifier Notifier
	Log      *slog.Logger // discarded when nil
	// BaseURL is where the web UI is, for the links in notifications,
	// such as https://reckon.example.com; "" leaves links out.
	BaseURL string
}

// Evaluator evaluates budgets and finds anomalies, one evaluation at a
// time. Create it with New; it is safe for concurrent use.
type Evaluator struct {
	opts  Options
	mu    sync.Mutex // one evaluation at a time
	poked chan struct{}
}

// New returns an Evaluator built from opts.
func New(opts Options) *Evaluator {
	if opts.Clock == nil {
		opts.Clock = cost.SystemClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Evaluator{opts: opts, poked: make(chan struct{}, 1)}
}

// Poke asks for an evaluation soon: after a load. Pokes while one waits
// are one.
func (e *Evaluator) Poke() {
	select {
	case e.poked <- struct{}{}:
	default:
	}
}

// Run evaluates when poked, and every interval on the clock's time (wait
// blocks for a duration or until ctx ends; nil is a real timer), until
// ctx ends. It evaluates once at the start, so that loads made while the
// server was down are seen.
func (e *Evaluator) Run(ctx context.Context, interval time.Duration, wait func(context.Context, time.Duration) error) {
	if wait == nil {
		wait = realWait
	}
	ticks := make(chan struct{}, 1)
	go func() {
		for wait(ctx, interval) == nil {
			select {
			case ticks <- struct{}{}:
			default:
			}
		}
	}()
	for {
		if err := e.Evaluate(ctx); err != nil && ctx.Err() == nil {
			e.opts.Log.Error("budget and anomaly evaluation failed", "code", cost.ErrorCode(err), "err", cost.ErrorMessage(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-e.poked:
		case <-ticks:
		}
	}
}

func realWait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Evaluate evaluates every budget and looks for anomalies, as of now. A
// budget that cannot be evaluated (a missing rate, a scope gone) is
// logged and does not stop the others.
func (e *Evaluator) Evaluate(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.opts.Clock.Now().UTC()
	var budgets []cost.Budget
	var rates cost.Rates
	err := e.opts.Catalog.View(ctx, func(r cost.CatalogReader) (err error) {
		if budgets, err = r.Budgets(ctx, ""); err != nil {
			return err
		}
		rates, err = r.ExchangeRates(ctx)
		return err
	})
	if err != nil {
		return err
	}
	h := newHistories(e.Query, budgets, now)
	for i := range budgets {
		if err := e.evaluateBudget(ctx, &budgets[i], h.of(&budgets[i]), rates, now); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.opts.Log.Warn("budget not evaluated", "budget", budgets[i].Name, "scope", budgets[i].Scope,
				"code", cost.ErrorCode(err), "err", cost.ErrorMessage(err))
		}
	}
	return e.findAnomalies(ctx, now)
}

// Query answers a query on a scope's view as Reckon, not as a user: what
// the scope holds, whoever may read it.
func (e *Evaluator) Query(ctx context.Context, scope cost.ScopeID, q *cost.Query) (*cost.Result, error) {
	var view cost.CostView
	err := e.opts.Catalog.View(ctx, func(r cost.CatalogReader) (err error) {
		view, err = cost.ViewIn(ctx, r, scope)
		return err
	})
	if err != nil {
		return nil, err
	}
	if view.Empty {
		return &cost.Result{Columns: q.Columns(), Rows: []cost.ResultRow{}}, nil
	}
	return e.opts.Costs.Query(ctx, view.Restrict(q))
}

// evaluateBudget evaluates the budget's periods (evaluatedPeriods),
// reading their costs with query.
func (e *Evaluator) evaluateBudget(ctx context.Context, b *cost.Budget, query QueryFunc, rates cost.Rates, now time.Time) error {
	known, err := e.budgetAlerts(ctx, b)
	if err != nil {
		return err
	}
	for _, p := range evaluatedPeriods(b, now) {
		st, err := Measure(ctx, query, rates, b, p, now)
		if err != nil {
			return err
		}
		for i := range b.Notifications {
			if err := e.judge(ctx, b, &b.Notifications[i], st, now, known); err != nil {
				return err
			}
		}
	}
	return nil
}

// evaluatedPeriods are the budget's current period, and the one before
// it, whose costs a restatement may still change.
func evaluatedPeriods(b *cost.Budget, now time.Time) []cost.BudgetPeriod {
	cur, ok := b.PeriodAt(now)
	periods := []cost.BudgetPeriod{}
	// The period before is evaluated for the restatements that follow its
	// end, unless the budget did not exist yet: no alert looks back on a
	// period nobody had budgeted.
	if prev, okPrev := b.PeriodAt(previousDay(cur, ok, b, now)); okPrev && (!ok || prev != cur) && b.Created.Before(prev.End) {
		periods = append(periods, prev)
	}
	if ok {
		periods = append(periods, cur)
	}
	return periods
}

// budgetAlerts are the budget's alerts by key, the latest fired of each.
func (e *Evaluator) budgetAlerts(ctx context.Context, b *cost.Budget) (map[string]cost.Alert, error) {
	out := map[string]cost.Alert{}
	err := e.opts.Catalog.View(ctx, func(r cost.CatalogReader) error {
		alerts, err := r.Alerts(ctx, cost.AlertFilter{Budget: b.ID})
		for _, a := range alerts { // the latest fired first
			if _, ok := out[a.Key]; !ok {
				out[a.Key] = a
			}
		}
		return err
	})
	return out, err
}

// previousDay is the last day of the period before the current one, or of
// the budget's last period when it has ended.
func previousDay(cur cost.BudgetPeriod, ok bool, b *cost.Budget, now time.Time) time.Time {
	if ok {
		return cur.Start.AddDate(0, 0, -1)
	}
	if !now.Before(b.EndDate) {
		return b.EndDate.AddDate(0, 0, -1)
	}
	return now
}

// alertKey is the key of a budget notification's alert in a period.
func alertKey(b *cost.Budget, n *cost.Notification, p cost.BudgetPeriod) string {
	return fmt.Sprintf("budget/%s/%s/%s", b.ID, n.Name, p.Start.Format(time.DateOnly))
}
