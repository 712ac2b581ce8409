package storetest

import (
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Holds is the filter language's meaning, written apart from any store:
// the oracle stores are checked against.
func Holds(e *cost.Expr, r *cost.Row) bool {
	if e == nil {
		return true
	}
	switch e.Op {
	case cost.OpAnd:
		for _, a := range e.Args {
			if !Holds(a, r) {
				return false
			}
		}
		return true
	case cost.OpOr:
		return slices.ContainsFunc(e.Args, func(a *cost.Expr) bool { return Holds(a, r) })
	case cost.OpNot:
		return !Holds(e.Args[0], r)
	case cost.OpIn:
		return slices.Contains(e.Values, r.Value(e.Dimension))
	case cost.OpNotIn:
		return !slices.Contains(e.Values, r.Value(e.Dimension))
	case cost.OpContains:
		v := strings.ToLower(r.Value(e.Dimension))
		return slices.ContainsFunc(e.Values, func(s string) bool { return s == "" || v != "" && strings.Contains(v, strings.ToLower(s)) })
	case cost.OpExists, cost.OpNotExists:
		_, has := r.Tag(e.Dimension.Tag)
		return has == (e.Op == cost.OpExists)
	}
	panic(e.Op)
}

// keeps reports whether the query keeps the row: its range (on the charge
// or the billing period), its filters, its view and its expression.
func keeps(q *cost.Query, r *cost.Row) bool {
	at := r.ChargePeriodStart
	if q.Period == cost.PeriodBilling {
		at = r.BillingPeriodStart
	}
	if !q.From.IsZero() && at.Before(q.From) || !q.To.IsZero() && !at.Before(q.To) {
		return false
	}
	for _, f := range append(append([]cost.Filter(nil), q.Filters...), q.View...) {
		if !slices.Contains(f.Values, r.Value(f.Dimension)) {
			return false
		}
	}
	return Holds(q.Where, r)
}

// measureOf is a row's value of a measure.
func measureOf(m cost.Measure, r *cost.Row) decimal.Decimal {
	switch m {
	case cost.MeasureBilled:
		return r.BilledCost
	case cost.MeasureEffective:
		return r.EffectiveCost
	case cost.MeasureList:
		return r.ListCost
	case cost.MeasureUnblended:
		return r.UnblendedCost
	case cost.MeasureConsumed:
		if r.ConsumedQuantity.Valid {
			return r.ConsumedQuantity.Decimal
		}
		return decimal.Zero
	}
	panic(m)
}

// measures are the query's measures, its Type's when it names none.
func measures(q *cost.Query) []cost.Measure {
	if len(q.Measures) > 0 {
		return q.Measures
	}
	switch q.Type {
	case cost.CostAmortized:
		return []cost.Measure{cost.MeasureEffective}
	case cost.CostUnblended:
		return []cost.Measure{cost.MeasureUnblended}
	}
	return []cost.Measure{cost.MeasureBilled}
}

// dateOf is the row's date in the answer: its charge day or month.
func dateOf(q *cost.Query, r *cost.Row) time.Time {
	t := r.ChargePeriodStart.UTC()
	switch q.Granularity {
	case cost.GranularityDaily:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case cost.GranularityMonthly:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// key is an answer row's identity: date, currency and groups.
func key(date time.Time, currency string, groups []string) string {
	return date.Format(time.DateOnly) + "|" + currency + "|" + strings.Join(groups, "\x00")
}

// oracle is the answer to q over rows, without Top or pages: each row's
// measures by key.
func oracle(q *cost.Query, rows []*cost.Row) map[string][]decimal.Decimal {
	ms := measures(q)
	out := map[string][]decimal.Decimal{}
	for _, r := range rows {
		if !keeps(q, r) {
			continue
		}
		groups := make([]string, len(q.GroupBy))
		for i, d := range q.GroupBy {
			groups[i] = r.Value(d)
		}
		k := key(dateOf(q, r), r.BillingCurrency, groups)
		sums, ok := out[k]
		if !ok {
			sums = make([]decimal.Decimal, len(ms))
		}
		for i, m := range ms {
			sums[i] = sums[i].Add(measureOf(m, r))
		}
		out[k] = sums
	}
	return out
}

// answer is a store's answer in the oracle's shape.
func answer(res *cost.Result) map[string][]decimal.Decimal {
	out := map[string][]decimal.Decimal{}
	for _, row := range res.Rows {
		out[key(row.Date, row.Currency, row.Groups)] = append([]decimal.Decimal{row.Cost}, row.More...)
	}
	return out
}
