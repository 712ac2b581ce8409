package duckstore

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
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

// named reports whether the dimension is an account name, which the catalog
// fills where the source left it empty (named_dims, migration 007).
func named(d cost.Dimension) bool {
	return d.Column == "SubAccountName" || d.Column == "BillingAccountName"
}

// sums are the per-group sums the inner query takes from cost_rows or
// cost_daily, by the alias the measures add up.
var sums = map[string]string{
	"b": "sum(BilledCost)", "u": "sum(d_unblended)", "e": "sum(d_effective)", "l": "sum(d_list)",
	"pq": "sum(PricingQuantity)", "cs": "sum(consumed)",
}

// measureSQL is each measure over the inner sums, undoing cost_rows'
// difference encoding (migration 001), and the sums it needs.
func measureSQL(m cost.Measure) (string, []string) {
	switch m {
	case cost.MeasureBilled:
		return "sum(f.b)", []string{"b"}
	case cost.MeasureUnblended:
		return "sum(f.b + f.u)", []string{"b", "u"}
	case cost.MeasureEffective:
		return "sum(f.b + f.u + f.e)", []string{"b", "u", "e"}
	case cost.MeasureList:
		return "sum(f.b + f.u + f.l)", []string{"b", "u", "l"}
	case cost.MeasureConsumed:
		return "sum(CASE d.consumed_kind WHEN 1 THEN f.pq WHEN 2 THEN f.cs END)", []string{"pq", "cs"}
	}
	panic("unknown measure " + string(m)) // Validate refuses it first
}

// compiler builds one query's SQL; its arguments are numbered parameters.
type compiler struct {
	q    *cost.Query
	args []any
	// unrolled are the loads without rollups (Store.unrolled): a query
	// reads their rows from cost_rows.
	unrolled []int64
}

func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

// compileQuery turns a validated cost.Query into parameterised SQL over the
// star. The inner query f filters cost_rows (or its daily rollup,
// cost_daily, when the query touches neither resources nor descriptions)
// and sums by dimension set, tag set and resource ids; g joins the few
// thousand groups left to their names and takes the measures; top-N ranks
// g's groups and folds the rest into Others; the last step sorts and cuts
// the page. Column names come only from cost.Dimensions, never from the
// caller's text; values and tag keys travel as parameters.
func compileQuery(q *cost.Query, unrolled []int64) (compiled, error) {
	if err := q.Validate(); err != nil {
		return compiled{}, err
	}
	c := &compiler{q: q, unrolled: unrolled}
	where, err := c.where()
	if err != nil {
		return compiled{}, err
	}
	inner := []string{"dim_id"}
	outer := []string{}
	measures := q.SummedMeasures()
	need := map[string]bool{}
	for i, m := range measures {
		expr, parts := measureSQL(m)
		outer = append(outer, expr+" AS m"+strconv.Itoa(i))
		for _, p := range parts {
			need[p] = true
		}
	}
	for _, p := range []string{"b", "u", "e", "l", "pq", "cs"} {
		if need[p] {
			inner = append(inner, sums[p]+" AS "+p)
		}
	}
	outer = append(outer, "d.BillingCurrency AS Currency")
	switch q.Granularity {
	case cost.GranularityDaily:
		inner = append(inner, "CAST(ChargePeriodStart AS DATE) AS Date")
	case cost.GranularityMonthly:
		inner = append(inner, "CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS Date")
	}
	if q.Granularity != cost.GranularityNone {
		outer = append(outer, "f.Date AS Date")
	}
	var joins []side
	dimsTable := "dims"
	for i, d := range q.GroupBy {
		expr, err := c.dimension(d)
		if err != nil {
			return compiled{}, err
		}
		if s := sideOf(d); s != dimsSide && !slices.Contains(joins, s) {
			joins = append(joins, s)
			inner = append(inner, s.key)
		}
		if named(d) {
			dimsTable = "named_dims"
		}
		outer = append(outer, "coalesce("+expr+", '') AS g"+strconv.Itoa(i))
	}
	sql := "WITH f AS (SELECT " + strings.Join(inner, ", ") + " FROM " + c.source()
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " GROUP BY ALL), g AS (SELECT " + strings.Join(outer, ", ") + " FROM f JOIN " + dimsTable + " d USING (dim_id)"
	for _, s := range joins {
		sql += " LEFT JOIN " + s.table + " " + s.alias + " USING (" + s.key + ")"
	}
	sql += " GROUP BY ALL)"
	cols := c.columns()
	for i := range q.SummedMeasures() {
		// Exact as text; the sort below reads the DECIMAL m<i>.
		cols[i] = "CAST(" + cols[i] + " AS VARCHAR) AS v" + strconv.Itoa(i)
	}
	if q.Top > 0 {
		sql += c.top(cols)
	} else {
		sql += " SELECT " + strings.Join(cols, ", ") + " FROM g"
	}
	sql += " ORDER BY " + strings.Join(c.order(), ", ")
	if !q.Whole {
		sql += " LIMIT " + strconv.Itoa(q.PageSize()+1)
	}
	if q.Skip > 0 {
		sql += " OFFSET " + strconv.Itoa(q.Skip)
	}
	return compiled{sql: sql, args: c.args}, nil
}

// source is the table the inner query reads: the smallest rollup that
// holds every dimension the query groups or filters by, at the coarsest
// time it allows. ChargeDescription is only in cost_rows; ResourceId is in
// the rollups by resource. The monthly rollups answer a total or monthly
// query over whole months (its range from and to the first of a month, or
// open, or on the billing period, which is a month); the daily ones any
// other, since a query's range is whole days. The rows of loads without
// rollups (unrolled_loads) come from cost_rows beside them.
func (c *compiler) source() string {
	q := c.q
	dims := slices.Concat(q.GroupBy, q.Where.Dimensions())
	for _, f := range slices.Concat(q.Filters, q.View) {
		dims = append(dims, f.Dimension)
	}
	resources := false
	for _, d := range dims {
		switch sideOf(d) {
		case descsSide:
			return "cost_rows"
		case resourcesSide:
			resources = true
		}
	}
	grain := "cost_daily"
	wholeMonths := q.Period == cost.PeriodBilling || firstOfMonth(q.From) && firstOfMonth(q.To)
	if q.Granularity != cost.GranularityDaily && wholeMonths {
		grain = "cost_monthly"
	}
	table, cols := grain, "load_id, dim_id, tag_set_id, "
	if resources {
		table, cols = grain+"_resources", cols+"resource_key, "
	}
	if len(c.unrolled) == 0 {
		return table
	}
	ids := make([]string, len(c.unrolled))
	for i, id := range c.unrolled {
		ids[i] = strconv.FormatInt(id, 10)
	}
	cols += "BillingPeriodStart, ChargePeriodStart, BilledCost, PricingQuantity, d_unblended, d_effective, d_list, consumed"
	return "(SELECT " + cols + " FROM " + table + " UNION ALL SELECT " + cols +
		" FROM cost_rows WHERE load_id IN (" + strings.Join(ids, ", ") + "))"
}

// firstOfMonth reports whether t is zero or midnight on a first of a month.
func firstOfMonth(t time.Time) bool {
	return t.IsZero() || t.Day() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// columns are the answer's columns as g names them.
func (c *compiler) columns() []string {
	var cols []string
	for i := range c.q.SummedMeasures() {
		cols = append(cols, "m"+strconv.Itoa(i))
	}
	cols = append(cols, "Currency")
	if c.q.Granularity != cost.GranularityNone {
		cols = append(cols, "Date")
	}
	for i := range c.q.GroupBy {
		cols = append(cols, "g"+strconv.Itoa(i))
	}
	return cols
}

// top keeps the group-by combinations with the largest first measure over
// the whole range and folds the others into Others. The top ones are found
// with ORDER BY … LIMIT, which keeps N rows rather than sorting every group
// (a window's rank over five million resources took half the query);
// ties go to the smaller values, so that the same query keeps the same
// groups.
func (c *compiler) top(cols []string) string {
	var keys, tkeys, on, folded, sums []string
	for i := range c.q.GroupBy {
		g, k := "g"+strconv.Itoa(i), "k"+strconv.Itoa(i)
		keys, tkeys = append(keys, g), append(tkeys, g+" AS "+k)
		on = append(on, "g."+g+" = t."+k)
		folded = append(folded, "CASE WHEN t.k0 IS NOT NULL THEN g."+g+" ELSE "+c.arg(cost.Others)+" END AS "+g)
	}
	for i := range c.q.SummedMeasures() {
		m := "m" + strconv.Itoa(i)
		sums = append(sums, "sum(g."+m+") AS "+m)
	}
	inner := []string{"g.Currency"}
	if c.q.Granularity != cost.GranularityNone {
		inner = append(inner, "g.Date")
	}
	inner = append(append(inner, folded...), "t.k0 IS NULL AS is_other")
	var by []string // positions: GROUP BY ALL would not tell the CASEs from aggregates
	for i := range inner {
		by = append(by, strconv.Itoa(len(sums)+i+1))
	}
	group := strings.Join(keys, ", ")
	return ", t AS (SELECT " + strings.Join(tkeys, ", ") + " FROM g GROUP BY " + group +
		" ORDER BY sum(m0) DESC NULLS LAST, " + group + " LIMIT " + strconv.Itoa(c.q.Top) + ")" +
		" SELECT " + strings.Join(cols, ", ") + " FROM (SELECT " + strings.Join(sums, ", ") + ", " + strings.Join(inner, ", ") +
		" FROM g LEFT JOIN t ON " + strings.Join(on, " AND ") + " GROUP BY " + strings.Join(by, ", ") + ")"
}

// order is the sort: the caller's keys, then Date, Others last, the first
// measure from the largest, Currency and the groups: a total order, so
// that pages neither overlap nor skip.
func (c *compiler) order() []string {
	cols := c.q.Columns()
	aliases := c.columns()
	var out []string
	for _, o := range c.q.OrderBy {
		i := slices.IndexFunc(cols, func(col cost.Column) bool { return col.Name == o.Column })
		dir := " ASC NULLS FIRST"
		if o.Desc {
			dir = " DESC NULLS LAST"
		}
		out = append(out, aliases[i]+dir)
	}
	if c.q.Granularity != cost.GranularityNone {
		out = append(out, "Date")
	}
	if c.q.Top > 0 {
		out = append(out, "is_other")
	}
	out = append(out, "m0 DESC NULLS LAST", "Currency")
	for i := range c.q.GroupBy {
		out = append(out, "g"+strconv.Itoa(i))
	}
	for i := 1; i < len(c.q.SummedMeasures()); i++ {
		out = append(out, "m"+strconv.Itoa(i))
	}
	return out
}
