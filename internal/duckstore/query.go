package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// compiled is a query as SQL with its arguments.
type compiled struct {
	sql  string
	args []any
}

// side is a table a dimension's value lives in, joined to cost_rows by key.
type side struct {
	table, key, alias string
	optional          bool // cost_rows' key may be 0: no tags, no resource
}

var (
	dimsSide      = side{table: "dims", key: "dim_id", alias: "d"}
	descsSide     = side{table: "descriptions", key: "description_key", alias: "ds", optional: true}
	tagsSide      = side{table: "tag_sets", key: "tag_set_id", alias: "t", optional: true}
	resourcesSide = side{table: "resources", key: "resource_key", alias: "r", optional: true}
)

func sideOf(d cost.Dimension) side {
	switch {
	case d.Column == "":
		return tagsSide
	case d.Column == "ResourceId":
		return resourcesSide
	case d.Column == "ChargeDescription":
		return descsSide
	}
	return dimsSide
}

// measures are the cost sums, undoing cost_rows' difference encoding.
var measures = map[cost.CostType]string{
	cost.CostActual:    "sum(BilledCost)",
	cost.CostAmortized: "sum(BilledCost) + sum(d_unblended) + sum(d_effective)",
	cost.CostUnblended: "sum(BilledCost) + sum(d_unblended)",
}

// compileQuery turns a validated cost.Query into parameterised SQL over the
// star: cost_rows is filtered and summed by dimension, tag set and resource
// ids first, then the few thousand groups left are joined to their names.
// Column names come only from cost.Dimensions, never from the caller's text;
// tag keys and values travel as parameters.
func compileQuery(q *cost.Query) (compiled, error) {
	if err := q.Validate(); err != nil {
		return compiled{}, err
	}
	var c compiled
	arg := func(v any) string {
		c.args = append(c.args, v)
		return fmt.Sprintf("$%d", len(c.args))
	}
	inner := []string{"dim_id"}
	outer := []string{"CAST(sum(f.c) AS VARCHAR) AS Cost", "d.BillingCurrency AS Currency"}
	group := []string{"Currency"}
	var order []string
	switch q.Granularity {
	case cost.GranularityDaily:
		inner = append(inner, "CAST(ChargePeriodStart AS DATE) AS Date")
	case cost.GranularityMonthly:
		inner = append(inner, "CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS Date")
	}
	if q.Granularity != cost.GranularityNone {
		outer, group, order = append(outer, "f.Date"), append(group, "f.Date"), append(order, "f.Date")
	}
	var joins []side
	for i, d := range q.GroupBy {
		expr, err := dimensionSQL(d, arg)
		if err != nil {
			return compiled{}, err
		}
		if s := sideOf(d); s != dimsSide && !slices.Contains(joins, s) {
			joins = append(joins, s)
			inner = append(inner, s.key)
		}
		alias := fmt.Sprintf("g%d", i)
		outer = append(outer, "coalesce("+expr+", '') AS "+alias)
		group = append(group, alias)
	}
	where, err := filterSQL(q, arg)
	if err != nil {
		return compiled{}, err
	}
	sql := "WITH f AS (SELECT " + strings.Join(inner, ", ") + ", " + measures[q.Type] + " AS c FROM cost_rows"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " GROUP BY ALL) SELECT " + strings.Join(outer, ", ") + " FROM f JOIN dims d USING (dim_id)"
	for _, s := range joins {
		sql += " LEFT JOIN " + s.table + " " + s.alias + " USING (" + s.key + ")"
	}
	sql += " GROUP BY " + strings.Join(group, ", ")
	order = append(order, "sum(f.c) DESC", "Currency")
	for i := range q.GroupBy {
		order = append(order, fmt.Sprintf("g%d", i))
	}
	c.sql = sql + " ORDER BY " + strings.Join(order, ", ") + " LIMIT " + strconv.Itoa(cost.MaxResultRows+1)
	return c, nil
}

// filterSQL returns the conditions on cost_rows: the time range, and each
// filter as a semi-join on the table its dimension lives in.
func filterSQL(q *cost.Query, arg func(any) string) ([]string, error) {
	var where []string
	if !q.From.IsZero() {
		where = append(where, "ChargePeriodStart >= CAST("+arg(ts(q.From))+" AS TIMESTAMP)")
	}
	if !q.To.IsZero() {
		where = append(where, "ChargePeriodStart < CAST("+arg(ts(q.To))+" AS TIMESTAMP)")
	}
	for _, f := range q.Filters {
		expr, err := dimensionSQL(f.Dimension, arg)
		if err != nil {
			return nil, err
		}
		var alts []string
		matchEmpty := false
		for _, v := range f.Values {
			if v == "" {
				matchEmpty = true
				alts = append(alts, expr+" IS NULL")
			} else {
				alts = append(alts, expr+" = "+arg(v))
			}
		}
		if len(alts) == 0 {
			continue
		}
		s := sideOf(f.Dimension)
		in := s.key + " IN (SELECT " + s.key + " FROM " + s.table + " " + s.alias + " WHERE " + strings.Join(alts, " OR ") + ")"
		if s.optional && matchEmpty {
			in = "(" + s.key + " = 0 OR " + in + ")"
		}
		where = append(where, in)
	}
	return where, nil
}

// dimensionSQL returns the SQL expression of a dimension, qualified by the
// alias of the table it lives in.
func dimensionSQL(d cost.Dimension, arg func(any) string) (string, error) {
	if d.Column != "" {
		if _, err := cost.ParseDimension(d.Column); err != nil {
			return "", err
		}
		return sideOf(d).alias + "." + d.Column, nil
	}
	if strings.ContainsAny(d.Tag, `"\`) {
		return "", cost.Errorf(cost.EInvalid, "tag key %q contains a quote or backslash, which AWS and Azure tag keys cannot", d.Tag)
	}
	return "json_extract_string(t.Tags, " + arg(`$."`+d.Tag+`"`) + ")", nil
}

// Query runs q and returns Cost, Currency, Date (unless the granularity is
// none) and the group-by dimensions.
func (s *Store) Query(ctx context.Context, q *cost.Query) (*cost.Result, error) {
	c, err := compileQuery(q)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, c.sql, c.args...)
	if err != nil {
		return nil, fmt.Errorf("query costs: %w", err)
	}
	defer rows.Close()
	res := &cost.Result{Columns: q.Columns()}
	hasDate := q.Granularity != cost.GranularityNone
	for rows.Next() {
		var (
			sum      sql.NullString
			currency string
			date     time.Time
			groups   = make([]string, len(q.GroupBy))
		)
		dest := []any{&sum, &currency}
		if hasDate {
			dest = append(dest, &date)
		}
		for i := range groups {
			dest = append(dest, &groups[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read query result: %w", err)
		}
		total, err := decimal.Parse(sum.String)
		if err != nil && sum.Valid {
			return nil, fmt.Errorf("read query result: %w", err)
		}
		if len(res.Rows) == cost.MaxResultRows {
			return nil, cost.Errorf(cost.EInvalid, "the answer has more than %d rows (a row per group and date): "+
				"filter the query, or group by fewer or coarser dimensions", cost.MaxResultRows)
		}
		res.Rows = append(res.Rows, cost.ResultRow{Cost: total, Currency: currency, Date: date.UTC(), Groups: groups})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query costs: %w", err)
	}
	return res, nil
}
