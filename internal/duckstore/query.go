package duckstore

import (
	"context"
	"database/sql"
	"fmt"
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

// compileQuery turns a validated cost.Query into parameterised SQL. Column
// names come only from cost.Dimensions, never from the caller's text; tag keys
// and values travel as parameters.
func compileQuery(q *cost.Query) (compiled, error) {
	if err := q.Validate(); err != nil {
		return compiled{}, err
	}
	var c compiled
	arg := func(v any) string {
		c.args = append(c.args, v)
		return fmt.Sprintf("$%d", len(c.args))
	}
	measure := "BilledCost"
	if q.Type == cost.CostAmortized {
		measure = "EffectiveCost"
	}
	sel := []string{"CAST(sum(" + measure + ") AS VARCHAR) AS Cost", "BillingCurrency AS Currency"}
	group := []string{"BillingCurrency"}
	order := []string{}
	switch q.Granularity {
	case cost.GranularityDaily:
		sel = append(sel, "CAST(ChargePeriodStart AS DATE) AS Date")
		group, order = append(group, "Date"), append(order, "Date")
	case cost.GranularityMonthly:
		sel = append(sel, "CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS Date")
		group, order = append(group, "Date"), append(order, "Date")
	}
	for i, d := range q.GroupBy {
		expr, err := dimensionSQL(d, arg)
		if err != nil {
			return compiled{}, err
		}
		alias := fmt.Sprintf("g%d", i)
		sel = append(sel, "coalesce("+expr+", '') AS "+alias)
		group = append(group, alias)
	}
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
			return compiled{}, err
		}
		var alts []string
		for _, v := range f.Values {
			if v == "" {
				alts = append(alts, expr+" IS NULL")
			} else {
				alts = append(alts, expr+" = "+arg(v))
			}
		}
		if len(alts) > 0 {
			where = append(where, "("+strings.Join(alts, " OR ")+")")
		}
	}
	c.sql = "SELECT " + strings.Join(sel, ", ") + " FROM cost_rows"
	if len(where) > 0 {
		c.sql += " WHERE " + strings.Join(where, " AND ")
	}
	c.sql += " GROUP BY " + strings.Join(group, ", ")
	order = append(order, "sum("+measure+") DESC", "Currency")
	for i := range q.GroupBy {
		order = append(order, fmt.Sprintf("g%d", i))
	}
	c.sql += " ORDER BY " + strings.Join(order, ", ")
	return c, nil
}

// dimensionSQL returns the SQL expression of a dimension.
func dimensionSQL(d cost.Dimension, arg func(any) string) (string, error) {
	if d.Column != "" {
		if _, err := cost.ParseDimension(d.Column); err != nil {
			return "", err
		}
		return d.Column, nil
	}
	if strings.ContainsAny(d.Tag, `"\`) {
		return "", cost.Errorf(cost.EInvalid, "tag key %q contains a quote or backslash, which AWS and Azure tag keys cannot", d.Tag)
	}
	return "json_extract_string(Tags, " + arg(`$."`+d.Tag+`"`) + ")", nil
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
	res := &cost.Result{Columns: []cost.Column{{Name: "Cost", Type: cost.TypeNumber}, {Name: "Currency", Type: cost.TypeString}}}
	hasDate := q.Granularity != cost.GranularityNone
	if hasDate {
		res.Columns = append(res.Columns, cost.Column{Name: "Date", Type: cost.TypeDatetime})
	}
	for _, d := range q.GroupBy {
		res.Columns = append(res.Columns, cost.Column{Name: d.Name(), Type: cost.TypeString})
	}
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
		out := []any{total, currency}
		if hasDate {
			out = append(out, date.UTC())
		}
		for _, g := range groups {
			out = append(out, g)
		}
		res.Rows = append(res.Rows, out)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query costs: %w", err)
	}
	return res, nil
}
