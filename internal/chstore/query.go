package chstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// errStop ends an Each early without an error.
var errStop = errors.New("stop")

// Query runs q and returns its page; More says whether rows past it exist.
func (s *Store) Query(ctx context.Context, q *cost.Query) (*cost.Result, error) {
	res := &cost.Result{Columns: q.Columns(), Rows: []cost.ResultRow{}}
	size := q.PageSize()
	err := s.Each(ctx, q, func(row *cost.ResultRow) error {
		if !q.Whole && len(res.Rows) == size {
			res.More = true
			return errStop
		}
		res.Rows = append(res.Rows, *row)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return res, nil
}

func (s *Store) table() string { return s.db + ".cost_rows" }

// Each runs q and calls fn with each row of its page, and one more row if
// there is one past it, as ClickHouse returns them. The current load ids
// are read once, so that Top's two queries read the same version.
func (s *Store) Each(ctx context.Context, q *cost.Query, fn func(*cost.ResultRow) error) error {
	if err := q.Validate(); err != nil {
		return err
	}
	ctx = bounded(ctx)
	vis, err := s.visibility(ctx)
	if err != nil {
		return err
	}
	c := &compiler{q: q, names: s.namesFor(ctx)}
	var top [][]string
	if q.Top > 0 && len(q.GroupBy) > 0 {
		if top, err = s.topGroups(ctx, c, vis); err != nil {
			return err
		}
	}
	sql, err := c.compileQuery(s.table(), vis, top)
	if err != nil {
		return err
	}
	rows, err := s.entry.Query(ctx, sql)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rows.Close()
	measures := len(q.SummedMeasures())
	var (
		sums     = make([]string, measures)
		currency string
		date     time.Time
		groups   = make([]string, len(q.GroupBy))
		dest     []any
	)
	for i := range sums {
		dest = append(dest, &sums[i])
	}
	dest = append(dest, &currency)
	if q.Granularity != cost.GranularityNone {
		dest = append(dest, &date)
	}
	for i := range groups {
		dest = append(dest, &groups[i])
	}
	var big float64
	dest = append(dest, &big)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read query result: %w", err)
		}
		if big >= overflowAt {
			return errOverflow
		}
		values := make([]decimal.Decimal, measures)
		for i, sum := range sums {
			if values[i], err = decimal.Parse(sum); err != nil {
				return fmt.Errorf("read query result: %w", err)
			}
		}
		row := cost.ResultRow{Cost: values[0], Currency: currency, Groups: slices.Clone(groups)}
		if measures > 1 {
			row.More = values[1:]
		}
		if q.Granularity != cost.GranularityNone {
			row.Date = time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

// topGroups are the query's top groups over its whole range.
func (s *Store) topGroups(ctx context.Context, c *compiler, vis string) ([][]string, error) {
	sql, err := c.topSQL(s.table(), vis)
	if err != nil {
		return nil, err
	}
	rows, err := s.entry.Query(ctx, sql)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		g := make([]string, len(c.q.GroupBy))
		dest := make([]any, len(g))
		for i := range g {
			dest[i] = &g[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read the top groups: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	return out, nil
}

// countListed counts the values a listing's inner query finds (no window
// functions on 18.16: a query of its own), and refuses a listing whose
// largest sum, in Float64 (big), is past overflowAt.
func (s *Store) countListed(ctx context.Context, inner string) (uint64, error) {
	var (
		n   uint64
		big float64
	)
	if err := s.entry.QueryRow(ctx, "SELECT count(), max(big) FROM ("+inner+")").Scan(&n, &big); err != nil {
		return 0, queryError(ctx, err)
	}
	if big >= overflowAt {
		return 0, errOverflow
	}
	return n, nil
}

// overflowAt is where a sum is no longer trusted: Decimal(38, 18) holds
// less than 1e20, and ClickHouse's sum() wraps silently past 1.7e20.
const overflowAt = 1e20

var errOverflow = cost.Errorf(cost.EInvalid, "the sum overflows: a total reached 10^20, beyond the exact range of a cost "+
	"(Decimal(38, 18)); narrow the query (a shorter range, more filters, a finer granularity) "+
	"so that each total stays below it")

// queryError says why a query failed in the words of its caller.
func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil || timedOut(err) {
		if cause, ok := errors.AsType[*cost.Error](context.Cause(ctx)); ok {
			return cause // the server's limit or shutdown, in its words
		}
		if ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return cost.Errorf(cost.ETimeout, "the query ran past its deadline: narrow it (a shorter range, fewer groups)")
		}
		return cost.Errorf(cost.ECanceled, "the query was cancelled")
	}
	return fmt.Errorf("query costs: %w", err)
}

// timedOut reports whether err is a query's deadline reached before its
// context says so: the connection's read deadline (which clickhouse-go
// sets to the context's), or the server's max_execution_time (bounded),
// exception 159 TIMEOUT_EXCEEDED.
func timedOut(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	ex, ok := errors.AsType[*clickhouse.Exception](err)
	return ok && ex.Code == 159
}

// Values lists, for each dimension vq names, the values it takes in the
// rows q keeps, each with the sum of q's first measure, from the largest;
// Count is how many values (and currency) match the search in all. One
// query per dimension (and two: the count, then the values, as 18.16 has
// no window functions); and the tag keys when vq asks.
func (s *Store) Values(ctx context.Context, q *cost.Query, vq cost.ValueQuery) (*cost.Values, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	ctx = bounded(ctx)
	if err := vq.Validate(); err != nil {
		return nil, err
	}
	vis, err := s.visibility(ctx)
	if err != nil {
		return nil, err
	}
	out := &cost.Values{Dimensions: make([]cost.ValueList, len(vq.Dimensions))}
	names := s.namesFor(ctx)
	for i, d := range vq.Dimensions {
		l := &out.Dimensions[i]
		l.Name = d.Name()
		c := &compiler{q: q, names: names}
		expr, err := c.dimension(d)
		if err != nil {
			return nil, err
		}
		where, err := c.where(vis)
		if err != nil {
			return nil, err
		}
		inner := "SELECT toString(" + expr + ") AS value, toString(BillingCurrency) AS currency, sum(" +
			measureSQL(q.SummedMeasures()[0]) + ") AS cost, abs(sum(toFloat64(" + measureSQL(q.SummedMeasures()[0]) + "))) AS big FROM " +
			s.table() + " WHERE " + where + " GROUP BY value, currency"
		if vq.Search != "" {
			inner = "SELECT * FROM (" + inner + ") WHERE position(lowerUTF8(value), " + quote(strings.ToLower(vq.Search)) + ") > 0"
		}
		// No window functions on 18.16: count in a second query.
		n, err := s.countListed(ctx, inner)
		if err != nil {
			return nil, err
		}
		rows, err := s.entry.Query(ctx, "SELECT value, currency, toString(cost) FROM ("+inner+") ORDER BY "+sortKey("cost", " DESC")+", value, currency LIMIT "+
			strconv.Itoa(vq.Limit))
		if err != nil {
			return nil, queryError(ctx, err)
		}
		for rows.Next() {
			var v cost.DimensionValue
			var sum string
			if err := rows.Scan(&v.Value, &v.Currency, &sum); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read dimension values: %w", err)
			}
			if v.Cost, err = decimal.Parse(sum); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read dimension values: %w", err)
			}
			l.Values = append(l.Values, v)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, queryError(ctx, err)
		}
		l.Count, l.More = int(n), int(n) > vq.Limit
	}
	if vq.TagKeys {
		if out.TagKeys, err = s.tagKeys(ctx, &compiler{q: q, names: names}, &vq, vis); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tagKeys lists the tag keys of the rows q keeps: per key and currency,
// the cost of the rows tagged with it and its number of distinct values.
func (s *Store) tagKeys(ctx context.Context, c *compiler, vq *cost.ValueQuery, vis string) (*cost.TagKeyList, error) {
	q := c.q
	where, err := c.where(vis)
	if err != nil {
		return nil, err
	}
	inner := "SELECT tk AS key, toString(BillingCurrency) AS currency, sum(" + measureSQL(q.SummedMeasures()[0]) + ") AS cost," +
		" uniqExact(tv) AS nv, abs(sum(toFloat64(" + measureSQL(q.SummedMeasures()[0]) + "))) AS big FROM " + s.table() + " ARRAY JOIN tag_keys AS tk, tag_values AS tv WHERE " + where + " GROUP BY key, currency"
	if vq.Search != "" {
		inner = "SELECT * FROM (" + inner + ") WHERE position(lowerUTF8(key), " + quote(strings.ToLower(vq.Search)) + ") > 0"
	}
	out := &cost.TagKeyList{Keys: []cost.TagKey{}}
	n, err := s.countListed(ctx, inner)
	if err != nil {
		return nil, err
	}
	rows, err := s.entry.Query(ctx, "SELECT key, currency, toString(cost), nv FROM ("+inner+") ORDER BY "+sortKey("cost", " DESC")+", key, currency LIMIT "+
		strconv.Itoa(vq.Limit))
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k   cost.TagKey
			sum string
			nv  uint64
		)
		if err := rows.Scan(&k.Key, &k.Currency, &sum, &nv); err != nil {
			return nil, fmt.Errorf("read tag keys: %w", err)
		}
		if k.Cost, err = decimal.Parse(sum); err != nil {
			return nil, fmt.Errorf("read tag keys: %w", err)
		}
		k.Values = int(nv)
		out.Keys = append(out.Keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	out.Count = int(n)
	out.More = out.Count > len(out.Keys)
	return out, nil
}

// bounded gives the queries of ctx ClickHouse's max_execution_time of
// ctx's deadline, when it has one: cancelling a query from the client
// (closing its connection) does not always stop it on 18.16's servers,
// which then keep its shard busy; the setting makes the server stop it.
func bounded(ctx context.Context) context.Context {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx
	}
	secs := int(math.Ceil(time.Until(deadline).Seconds()))
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_execution_time": max(secs, 1)}))
}
