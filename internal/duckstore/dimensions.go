package duckstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Values lists, for each dimension vq names, the values it takes in the
// rows q covers (q's range, view and filters), each with the sum of q's
// first measure, from the largest; and the tag keys when vq asks. Every
// value comes from a row q keeps: a caller restricted to a scope's view
// learns nothing of the rows outside it.
//
// The columns of dims are listed by one query over the daily rollup
// (cost_daily unless q's filters need cost_rows), which first sums by
// dimension set: a few thousand groups, whatever the number of rows.
// ResourceId and ChargeDescription live only in cost_rows and take a query
// each; so does each tag.
func (s *Store) Values(ctx context.Context, q *cost.Query, vq cost.ValueQuery) (*cost.Values, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := vq.Validate(); err != nil {
		return nil, err
	}
	out := &cost.Values{Dimensions: make([]cost.ValueList, len(vq.Dimensions))}
	var onDims []int // indexes in vq.Dimensions of the columns of dims
	for i, d := range vq.Dimensions {
		out.Dimensions[i].Name = d.Name()
		if sideOf(d) == dimsSide {
			onDims = append(onDims, i)
		}
	}
	run := func(ds []int) error {
		asked := make([]cost.Dimension, len(ds))
		for j, i := range ds {
			asked[j] = vq.Dimensions[i]
		}
		c, err := compileValues(q, asked, &vq, s.unrolledLoads())
		if err != nil {
			return err
		}
		return s.readValues(ctx, c, func(j int, v cost.DimensionValue, n int) {
			l := &out.Dimensions[ds[j]]
			l.Values = append(l.Values, v)
			l.Count, l.More = n, n > vq.Limit
		})
	}
	if len(onDims) > 0 {
		if err := run(onDims); err != nil {
			return nil, err
		}
	}
	for i, d := range vq.Dimensions {
		if sideOf(d) != dimsSide {
			if err := run([]int{i}); err != nil {
				return nil, err
			}
		}
	}
	if vq.TagKeys {
		keys, err := s.tagKeys(ctx, q, &vq)
		if err != nil {
			return nil, err
		}
		out.TagKeys = keys
	}
	return out, nil
}

// compileValues builds the query listing the values of dimensions that
// all live on one side of the star (several only for dims). Its rows are
// (i, value, currency, cost as text, count): i indexes ds, rows come by i
// and then from the largest cost, at most vq.Limit per dimension, and
// count is how many values of ds[i] match the search in all.
func compileValues(q *cost.Query, ds []cost.Dimension, vq *cost.ValueQuery, unrolled []int64) (compiled, error) {
	c := &compiler{q: q, unrolled: unrolled}
	s := sideOf(ds[0])
	inner := []string{"dim_id"}
	if s != dimsSide {
		inner = append(inner, s.key)
	}
	from, measure, err := c.sums(s, &inner)
	if err != nil {
		return compiled{}, err
	}
	sql := "WITH " + from
	var parts []string
	if s == dimsSide {
		table := "dims"
		for _, d := range ds {
			if named(d) {
				table = "named_dims"
			}
		}
		// One row per dimension set in the range, with its cost: every
		// column below groups these few rows, not the rollup.
		sql += ", m AS MATERIALIZED (SELECT d.*, " + measure + " AS cost FROM f JOIN " + table + " d USING (dim_id) GROUP BY ALL)"
		for i, d := range ds {
			expr, err := c.dimension(d)
			if err != nil {
				return compiled{}, err
			}
			parts = append(parts, "SELECT "+strconv.Itoa(i)+" AS i, coalesce("+expr+", '') AS value, d.BillingCurrency AS currency, "+
				"sum(d.cost) AS cost FROM m d GROUP BY ALL")
		}
	} else {
		expr, err := c.dimension(ds[0])
		if err != nil {
			return compiled{}, err
		}
		parts = append(parts, "SELECT 0 AS i, coalesce("+expr+", '') AS value, d.BillingCurrency AS currency, "+measure+" AS cost"+
			" FROM f JOIN dims d USING (dim_id) LEFT JOIN "+s.table+" "+s.alias+" USING ("+s.key+") GROUP BY ALL")
	}
	sql += ", x AS (" + strings.Join(parts, " UNION ALL ") + "), y AS (SELECT * FROM x" + c.search("value", vq.Search) + ")"
	limit := strconv.Itoa(vq.Limit)
	if len(ds) == 1 {
		// The largest by a heap, not a sort of every value: a resource
		// or description may have millions.
		sql += " SELECT i, value, currency, CAST(cost AS VARCHAR), count(*) OVER () FROM y" +
			" ORDER BY cost DESC NULLS LAST, value, currency LIMIT " + limit
	} else {
		sql += " SELECT i, value, currency, CAST(cost AS VARCHAR), n FROM (SELECT y.*," +
			" row_number() OVER (PARTITION BY i ORDER BY cost DESC NULLS LAST, value, currency) AS rk," +
			" count(*) OVER (PARTITION BY i) AS n FROM y) WHERE rk <= " + limit + " ORDER BY i, rk"
	}
	return compiled{sql: sql, args: c.args}, nil
}

// sums returns the CTE f, which sums the rows the query keeps by the
// columns in inner, and the SQL of the query's first measure over f's sums
// (with d the dimension set). It reads cost_rows when the side is only
// there, else the table the query's filters need.
func (c *compiler) sums(s side, inner *[]string) (string, string, error) {
	where, err := c.where()
	if err != nil {
		return "", "", err
	}
	measure, parts := measureSQL(c.q.SummedMeasures()[0])
	for _, p := range parts {
		*inner = append(*inner, sums[p]+" AS "+p)
	}
	src := c.source()
	if s == resourcesSide || s == descsSide {
		src = "cost_rows"
	}
	f := "f AS (SELECT " + strings.Join(*inner, ", ") + " FROM " + src
	if len(where) > 0 {
		f += " WHERE " + strings.Join(where, " AND ")
	}
	return f + " GROUP BY ALL)", measure, nil
}

// search is the WHERE clause that keeps the values of column containing
// text, ignoring case; none when text is empty.
func (c *compiler) search(column, text string) string {
	if text == "" {
		return ""
	}
	return " WHERE contains(lower(" + column + "), " + c.arg(strings.ToLower(text)) + ")"
}

// readValues runs a compiled value listing and calls fn with each row.
func (s *Store) readValues(ctx context.Context, c compiled, fn func(i int, v cost.DimensionValue, n int)) error {
	rows, err := s.db.QueryContext(ctx, c.sql, c.args...)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i, n int
			v    cost.DimensionValue
			sum  string
		)
		if err := rows.Scan(&i, &v.Value, &v.Currency, &sum, &n); err != nil {
			return fmt.Errorf("read dimension values: %w", err)
		}
		if v.Cost, err = decimal.Parse(sum); err != nil {
			return fmt.Errorf("read dimension values: %w", err)
		}
		fn(i, v, n)
	}
	if err := rows.Err(); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

// tagKeys lists the tag keys of the rows q keeps: per key and currency,
// the cost of the rows tagged with it and its number of distinct values.
func (s *Store) tagKeys(ctx context.Context, q *cost.Query, vq *cost.ValueQuery) (*cost.TagKeyList, error) {
	c := &compiler{q: q, unrolled: s.unrolledLoads()}
	inner := []string{"dim_id", tagsSide.key}
	from, measure, err := c.sums(tagsSide, &inner)
	if err != nil {
		return nil, err
	}
	sql := "WITH " + from +
		", m AS (SELECT f.tag_set_id, d.BillingCurrency AS currency, " + measure + " AS cost FROM f JOIN dims d USING (dim_id) GROUP BY ALL)" +
		// Tags as a MAP: json_each took ten times as long on a million tag sets.
		", k AS (SELECT p.kv.key AS key, p.currency, sum(p.cost) AS cost, count(DISTINCT p.kv.value) AS nv FROM" +
		" (SELECT m.currency, m.cost, unnest(map_entries(CAST(CAST(t.Tags AS JSON) AS MAP(VARCHAR, VARCHAR)))) AS kv" +
		" FROM m JOIN tag_sets t USING (tag_set_id)) p GROUP BY ALL)" +
		" SELECT key, currency, CAST(cost AS VARCHAR), nv, n FROM (SELECT k.*," +
		" row_number() OVER (ORDER BY cost DESC NULLS LAST, key, currency) AS rk, count(*) OVER () AS n FROM k" +
		c.search("key", vq.Search) + ") WHERE rk <= " + strconv.Itoa(vq.Limit) + " ORDER BY rk"
	rows, err := s.db.QueryContext(ctx, sql, c.args...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	out := &cost.TagKeyList{Keys: []cost.TagKey{}}
	for rows.Next() {
		var (
			k   cost.TagKey
			sum string
		)
		if err := rows.Scan(&k.Key, &k.Currency, &sum, &k.Values, &out.Count); err != nil {
			return nil, fmt.Errorf("read tag keys: %w", err)
		}
		if k.Cost, err = decimal.Parse(sum); err != nil {
			return nil, fmt.Errorf("read tag keys: %w", err)
		}
		out.Keys = append(out.Keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	out.More = out.Count > len(out.Keys)
	return out, nil
}
