package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

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

// filterSQL returns the conditions on cost_rows: the time range, and one
// semi-join per filtered dimension on the table it lives in, with the
// values as an IN list of parameters.
func filterSQL(q *cost.Query, arg func(any) string) ([]string, error) {
	var where []string
	if !q.From.IsZero() {
		where = append(where, "ChargePeriodStart >= CAST("+arg(ts(q.From))+" AS TIMESTAMP)")
	}
	if !q.To.IsZero() {
		where = append(where, "ChargePeriodStart < CAST("+arg(ts(q.To))+" AS TIMESTAMP)")
	}
	for _, f := range memberships(slices.Concat(q.Filters, q.View)) {
		if len(f.Values) == 0 { // the filters on this dimension share no value
			if _, err := dimensionSQL(f.Dimension, func(any) string { return "" }); err != nil {
				return nil, err
			}
			where = append(where, "false")
			continue
		}
		expr, err := dimensionSQL(f.Dimension, arg)
		if err != nil {
			return nil, err
		}
		var alts, in []string
		matchEmpty := false
		for _, v := range f.Values {
			if v == "" {
				matchEmpty = true
			} else {
				in = append(in, arg(v))
			}
		}
		if len(in) > 0 {
			alts = append(alts, expr+" IN ("+strings.Join(in, ", ")+")")
		}
		if matchEmpty {
			alts = append(alts, expr+" IS NULL")
		}
		s := sideOf(f.Dimension)
		semi := s.key + " IN (SELECT " + s.key + " FROM " + s.table + " " + s.alias + " WHERE " + strings.Join(alts, " OR ") + ")"
		if s.optional && matchEmpty {
			semi = "(" + s.key + " = 0 OR " + semi + ")"
		}
		where = append(where, semi)
	}
	return where, nil
}

// memberships merges the filters into one per dimension, in the order the
// dimensions first appear: filters that must all hold keep the values common
// to all of them, each once, in the order of the first. A row has one value
// per dimension, so the condition is the same.
func memberships(fs []cost.Filter) []cost.Filter {
	var out []cost.Filter
	at := map[cost.Dimension]int{}
	for _, f := range fs {
		i, seen := at[f.Dimension]
		if !seen {
			at[f.Dimension] = len(out)
			values := slices.Clone(f.Values)
			set := make(map[string]bool, len(values))
			values = slices.DeleteFunc(values, func(v string) bool { dup := set[v]; set[v] = true; return dup })
			out = append(out, cost.Filter{Dimension: f.Dimension, Values: values})
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
		return nil, queryError(ctx, err)
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
		return nil, queryError(ctx, err)
	}
	return res, nil
}

// queryError says why a query failed in the words of its caller: stopped
// (DuckDB interrupts a query whose context ends), a sum past the range of
// DECIMAL(38,18), or out of memory; anything else is Reckon's fault.
func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return stopped(ctx)
	}
	if e, ok := errors.AsType[*duckdb.Error](err); ok {
		switch {
		case e.Type == duckdb.ErrorTypeOutOfRange && strings.Contains(e.Msg, "Overflow"):
			return cost.Errorf(cost.EInvalid, "the sum overflows: a total reached 10^20, beyond the exact range of a cost "+
				"(DECIMAL(38,18)); narrow the query (a shorter range, more filters, a finer granularity) "+
				"so that each total stays below it")
		case e.Type == duckdb.ErrorTypeOutOfMemory:
			return cost.Errorf(cost.EUnavailable, "the query needs more memory than the server can give it now: "+
				"narrow it (a shorter range, fewer groups), or try again later")
		}
	}
	return fmt.Errorf("query costs: %w", err)
}

// stopped is the error of a query whose context ended: the domain error it
// was cancelled with (the server shutting down, a deadline with its
// limit), else Timeout or Canceled.
func stopped(ctx context.Context) error {
	cause := context.Cause(ctx)
	if _, ok := errors.AsType[*cost.Error](cause); ok {
		return cause
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return cost.Errorf(cost.ETimeout, "the query ran past its deadline: narrow it (a shorter range, fewer groups)")
	}
	return cost.Errorf(cost.ECanceled, "the query was cancelled")
}

// QueryLimits bound what each query may take of a store that serves many.
type QueryLimits struct {
	// Timeout is how long a query may take, waiting its turn included;
	// zero means no deadline.
	Timeout time.Duration
	// Memory is the share of the store's memory (Options.MemoryLimit) that
	// each query can count on, such as "48MB". DuckDB's memory limit is the
	// whole database's, with no setting per query or connection, so the
	// share is kept by admission: at most MemoryLimit/Memory queries run at
	// once and the others wait their turn. Empty means no bound.
	Memory string
	// Cache is the bytes of answers kept for queries asked again before the
	// data changes (see queryCache), such as "64MB"; empty or "0" means
	// none.
	Cache string
}

// Limited is a store's Query bounded by QueryLimits; create it with
// Store.Limit.
type Limited struct {
	store   *Store
	timeout time.Duration
	turns   chan struct{} // one token per running query; nil when unbounded
	cache   *queryCache   // nil when none
}

// Limit returns the store's queries bounded by l. It refuses a share it
// cannot read, or one larger than the store's memory.
func (s *Store) Limit(l QueryLimits) (*Limited, error) {
	out := &Limited{store: s, timeout: l.Timeout}
	if l.Timeout < 0 {
		return nil, cost.Errorf(cost.EInvalid, "the query timeout %s is negative", l.Timeout)
	}
	if l.Cache != "" && l.Cache != "0" {
		budget, err := parseSize(l.Cache)
		if err != nil {
			return nil, err
		}
		out.cache = newQueryCache(budget)
	}
	if l.Memory == "" {
		return out, nil
	}
	share, err := parseSize(l.Memory)
	if err != nil {
		return nil, err
	}
	total, err := parseSize(s.opts.MemoryLimit)
	if err != nil {
		return nil, err
	}
	if share <= 0 || share > total {
		return nil, cost.Errorf(cost.EInvalid, "a query's memory %s must be more than 0 and at most the store's %s",
			l.Memory, s.opts.MemoryLimit)
	}
	out.turns = make(chan struct{}, total/share)
	return out, nil
}

// Concurrent is how many queries run at once; 0 means no bound.
func (l *Limited) Concurrent() int { return cap(l.turns) }

// Query runs q when its turn comes, within the deadline: a query still
// running at the deadline is interrupted, and one still waiting gives up.
func (l *Limited) Query(ctx context.Context, q *cost.Query) (*cost.Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err // before waiting a turn
	}
	if l.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, l.timeout, cost.Errorf(cost.ETimeout,
			"the query ran past the server's limit of %s: narrow it (a shorter range, fewer groups)", l.timeout))
		defer cancel()
	}
	run := func() (*cost.Result, error) {
		if l.turns != nil {
			select {
			case l.turns <- struct{}{}:
				defer func() { <-l.turns }()
			case <-ctx.Done():
				return nil, stopped(ctx)
			}
		}
		return l.store.Query(ctx, q)
	}
	if l.cache == nil {
		return run()
	}
	return l.cache.get(ctx, q, l.store.dataVersion.Load(), run)
}

// sizeUnits are DuckDB's memory units: KB is 1000 bytes, KiB 1024.
var sizeUnits = map[string]float64{
	"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseSize reads a memory size as DuckDB writes one: "192MB", "1.5 GiB".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if err != nil || !ok || n*unit >= 1<<62 {
		return 0, cost.Errorf(cost.EInvalid, "memory size %.64q: write a number and a unit, such as 48MB or 1GiB", s)
	}
	return int64(n * unit), nil
}
