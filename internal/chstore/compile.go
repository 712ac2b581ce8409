package chstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// visibility is the condition that keeps the rows of the current loads,
// read from PostgreSQL in one snapshot, so that a query sees one version
// of every period on every shard: the load ids that hold every period
// they flipped (the usual case), and for a load replaced in some periods
// only, its (load id, billing period) pairs still current. Times compare
// as Unix seconds, whatever the server's time zone. The rows of deleted
// billing accounts are hidden until the mutation that deletes them ends
// (DeleteBillingAccount). The load ids alone come first, which prunes
// partitions.
//
// The condition grows with the loads (one number each) and the partly
// replaced periods; the store sends a max_query_size of 16 MiB, so
// ClickHouse's max_ast_elements (50,000 by default) bounds it, which a
// later version should lift (a table of the current loads on every shard,
// or an external table).
func (s *Store) visibility(ctx context.Context) (string, error) {
	cur, del, err := s.v.Current(ctx)
	if err != nil {
		return "", queryError(ctx, err)
	}
	return visibilityOf(cur, del), nil
}

// visibilityOf is visibility's condition for what PostgreSQL holds.
func visibilityOf(cur []current, del []deleted) string {
	if len(cur) == 0 {
		return "0"
	}
	held := map[int64]int{}
	for _, c := range cur {
		held[c.loadID]++
	}
	var ids, whole, pairs []string
	for i, c := range cur {
		id := strconv.FormatInt(c.loadID, 10)
		if i == 0 || cur[i-1].loadID != c.loadID {
			ids = append(ids, id)
			if held[c.loadID] >= c.periods {
				whole = append(whole, id)
			}
		}
		if held[c.loadID] < c.periods {
			pairs = append(pairs, strconv.FormatUint(uint64(c.loadID)<<32|uint64(uint32(c.period.Unix())), 10))
		}
	}
	var parts []string
	if len(whole) > 0 {
		parts = append(parts, "load_id IN ("+strings.Join(whole, ", ")+")")
	}
	if len(pairs) > 0 {
		parts = append(parts, "bitOr(bitShiftLeft(load_id, 32), toUInt32(BillingPeriodStart)) IN ("+strings.Join(pairs, ", ")+")")
	}
	out := "load_id IN (" + strings.Join(ids, ", ") + ") AND (" + strings.Join(parts, " OR ") + ")"
	for _, d := range del {
		if len(d.loadIDs) > 0 {
			out += " AND NOT (BillingAccountId = " + quote(d.account) + " AND load_id IN (" + joinIDs(d.loadIDs) + "))"
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(out, ", ")
}

// compiler builds one query's SQL. Values are written into it as quoted
// literals (quote), as clickhouse-go's client-side binding (the only one
// 18.16 takes) would write them, so that the SQL's parts can be put
// together in any order.
type compiler struct {
	q     *cost.Query
	names *accountNames // nil: no names from the catalog
}

func (c *compiler) arg(v string) string { return quote(v) }

// quote is v as a ClickHouse string literal: backslash and quote escaped.
func quote(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; ch {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(ch)
		case 0:
			b.WriteString("\\0")
		default:
			b.WriteByte(ch)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// dimension is the SQL of a dimension: its column, or a tag's value from
// the parallel arrays (” when the row lacks the tag).
func (c *compiler) dimension(d cost.Dimension) (string, error) {
	if d.Column != "" {
		p, err := cost.ParseDimension(d.Column)
		if err != nil {
			return "", err
		}
		return c.namedDimension(p.Column)
	}
	return "tag_values[indexOf(tag_keys, " + c.arg(d.Tag) + ")]", nil
}

// measureSQL is the column a measure sums.
func measureSQL(m cost.Measure) string {
	switch m {
	case cost.MeasureBilled:
		return "BilledCost"
	case cost.MeasureEffective:
		return "EffectiveCost"
	case cost.MeasureList:
		return "ListCost"
	case cost.MeasureUnblended:
		return "x_UnblendedCost"
	case cost.MeasureConsumed:
		return "ifNull(ConsumedQuantity, toDecimal128(0, 18))"
	}
	panic("unknown measure " + string(m)) // Validate refuses it first
}

// where is the query's conditions after vis: its range, the view and the
// filters, and the expression.
func (c *compiler) where(vis string) (string, error) {
	q := c.q
	where := []string{vis}
	at := "ChargePeriodStart"
	if q.Period == cost.PeriodBilling {
		at = "BillingPeriodStart"
	}
	if !q.From.IsZero() {
		where = append(where, "toUInt32("+at+") >= "+strconv.FormatInt(q.From.Unix(), 10))
	}
	if !q.To.IsZero() {
		where = append(where, "toUInt32("+at+") < "+strconv.FormatInt(q.To.Unix(), 10))
	}
	for _, f := range memberships(slices.Concat(q.Filters, q.View)) {
		if len(f.Values) == 0 {
			if _, err := c.dimension(f.Dimension); err != nil {
				return "", err
			}
			where = append(where, "0")
			continue
		}
		cond, err := c.condition(&cost.Expr{Op: cost.OpIn, Dimension: f.Dimension, Values: f.Values})
		if err != nil {
			return "", err
		}
		where = append(where, cond)
	}
	if q.Where != nil {
		cond, err := c.expr(q.Where)
		if err != nil {
			return "", err
		}
		where = append(where, cond)
	}
	return strings.Join(where, " AND "), nil
}

func (c *compiler) expr(e *cost.Expr) (string, error) {
	switch e.Op {
	case cost.OpAnd, cost.OpOr:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			p, err := c.expr(a)
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(string(e.Op))+" ") + ")", nil
	case cost.OpNot:
		p, err := c.expr(e.Args[0])
		if err != nil {
			return "", err
		}
		return "(NOT " + p + ")", nil
	}
	return c.condition(e)
}

// condition compiles one condition. Values are never NULL (an empty value
// is ”), so NOT of a test is its negation.
func (c *compiler) condition(e *cost.Expr) (string, error) {
	switch e.Op {
	case cost.OpExists, cost.OpNotExists:
		if e.Dimension.Column != "" {
			return "", cost.Errorf(cost.EInvalid, "exists applies to tags only, not %s", e.Dimension.Name())
		}
		t := "has(tag_keys, " + c.arg(e.Dimension.Tag) + ")"
		if e.Op == cost.OpNotExists {
			t = "(NOT " + t + ")"
		}
		return t, nil
	}
	d, err := c.dimension(e.Dimension)
	if err != nil {
		return "", err
	}
	switch e.Op {
	case cost.OpIn, cost.OpNotIn:
		var in []string
		for _, v := range dedupe(e.Values) {
			in = append(in, c.arg(v))
		}
		t := d + " IN (" + strings.Join(in, ", ") + ")"
		if e.Op == cost.OpNotIn {
			t = "(NOT " + t + ")"
		}
		return t, nil
	case cost.OpContains:
		var tests []string
		for _, v := range dedupe(e.Values) {
			if v == "" {
				return "1", nil // every value contains ""
			}
			tests = append(tests, "position(lowerUTF8("+d+"), "+c.arg(strings.ToLower(v))+") > 0")
		}
		return "(" + strings.Join(tests, " OR ") + ")", nil
	}
	return "", cost.Errorf(cost.EInvalid, "unknown filter operator %q", e.Op)
}

func dedupe(values []string) []string {
	seen := make(map[string]bool, len(values))
	return slices.DeleteFunc(slices.Clone(values), func(v string) bool { dup := seen[v]; seen[v] = true; return dup })
}

// memberships merges the filters into one per dimension, keeping the
// values common to all of a dimension's filters (as duckstore does).
func memberships(fs []cost.Filter) []cost.Filter {
	var out []cost.Filter
	at := map[cost.Dimension]int{}
	for _, f := range fs {
		i, seen := at[f.Dimension]
		if !seen {
			at[f.Dimension] = len(out)
			out = append(out, cost.Filter{Dimension: f.Dimension, Values: dedupe(f.Values)})
			continue
		}
		keep := make(map[string]bool, len(f.Values))
		for _, v := range f.Values {
			keep[v] = true
		}
		out[i].Values = slices.DeleteFunc(out[i].Values, func(v string) bool { return !keep[v] })
	}
	return out
}

// dateSQL is the answer's Date of a row, or "" without one: its UTC day
// or month, whatever the server's time zone.
func dateSQL(g cost.Granularity) string {
	switch g {
	case cost.GranularityDaily:
		return "toDate(ChargePeriodStart, 'UTC')"
	case cost.GranularityMonthly:
		return "toStartOfMonth(ChargePeriodStart, 'UTC')"
	}
	return ""
}

// groupsSQL are the group-by dimensions' SQL, as String.
func (c *compiler) groupsSQL() ([]string, error) {
	var out []string
	for _, d := range c.q.GroupBy {
		e, err := c.dimension(d)
		if err != nil {
			return nil, err
		}
		out = append(out, "toString("+e+")")
	}
	return out, nil
}

// topSQL is the query of the top groups over the whole range by the first
// measure (ties to the smaller values), as duckstore ranks them.
func (c *compiler) topSQL(table, vis string) (string, error) {
	groups, err := c.groupsSQL()
	if err != nil {
		return "", err
	}
	where, err := c.where(vis)
	if err != nil {
		return "", err
	}
	var names []string
	for i, g := range groups {
		groups[i] = g + " AS r" + strconv.Itoa(i)
		names = append(names, "r"+strconv.Itoa(i))
	}
	return "SELECT " + strings.Join(names, ", ") + " FROM (SELECT " + strings.Join(groups, ", ") +
		", sum(" + measureSQL(c.q.SummedMeasures()[0]) + ") AS s FROM " + table + " WHERE " + where +
		" GROUP BY " + strings.Join(names, ", ") + " ORDER BY " + sortKey("s", " DESC") + ", " + strings.Join(names, ", ") +
		" LIMIT " + strconv.Itoa(c.q.Top) + ")", nil
}

// compileQuery is the SQL of a validated query: its columns are the
// measures as text, Currency, Date, the groups, and the largest measure's
// magnitude in Float64 (big). The inner query sums by
// currency, date and groups; with Top, the groups not among top (from
// topSQL, run before) fold into Others; the outer query writes the sums as
// text (exact) and sorts the answer totally: the caller's keys, Date,
// Others last, the first measure from the largest, Currency, the groups,
// the other measures.
func (c *compiler) compileQuery(table, vis string, top [][]string) (string, error) {
	q := c.q
	measures := q.SummedMeasures()
	var inner, keys []string
	for i, m := range measures {
		inner = append(inner, "sum("+measureSQL(m)+") AS a"+strconv.Itoa(i), "sum(toFloat64("+measureSQL(m)+")) AS fa"+strconv.Itoa(i))
	}
	inner = append(inner, "toString(BillingCurrency) AS cur")
	keys = append(keys, "cur")
	if d := dateSQL(q.Granularity); d != "" {
		inner = append(inner, d+" AS day")
		keys = append(keys, "day")
	}
	groups, err := c.groupsSQL()
	if err != nil {
		return "", err
	}
	for i, g := range groups {
		inner = append(inner, g+" AS r"+strconv.Itoa(i))
		keys = append(keys, "r"+strconv.Itoa(i))
	}
	where, err := c.where(vis)
	if err != nil {
		return "", err
	}
	sql := "SELECT " + strings.Join(inner, ", ") + " FROM " + table + " WHERE " + where + " GROUP BY " + strings.Join(keys, ", ")
	hasOther := q.Top > 0 && len(q.GroupBy) > 0
	if hasOther {
		isTop := "0"
		if len(top) > 0 {
			var tuples []string
			for _, t := range top {
				var vals []string
				for _, v := range t {
					vals = append(vals, c.arg(v))
				}
				if len(vals) == 1 {
					tuples = append(tuples, vals[0])
				} else {
					tuples = append(tuples, "("+strings.Join(vals, ", ")+")")
				}
			}
			tk := keys[len(keys)-len(groups):]
			lhs := tk[0]
			if len(tk) > 1 {
				lhs = "(" + strings.Join(tk, ", ") + ")"
			}
			isTop = lhs + " IN (" + strings.Join(tuples, ", ") + ")"
		}
		var outer, by []string
		for i := range measures {
			outer = append(outer, "sum(a"+strconv.Itoa(i)+") AS m"+strconv.Itoa(i), "sum(fa"+strconv.Itoa(i)+") AS fm"+strconv.Itoa(i))
		}
		outer = append(outer, "cur")
		by = append(by, "cur")
		if q.Granularity != cost.GranularityNone {
			outer = append(outer, "day")
			by = append(by, "day")
		}
		for i := range groups {
			g := "g" + strconv.Itoa(i)
			outer = append(outer, "if(t, r"+strconv.Itoa(i)+", "+c.arg(cost.Others)+") AS "+g)
			by = append(by, g)
		}
		outer = append(outer, "(NOT t) AS is_other")
		by = append(by, "is_other")
		sql = "SELECT " + strings.Join(outer, ", ") + " FROM (SELECT *, (" + isTop + ") AS t FROM (" + sql + ")) GROUP BY " + strings.Join(by, ", ")
	} else {
		var outer []string
		for i := range measures {
			outer = append(outer, "a"+strconv.Itoa(i)+" AS m"+strconv.Itoa(i), "fa"+strconv.Itoa(i)+" AS fm"+strconv.Itoa(i))
		}
		outer = append(outer, "cur")
		if q.Granularity != cost.GranularityNone {
			outer = append(outer, "day")
		}
		for i := range groups {
			outer = append(outer, "r"+strconv.Itoa(i)+" AS g"+strconv.Itoa(i))
		}
		sql = "SELECT " + strings.Join(outer, ", ") + " FROM (" + sql + ")"
	}
	var final, approx []string
	for i := range measures {
		final = append(final, "toString(m"+strconv.Itoa(i)+") AS v"+strconv.Itoa(i))
		approx = append(approx, "abs(fm"+strconv.Itoa(i)+")")
	}
	// sum() over Decimal(38, 18) wraps silently past 1.7e20 on 18.16; the
	// same sum in Float64 tells a wrapped one (Each refuses it).
	big := approx[0]
	for _, a := range approx[1:] {
		big = "greatest(" + big + ", " + a + ")"
	}
	final = append(final, "cur")
	if q.Granularity != cost.GranularityNone {
		final = append(final, "day")
	}
	for i := range groups {
		final = append(final, "g"+strconv.Itoa(i))
	}
	final = append(final, big+" AS big")
	sql = "SELECT " + strings.Join(final, ", ") + " FROM (" + sql + ") ORDER BY " + strings.Join(c.order(hasOther), ", ")
	if !q.Whole { // Validate refuses a page of a whole answer
		sql += " LIMIT " + strconv.Itoa(q.PageSize()+1)
		if q.Skip > 0 {
			sql += " OFFSET " + strconv.Itoa(q.Skip)
		}
	}
	return sql, nil
}

// order is the answer's total order.
func (c *compiler) order(hasOther bool) []string {
	q := c.q
	cols := q.Columns()
	var aliases []string
	for i := range q.SummedMeasures() {
		aliases = append(aliases, "m"+strconv.Itoa(i))
	}
	aliases = append(aliases, "cur")
	if q.Granularity != cost.GranularityNone {
		aliases = append(aliases, "day")
	}
	for i := range q.GroupBy {
		aliases = append(aliases, "g"+strconv.Itoa(i))
	}
	var out []string
	for _, o := range q.OrderBy {
		i := slices.IndexFunc(cols, func(col cost.Column) bool { return col.Name == o.Column })
		if i < 0 || i >= len(aliases) {
			continue
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		if strings.HasPrefix(aliases[i], "m") {
			out = append(out, sortKey(aliases[i], dir))
		} else {
			out = append(out, aliases[i]+dir)
		}
	}
	if q.Granularity != cost.GranularityNone {
		out = append(out, "day")
	}
	if hasOther {
		out = append(out, "is_other")
	}
	out = append(out, sortKey("m0", " DESC"), "cur")
	for i := range q.GroupBy {
		out = append(out, "g"+strconv.Itoa(i))
	}
	for i := 1; i < len(q.SummedMeasures()); i++ {
		out = append(out, sortKey("m"+strconv.Itoa(i), ""))
	}
	return out
}

// sortKey sorts by a Decimal(38, 18) sum exactly, as three Int64 keys:
// the sum's billions, its units below them and its 18 decimal places, each
// cut toward zero, so each carries the sum's sign and together they order
// as the sum does (a sum stays below 1.7e20, which the loads and queries
// check). ClickHouse 18.16 compares a Decimal128 key followed by other
// keys so slowly that the time grows with the square of the groups:
// 100,000 groups took 62 s sorted by the sum, 0.04 s by these keys.
func sortKey(sum, dir string) string {
	billions := "toInt64(" + sum + " / 1000000000)"
	units := "toInt64(" + sum + " - toDecimal128(" + billions + ", 18) * 1000000000)"
	places := "toInt64((" + sum + " - toDecimal128(" + billions + ", 18) * 1000000000 - toDecimal128(" + units + ", 18)) * 1000000000000000000)"
	return billions + dir + ", " + units + dir + ", " + places + dir
}
