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
	"github.com/reckon-finops/reckon/internal/querylimit"
)

// Query runs q and returns its page: the measures, Currency, Date (unless
// the granularity is none) and the group-by dimensions. More says whether
// rows past the page exist.
func (s *Store) Query(ctx context.Context, q *cost.Query) (*cost.Result, error) {
	res := &cost.Result{Columns: q.Columns(), Rows: []cost.ResultRow{}}
	size := q.PageSize()
	err := s.Each(ctx, q, func(row *cost.ResultRow) error {
		if len(res.Rows) == size {
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

// errStop ends an Each early without an error.
var errStop = errors.New("stop")

// Each runs q and calls fn with each row of its page, and one more row if
// there is one past it, as the database returns them: an answer of any
// size streams without being held. fn may keep the row's slices. An
// error from fn stops the query and is returned.
func (s *Store) Each(ctx context.Context, q *cost.Query, fn func(*cost.ResultRow) error) error {
	c, err := compileQuery(q, s.unrolledLoads())
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, c.sql, c.args...)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rows.Close()
	measures := len(q.SummedMeasures())
	var (
		sums     = make([]sql.NullString, measures)
		values   = make([]decimal.Decimal, measures)
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
	row := cost.ResultRow{Groups: groups}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read query result: %w", err)
		}
		for i, sum := range sums {
			values[i] = decimal.Decimal{}
			if sum.Valid {
				if values[i], err = decimal.Parse(sum.String); err != nil {
					return fmt.Errorf("read query result: %w", err)
				}
			}
		}
		row.Cost, row.Currency, row.Date = values[0], currency, date.UTC()
		row.More = nil
		if measures > 1 {
			row.More = slices.Clone(values[1:])
		}
		row.Groups = slices.Clone(groups)
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(ctx, err)
	}
	return nil
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
func stopped(ctx context.Context) error { return querylimit.Stopped(ctx) }

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

// Limit returns the store's reads bounded by l (querylimit.Limited),
// their answers cached by the store's data version. It refuses a share it
// cannot read, or one larger than the store's memory.
func (s *Store) Limit(l QueryLimits) (*querylimit.Limited, error) {
	out := querylimit.Limits{Timeout: l.Timeout}
	if l.Cache != "" && l.Cache != "0" {
		budget, err := parseSize(l.Cache)
		if err != nil {
			return nil, err
		}
		out.Cache = budget
	}
	if l.Memory != "" {
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
		out.Concurrent = int(total / share)
	}
	return querylimit.New(s, s.DataVersion, out)
}

// DataVersion counts the committed changes of the cost rows and of the
// catalog, whose account names answers carry, since the store opened.
func (s *Store) DataVersion(context.Context) (string, error) {
	return strconv.FormatUint(s.dataVersion.Load(), 10), nil
}

// sizeUnits are DuckDB's memory units: KB is 1000 bytes, KiB 1024.
var sizeUnits = map[string]float64{
	"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseSize reads a memory size as DuckDB writes one ("192MB", "1.5 GiB"),
// in bytes; anything else is an Invalid error.
func ParseSize(s string) (int64, error) { return parseSize(s) }

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
