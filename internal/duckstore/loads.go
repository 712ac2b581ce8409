package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The stored loads, for moving a store's rows to another store (reckon
// migrate): every (source, billing period) the store holds, and its rows
// exactly as loaded.

// StoredLoad is one billing period of one source as the store holds it:
// the version a load recorded (report_versions) and what its rows hold now.
type StoredLoad struct {
	Source         string
	Period         time.Time // the billing period's start, UTC
	PeriodEnd      time.Time
	Version        string
	Origin         string // what was read, for display; may be empty
	BillingAccount string // the account every row is billed to; empty for Reckon's own rows
	LoadedAt       time.Time
	// Rows and BilledCost are what the period holds now, counted from its
	// rows: a deleted billing account (DeleteBillingAccount) may have taken
	// rows that the load recorded.
	Rows       int64
	BilledCost decimal.Decimal
}

// Loads lists every stored (source, billing period), by source, then
// period.
func (s *Store) Loads(ctx context.Context) ([]StoredLoad, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.source, v.billing_period_start, v.billing_period_end, v.version,
			coalesce(v.origin, ''), coalesce(v.billing_account, ''), v.loaded_at,
			(SELECT count(*) FROM cost_rows f WHERE f.load_id = v.load_id AND f.BillingPeriodStart = v.billing_period_start),
			CAST((SELECT coalesce(sum(f.BilledCost), 0) FROM cost_rows f
				WHERE f.load_id = v.load_id AND f.BillingPeriodStart = v.billing_period_start) AS VARCHAR)
		FROM report_versions v ORDER BY v.source, v.billing_period_start`)
	if err != nil {
		return nil, fmt.Errorf("list the stored loads: %w", err)
	}
	defer rows.Close()
	var out []StoredLoad
	for rows.Next() {
		var l StoredLoad
		var billed string
		if err := rows.Scan(&l.Source, &l.Period, &l.PeriodEnd, &l.Version, &l.Origin, &l.BillingAccount, &l.LoadedAt,
			&l.Rows, &billed); err != nil {
			return nil, fmt.Errorf("list the stored loads: %w", err)
		}
		if l.BilledCost, err = decimal.Parse(billed); err != nil {
			return nil, fmt.Errorf("list the stored loads: billed cost %q: %w", billed, err)
		}
		l.Period, l.PeriodEnd, l.LoadedAt = l.Period.UTC(), l.PeriodEnd.UTC(), l.LoadedAt.UTC()
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the stored loads: %w", err)
	}
	return out, nil
}

// loadWindow is how many row IDs of cost_rows one query of LoadRows
// reads: DuckDB's Go driver holds a query's whole answer in memory before
// the first row, which for a month of a million rows took 1.4 GB. A window
// is one of DuckDB's row groups (122,880 rows); tests make it small.
var loadWindow int64 = 122_880

// LoadRows reads the rows a source holds for a billing period, exactly as
// loaded: every column, tag, cost category and x_ extra, amounts exact,
// account names as the source gave them (answers fill empty ones from the
// catalog; these do not), an absent ContractedCost as x_UnblendedCost,
// which the store keeps in its place. Rows come in no particular order:
// sorting them held the whole period in memory. The reader reads a window
// of row IDs at a time, so its memory stays bounded whatever the period's
// size; it must not run while the store is written (open it ReadOnly).
func (s *Store) LoadRows(ctx context.Context, source string, period time.Time) (*LoadReader, error) {
	exprs := make([]string, len(rowColumns))
	for i, c := range rowColumns {
		exprs[i] = c.sql
		if c.set != nil {
			exprs[i] = "CAST(" + c.sql + " AS VARCHAR)"
		}
	}
	l := &LoadReader{ctx: ctx, db: s.db, period: ts(period), what: source + " " + period.Format("2006-01"),
		texts: make([]sql.NullString, len(rowColumns)), dest: make([]any, len(rowColumns)), next: 0, last: -1}
	for i, n := 0, 0; i < len(rowColumns); i++ {
		if rowColumns[i].set == nil {
			l.dest[i] = &l.times[n]
			n++
		} else {
			l.dest[i] = &l.texts[i]
		}
	}
	// The load's id, then its rows' range of row IDs: conditions on
	// constants let DuckDB skip the row groups of other loads.
	err := s.db.QueryRowContext(ctx, `SELECT load_id FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP)`,
		source, l.period).Scan(&l.loadID)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil // no rows
	}
	if err == nil {
		var first, last sql.NullInt64
		err = s.db.QueryRowContext(ctx, `SELECT min(rowid), max(rowid) FROM cost_rows WHERE load_id = ? AND BillingPeriodStart = CAST(? AS TIMESTAMP)`,
			l.loadID, l.period).Scan(&first, &last)
		if first.Valid {
			l.next, l.last = first.Int64, last.Int64
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read the rows of %s: %w", l.what, err)
	}
	l.query = "SELECT " + strings.Join(exprs, ", ") +
		` FROM (SELECT * FROM cost_rows WHERE load_id = $1 AND BillingPeriodStart = CAST($2 AS TIMESTAMP) AND rowid BETWEEN $3 AND $4) f
		JOIN dims d USING (dim_id)
		LEFT JOIN descriptions ds USING (description_key)
		LEFT JOIN tag_sets t USING (tag_set_id)
		LEFT JOIN resources r USING (resource_key)`
	return l, nil
}

// LoadReader yields a stored load's rows (a cost.RowSource).
type LoadReader struct {
	ctx        context.Context
	db         *sql.DB
	query      string
	loadID     int64
	period     string
	what       string
	next, last int64     // the row IDs left to read, inclusive
	rows       *sql.Rows // the window being read; nil between windows
	texts      []sql.NullString
	times      [4]time.Time
	dest       []any
	row        cost.Row
}

var _ cost.RowSource = (*LoadReader)(nil)

// Next returns the next row, valid until the next call, or io.EOF.
func (l *LoadReader) Next() (*cost.Row, error) {
	for l.rows == nil || !l.rows.Next() {
		if l.rows != nil {
			err := l.rows.Err()
			l.rows.Close()
			l.rows = nil
			if err != nil {
				return nil, fmt.Errorf("read the rows of %s: %w", l.what, err)
			}
		}
		if l.next > l.last {
			return nil, io.EOF
		}
		end := l.next + loadWindow - 1
		rows, err := l.db.QueryContext(l.ctx, l.query, l.loadID, l.period, l.next, end)
		if err != nil {
			return nil, fmt.Errorf("read the rows of %s: %w", l.what, err)
		}
		l.rows, l.next = rows, end+1
	}
	if err := l.rows.Scan(l.dest...); err != nil {
		return nil, fmt.Errorf("read the rows of %s: %w", l.what, err)
	}
	l.row = cost.Row{}
	for i, c := range rowColumns {
		if c.set == nil {
			continue
		}
		if err := c.set(&l.row, l.texts[i].String); err != nil {
			return nil, fmt.Errorf("read the rows of %s: %s %q: %w", l.what, c.name, l.texts[i].String, err)
		}
	}
	l.row.BillingPeriodStart, l.row.BillingPeriodEnd = l.times[0].UTC(), l.times[1].UTC()
	l.row.ChargePeriodStart, l.row.ChargePeriodEnd = l.times[2].UTC(), l.times[3].UTC()
	return &l.row, nil
}

// Close ends the read of the current window, if any.
func (l *LoadReader) Close() error {
	if l.rows == nil {
		return nil
	}
	err := l.rows.Close()
	l.rows = nil
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("close the rows of %s: %w", l.what, err)
	}
	return nil
}
