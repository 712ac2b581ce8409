package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// costReader is what the migration's check reads of a cost store: the
// same calls the cost analysis API makes.
type costReader interface {
	Each(ctx context.Context, q *cost.Query, fn func(*cost.ResultRow) error) error
	Values(ctx context.Context, q *cost.Query, vq cost.ValueQuery) (*cost.Values, error)
	Rows(ctx context.Context, q *cost.Query, fn func(*cost.Row) error) error
}

// maxDifferencesShown bounds the differences listed per check: one wrong
// load can differ in every group.
const maxDifferencesShown = 10

// migrationCheck is what verifyMigration compared and found.
type migrationCheck struct {
	columns, tagKeys, periods int
	tagKeysMore               bool // the source has more tag keys than one listing gives
	differences               []string
}

func (c *migrationCheck) summary() string {
	ms := make([]string, len(cost.AllMeasures))
	for i, m := range cost.AllMeasures {
		ms[i] = string(m)
	}
	more := ""
	if c.tagKeysMore {
		more = fmt.Sprintf(" (the first %d by cost: there are more)", cost.MaxValueLimit)
	}
	return fmt.Sprintf("the totals by each of %d columns, by each of %d tag keys%s, by day and by billing period, each of %s; "+
		"the rows of %d billing periods; the version of each source's billing periods", c.columns, c.tagKeys, more, strings.Join(ms, ", "), c.periods)
}

// verifyMigration compares what the cost analysis API would answer from
// the data folder (want) and from the copy (got): every measure summed by
// each dimension a query groups by (the columns of cost.Dimensions and
// every tag key), by day, and by billing period, and the rows of each
// billing period. Sums are compared exactly.
func verifyMigration(ctx context.Context, want, got costReader, loads []duckstore.StoredLoad) (*migrationCheck, error) {
	c := &migrationCheck{}
	compare := func(what string, q cost.Query) error {
		q.Measures, q.Whole = cost.AllMeasures, true
		if q.Granularity == "" {
			q.Granularity = cost.GranularityNone
		}
		w, err := groupTotals(ctx, want, &q)
		if err != nil {
			return fmt.Errorf("the data folder's totals %s: %w", what, err)
		}
		g, err := groupTotals(ctx, got, &q)
		if err != nil {
			return fmt.Errorf("the copy's totals %s: %w", what, err)
		}
		c.differences = append(c.differences, diffTotals(what, w, g)...)
		return nil
	}
	for _, col := range cost.Dimensions {
		if err := compare("by "+col, cost.Query{GroupBy: []cost.Dimension{{Column: col}}}); err != nil {
			return nil, err
		}
		c.columns++
	}
	keys, more, err := tagKeys(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("the data folder's tag keys: %w", err)
	}
	gotKeys, _, err := tagKeys(ctx, got)
	if err != nil {
		return nil, fmt.Errorf("the copy's tag keys: %w", err)
	}
	if !more && !slices.Equal(keys, gotKeys) {
		c.differences = append(c.differences, fmt.Sprintf("tag keys: %q in the copy, %q in the data folder", gotKeys, keys))
	}
	c.tagKeysMore = more
	for _, k := range keys {
		if err := compare("by tag "+k, cost.Query{GroupBy: []cost.Dimension{{Tag: k}}}); err != nil {
			return nil, err
		}
		c.tagKeys++
	}
	if err := compare("by day", cost.Query{Granularity: cost.GranularityDaily}); err != nil {
		return nil, err
	}
	rows := map[string]int64{} // by the day the billing period starts
	for _, l := range loads {
		rows[l.Period.Format(time.DateOnly)] += l.Rows
	}
	for _, day := range slices.Sorted(maps.Keys(rows)) {
		p, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return nil, err
		}
		q := cost.Query{Period: cost.PeriodBilling, From: p, To: p.AddDate(0, 0, 1)}
		what := "of the billing period " + day
		if err := compare(what, q); err != nil {
			return nil, err
		}
		q.Type, q.Granularity = cost.CostActual, cost.GranularityNone
		n := int64(0)
		if err := got.Rows(ctx, &q, func(*cost.Row) error { n++; return nil }); err != nil {
			return nil, fmt.Errorf("count the copy's rows %s: %w", what, err)
		}
		if n != rows[day] {
			c.differences = append(c.differences, fmt.Sprintf("rows %s: %d in the copy, %d in the data folder", what, n, rows[day]))
		}
		c.periods++
	}
	return c, nil
}

// groupTotals answers q whole, as measures by currency, date and groups.
func groupTotals(ctx context.Context, s costReader, q *cost.Query) (map[string][]decimal.Decimal, error) {
	out := map[string][]decimal.Decimal{}
	err := s.Each(ctx, q, func(r *cost.ResultRow) error {
		key := r.Currency
		if !r.Date.IsZero() {
			key += " " + r.Date.Format(time.DateOnly)
		}
		if len(r.Groups) > 0 {
			key += " " + fmt.Sprintf("%q", r.Groups)
		}
		if _, ok := out[key]; ok {
			return fmt.Errorf("the group %s came twice", key)
		}
		out[key] = append([]decimal.Decimal{r.Cost}, r.More...)
		return nil
	})
	return out, err
}

// diffTotals lists where got's totals are not want's, the first few.
func diffTotals(what string, want, got map[string][]decimal.Decimal) []string {
	var out []string
	n := 0
	add := func(s string) {
		if n < maxDifferencesShown {
			out = append(out, s)
		}
		n++
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		if !ok {
			add(fmt.Sprintf("%s: %s is missing from the copy", what, k))
			continue
		}
		for i, m := range cost.AllMeasures {
			if i < len(want[k]) && (i >= len(g) || g[i].Cmp(want[k][i]) != 0) {
				have := "nothing"
				if i < len(g) {
					have = g[i].String()
				}
				add(fmt.Sprintf("%s: %s %s is %s in the copy, %s in the data folder", what, k, m, have, want[k][i]))
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			add(fmt.Sprintf("%s: %s is in the copy only", what, k))
		}
	}
	if n > maxDifferencesShown {
		out = append(out, fmt.Sprintf("%s: and %d more", what, n-maxDifferencesShown))
	}
	return out
}

// tagKeys lists a store's tag keys, sorted; more is true when there are
// more than one listing gives.
func tagKeys(ctx context.Context, s costReader) ([]string, bool, error) {
	v, err := s.Values(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual},
		cost.ValueQuery{TagKeys: true, Limit: cost.MaxValueLimit})
	if err != nil || v.TagKeys == nil {
		return nil, false, err
	}
	set := map[string]bool{}
	for _, k := range v.TagKeys.Keys {
		set[k.Key] = true
	}
	return slices.Sorted(maps.Keys(set)), v.TagKeys.More, nil
}
