package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/reckon-finops/reckon/internal/cost"
)

// LoadedVersion returns the version of source's billing period held now, or
// "" when it holds none.
func (s *Store) LoadedVersion(ctx context.Context, source string, period time.Time) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT version FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP)`,
		source, ts(period)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read loaded version: %w", err)
	}
	return v, nil
}

// ReplacePeriods loads rows and, in ONE transaction, replaces every billing
// period of the source that the rows (or load.Periods) cover, recording the
// version. A reader sees the old rows or the new, never a mix; a crash at any
// point leaves the old. Parsing and DuckDB's appending run on separate
// goroutines, so they overlap. Loads into one store run one at a time.
func (s *Store) ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (res cost.LoadResult, err error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if s.ids == nil {
		if s.ids, err = loadInterners(ctx, s.db); err != nil {
			return res, err
		}
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("begin load: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return res, fmt.Errorf("begin load: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error that brought us here matters more
			s.ids.rollback()
		}
	}()
	if err := conn.QueryRowContext(ctx, `SELECT nextval('load_ids')`).Scan(&res.LoadID); err != nil {
		return res, fmt.Errorf("allocate load id: %w", err)
	}
	periods, err := s.appendRows(ctx, conn, res.LoadID, src)
	if err != nil {
		return res, err
	}
	if err := insertNewDims(conn, s.ids); err != nil {
		return res, err
	}
	for _, p := range load.Periods {
		p = p.UTC()
		if _, ok := periods[p]; !ok {
			periods[p] = &cost.PeriodResult{Start: p, End: p.AddDate(0, 1, 0)}
		}
	}
	now := s.opts.Clock.Now().UTC()
	for _, start := range slices.SortedFunc(maps.Keys(periods), time.Time.Compare) {
		p := periods[start]
		if err := replaceVersion(ctx, conn, load, res.LoadID, p, now); err != nil {
			return res, err
		}
		res.Rows += p.Rows
		res.Periods = append(res.Periods, *p)
	}
	if err := s.crashPoint("before-commit"); err != nil {
		return res, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, fmt.Errorf("commit load: %w", err)
	}
	committed = true
	s.ids.commit()
	return res, nil
}

// appendRows streams src into cost_rows under loadID: this goroutine parses
// and resolves dimensions into batches, and DuckDB's INSERT pulls them
// through the feed table function on its own thread. It returns the billing
// periods seen with their row counts and billed cost.
func (s *Store) appendRows(ctx context.Context, conn *sql.Conn, loadID int64, src cost.RowSource) (map[time.Time]*cost.PeriodResult, error) {
	// About a DuckDB row group (122,880 rows) of slack between the parser and
	// DuckDB, which compresses and writes a row group at once.
	full := make(chan *factBatch, 32)
	free := make(chan *factBatch, 34)
	for range cap(free) {
		free <- new(factBatch)
	}
	f := &feed{full: full, free: free, onSent: func(n int) error {
		if n == 2 {
			return s.crashPoint("append")
		}
		return nil
	}}
	token := feedToken.Add(1)
	feeds.Store(token, f)
	defer feeds.Delete(token)
	ins := &insertion{done: make(chan struct{})}
	go func() {
		ins.err = insertFeed(ctx, conn, loadID, token)
		close(ins.done)
	}()
	periods, perr := s.produce(ctx, src, full, free, ins)
	close(full) // ends the feed, so the INSERT returns even after a parse error
	<-ins.done
	ierr := ins.err
	if perr != nil {
		return nil, perr
	}
	if ierr != nil {
		return nil, fmt.Errorf("insert cost rows: %w", ierr)
	}
	return periods, nil
}

// produce reads src, resolves each row's dimensions and tag set to ids, and
// sends full batches to the appender.
func (s *Store) produce(ctx context.Context, src cost.RowSource, full chan<- *factBatch, free <-chan *factBatch, ins *insertion) (map[time.Time]*cost.PeriodResult, error) {
	periods := map[time.Time]*cost.PeriodResult{}
	var (
		last     *cost.PeriodResult
		cats, tg []byte
	)
	b := <-free
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if last == nil || !last.Start.Equal(row.BillingPeriodStart) {
			if last = periods[row.BillingPeriodStart]; last == nil {
				last = &cost.PeriodResult{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd}
				periods[row.BillingPeriodStart] = last
			}
		}
		last.Rows++
		last.BilledCost = last.BilledCost.Add(row.BilledCost)

		kind := consumedKind(row)
		cats = appendTagsJSON(cats[:0], row.CostCategories)
		vals := dimValues(row, unsafe.String(unsafe.SliceData(cats), len(cats)), kind)
		dim, h, ok := s.ids.dims.lookup(&vals)
		if !ok {
			dim = s.ids.dims.add(&vals, h)
		}
		var tag, res int32
		if tg = appendTagKey(tg[:0], row.Tags); len(tg) > 0 {
			if tag, ok = s.ids.tags.lookup(tg); !ok {
				tag = s.ids.tags.add(string(tg))
				s.ids.tags.stored = append(s.ids.tags.stored, string(appendTagsJSON(nil, row.Tags)))
			}
		}
		if row.ResourceID != "" {
			if res, ok = s.ids.resources.lookup(unsafe.Slice(unsafe.StringData(row.ResourceID), len(row.ResourceID))); !ok {
				res = s.ids.resources.add(strings.Clone(row.ResourceID))
			}
		}
		b.add(row, dim, tag, res, kind == consumedOwn)
		if b.n == batchRows {
			if err := send(full, b, ins); err != nil {
				return nil, err
			}
			b = <-free
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if b.n > 0 {
		if err := send(full, b, ins); err != nil {
			return nil, err
		}
	}
	return periods, nil
}

// insertion is the INSERT that drains a load's feed: err is set before done
// is closed.
type insertion struct {
	done chan struct{}
	err  error
}

// send hands a batch to DuckDB, unless DuckDB has stopped reading.
func send(full chan<- *factBatch, b *factBatch, ins *insertion) error {
	select {
	case full <- b:
		return nil
	case <-ins.done:
		err := ins.err
		if err == nil {
			err = errors.New("the insert ended before the rows did")
		}
		return fmt.Errorf("insert cost rows: %w", err)
	}
}

// replaceVersion deletes the rows the period held before this load and
// records the new version.
func replaceVersion(ctx context.Context, conn *sql.Conn, load cost.Load, loadID int64, p *cost.PeriodResult, now time.Time) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM cost_rows WHERE BillingPeriodStart = CAST(? AS TIMESTAMP) AND load_id IN
		(SELECT load_id FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP))`,
		ts(p.Start), load.Source, ts(p.Start)); err != nil {
		return fmt.Errorf("delete old rows of %s: %w", p.Start.Format("2006-01"), err)
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP)`,
		load.Source, ts(p.Start)); err != nil {
		return fmt.Errorf("delete old version of %s: %w", p.Start.Format("2006-01"), err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO report_versions
		(source, billing_period_start, billing_period_end, version, load_id, row_count, billed_cost, origin, loaded_at)
		VALUES (?, CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), ?, ?, ?, CAST(? AS DECIMAL(38,18)), ?, CAST(? AS TIMESTAMP))`,
		load.Source, ts(p.Start), ts(p.End), load.Version, loadID, p.Rows, p.BilledCost.String(), load.Origin, ts(now)); err != nil {
		return fmt.Errorf("record version of %s: %w", p.Start.Format("2006-01"), err)
	}
	return nil
}
