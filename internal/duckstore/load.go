package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

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
// point leaves the old. Rows are staged to CSV files in the data folder and
// inserted by DuckDB's parallel CSV reader, one chunk while the next is
// written.
func (s *Store) ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (cost.LoadResult, error) {
	var res cost.LoadResult
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("begin load: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := tx.QueryRowContext(ctx, `SELECT nextval('load_ids')`).Scan(&res.LoadID); err != nil {
		return res, fmt.Errorf("allocate load id: %w", err)
	}

	periods, err := s.stageAndInsert(ctx, tx, res.LoadID, src)
	if err != nil {
		return res, err
	}
	for _, p := range load.Periods {
		p = p.UTC()
		if _, ok := periods[p]; !ok {
			periods[p] = &cost.PeriodResult{Start: p, End: p.AddDate(0, 1, 0)}
		}
	}
	now := s.opts.Clock.Now().UTC()
	for _, start := range slices.SortedFunc(maps.Keys(periods), func(a, b time.Time) int { return a.Compare(b) }) {
		p := periods[start]
		if err := replaceVersion(ctx, tx, load, res.LoadID, p, now); err != nil {
			return res, err
		}
		res.Rows += p.Rows
		res.Periods = append(res.Periods, *p)
	}
	if err := s.crashPoint("before-commit"); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("commit load: %w", err)
	}
	return res, nil
}

// stageAndInsert streams src into staging files and inserts each into
// cost_rows under loadID, returning the billing periods seen.
func (s *Store) stageAndInsert(ctx context.Context, tx *sql.Tx, loadID int64, src cost.RowSource) (map[time.Time]*cost.PeriodResult, error) {
	ready := make(chan string, 1)
	inserted := make(chan error, 1)
	go func() {
		var err error
		for path := range ready {
			if err == nil {
				err = s.insertChunk(ctx, tx, loadID, path)
			}
			os.Remove(path)
		}
		inserted <- err
	}()
	st := &stager{dir: s.tmpDir, loadID: loadID, chunkRows: s.opts.ChunkRows, ready: ready}
	periods := map[time.Time]*cost.PeriodResult{}
	var last *cost.PeriodResult
	werr := func() error {
		for {
			row, err := src.Next()
			if errors.Is(err, io.EOF) {
				return st.flush()
			}
			if err != nil {
				return err
			}
			if last == nil || !last.Start.Equal(row.BillingPeriodStart) {
				last = periods[row.BillingPeriodStart]
				if last == nil {
					last = &cost.PeriodResult{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd}
					periods[row.BillingPeriodStart] = last
				}
			}
			last.Rows++
			last.BilledCost = last.BilledCost.Add(row.BilledCost)
			if err := st.write(row); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}()
	if werr != nil {
		st.abort()
	}
	close(ready)
	ierr := <-inserted
	if werr != nil {
		return nil, werr
	}
	if ierr != nil {
		return nil, ierr
	}
	return periods, nil
}

// insertSQL reads one staging file with explicit column types (no sniffing)
// and DuckDB's parallel CSV reader.
var insertSQL = func() string {
	var cols, sel []string
	for _, c := range stagedColumns {
		cols = append(cols, fmt.Sprintf("'%s': '%s'", c.name, c.typ))
		expr := c.name
		if c.typ == "BIGINT" {
			expr = "make_timestamp(" + c.name + ")"
		}
		sel = append(sel, expr)
	}
	names := make([]string, len(stagedColumns))
	for i, c := range stagedColumns {
		names[i] = c.name
	}
	return "INSERT INTO cost_rows (load_id, " + strings.Join(names, ", ") + ") SELECT $1, " + strings.Join(sel, ", ") +
		" FROM read_csv($2, header = false, delim = ',', quote = '\"', escape = '\"', auto_detect = false, columns = {" +
		strings.Join(cols, ", ") + "})"
}()

func (s *Store) insertChunk(ctx context.Context, tx *sql.Tx, loadID int64, path string) error {
	if err := s.crashPoint("insert-chunk"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insertSQL, loadID, path); err != nil {
		return fmt.Errorf("insert staged rows: %w", err)
	}
	return nil
}

// replaceVersion deletes the rows the period held before this load and
// records the new version.
func replaceVersion(ctx context.Context, tx *sql.Tx, load cost.Load, loadID int64, p *cost.PeriodResult, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM cost_rows WHERE BillingPeriodStart = CAST(? AS TIMESTAMP) AND load_id IN
		(SELECT load_id FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP))`,
		ts(p.Start), load.Source, ts(p.Start)); err != nil {
		return fmt.Errorf("delete old rows of %s: %w", p.Start.Format("2006-01"), err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP)`,
		load.Source, ts(p.Start)); err != nil {
		return fmt.Errorf("delete old version of %s: %w", p.Start.Format("2006-01"), err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_versions
		(source, billing_period_start, billing_period_end, version, load_id, row_count, billed_cost, origin, loaded_at)
		VALUES (?, CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), ?, ?, ?, CAST(? AS DECIMAL(38,18)), ?, CAST(? AS TIMESTAMP))`,
		load.Source, ts(p.Start), ts(p.End), load.Version, loadID, p.Rows, p.BilledCost.String(), load.Origin, ts(now)); err != nil {
		return fmt.Errorf("record version of %s: %w", p.Start.Format("2006-01"), err)
	}
	return nil
}
