package budget

import (
	"context"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// histories answers an evaluation's forecast history queries with one
// query per scope, measure and filter, over the days all of its budgets'
// periods read, cut to the days each asks: 50 budgets on 8 scopes asked 84
// queries of mostly the same days. The answer of a day does not depend on
// the range around it (a day is the sum of the charges that start on it),
// so each budget is given what its own query would have answered.
type histories struct {
	query  QueryFunc
	groups map[historyKey]*historyGroup
}

type historyKey struct {
	scope   cost.ScopeID
	measure cost.Measure
	filter  string
}

// historyGroup is the days its budgets read, and their answer once read.
type historyGroup struct {
	from, to time.Time
	read     bool
	res      *cost.Result
	err      error
}

func newHistories(query QueryFunc, budgets []cost.Budget, now time.Time) *histories {
	h := &histories{query: query, groups: map[historyKey]*historyGroup{}}
	for i := range budgets {
		b := &budgets[i]
		for _, p := range evaluatedPeriods(b, now) {
			hq, _, err := historyOf(b, p, now)
			if err != nil {
				continue // its own query says what is wrong
			}
			k := historyKey{b.Scope, b.Measure, b.Filter}
			g, ok := h.groups[k]
			if !ok {
				h.groups[k] = &historyGroup{from: hq.From, to: hq.To}
				continue
			}
			if hq.From.Before(g.from) {
				g.from = hq.From
			}
			if hq.To.After(g.to) {
				g.to = hq.To
			}
		}
	}
	return h
}

// of returns the query function of the budget's Measure: its history
// query is answered from its group's, read at the first; anything else,
// or an answer cut short, is asked as it is.
func (h *histories) of(b *cost.Budget) QueryFunc {
	g := h.groups[historyKey{b.Scope, b.Measure, b.Filter}]
	return func(ctx context.Context, scope cost.ScopeID, q *cost.Query) (*cost.Result, error) {
		if g == nil || scope != b.Scope || q.Granularity != cost.GranularityDaily || q.From.Before(g.from) || q.To.After(g.to) {
			return h.query(ctx, scope, q)
		}
		if !g.read {
			wide := *q
			wide.From, wide.To = g.from, g.to
			g.res, g.err = h.query(ctx, scope, &wide)
			g.read = true
		}
		if g.err != nil || g.res.More {
			return h.query(ctx, scope, q)
		}
		out := &cost.Result{Columns: g.res.Columns, Rows: []cost.ResultRow{}}
		for _, row := range g.res.Rows {
			if !row.Date.Before(q.From) && row.Date.Before(q.To) {
				out.Rows = append(out.Rows, row)
			}
		}
		return out, nil
	}
}
