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

	"github.com/zeebo/xxh3"

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
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("begin load: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return res, fmt.Errorf("begin load: %w", err)
	}
	committed, catalogLocked := false, false
	defer func() {
		if !committed {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error that brought us here matters more
		}
		if catalogLocked {
			s.catalogMu.Unlock()
		}
	}()
	if err := conn.QueryRowContext(ctx, `SELECT nextval('load_ids')`).Scan(&res.LoadID); err != nil {
		return res, fmt.Errorf("allocate load id: %w", err)
	}
	if err := checkHolders(ctx, conn, load, load.Periods); err != nil {
		return res, err
	}
	fams, err := newFamilies(res.LoadID, s.tmpDir)
	if err != nil {
		return res, err
	}
	defer fams.close()
	periods, err := s.appendRows(ctx, conn, res.LoadID, load, src, fams)
	if err != nil {
		return res, err
	}
	if err := insertSides(ctx, conn, fams); err != nil {
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
	if err := gcSides(ctx, conn); err != nil {
		return res, err
	}
	if load.Register != nil {
		// The catalog changes only through serialized updates (see
		// catalog.go): hold its lock from the registration to the commit.
		s.catalogMu.Lock()
		catalogLocked = true
		if err := register(ctx, conn, load, res.LoadID); err != nil {
			return res, err
		}
	}
	if err := s.crashPoint("before-commit"); err != nil {
		return res, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, fmt.Errorf("commit load: %w", err)
	}
	committed = true
	return res, nil
}

// appendRows streams src into cost_rows under loadID: this goroutine parses
// and resolves dimensions into batches, and DuckDB's INSERT pulls them
// through the feed table function on its own thread. It returns the billing
// periods seen with their row counts and billed cost.
func (s *Store) appendRows(ctx context.Context, conn *sql.Conn, loadID int64, load cost.Load, src cost.RowSource, fams *families) (map[time.Time]*cost.PeriodResult, error) {
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
	p := &producer{load: load, fams: fams}
	periods, perr := p.produce(ctx, src, full, free, ins)
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

// producer turns a load's rows into batches of keys and amounts.
type producer struct {
	load cost.Load
	fams *families
	keys rowKeys
	vals [numDims]string
	one  [1]string
	buf  []byte // scratch: the dims key, then JSON
}

// rowKeys are one row's keys into the side tables; 0 is none.
type rowKeys struct{ dim, desc, tag, res int64 }

// produce reads src, resolves each row's side values to keys, and sends
// full batches to the appender.
func (p *producer) produce(ctx context.Context, src cost.RowSource, full chan<- *factBatch, free <-chan *factBatch, ins *insertion) (map[time.Time]*cost.PeriodResult, error) {
	periods := map[time.Time]*cost.PeriodResult{}
	var last *cost.PeriodResult
	b := <-free
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if p.load.BillingAccount != "" && row.BillingAccountID != p.load.BillingAccount {
			return nil, cost.Errorf(cost.EInvalid, "%s: a row is billed to account %q, but the load is for billing account %s: one load holds one bill",
				p.load.Origin, row.BillingAccountID, p.load.BillingAccount)
		}
		if last == nil || !last.Start.Equal(row.BillingPeriodStart) {
			if last = periods[row.BillingPeriodStart]; last == nil {
				last = &cost.PeriodResult{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd}
				periods[row.BillingPeriodStart] = last
			}
		}
		last.Rows++
		last.BilledCost = last.BilledCost.Add(row.BilledCost)
		kind, err := p.resolve(row)
		if err != nil {
			return nil, err
		}
		b.add(row, &p.keys, kind == consumedOwn)
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

// resolve sets p.keys for the row and returns how its ConsumedQuantity is
// stored.
func (p *producer) resolve(row *cost.Row) (string, error) {
	kind := consumedKind(row)
	p.buf = appendTagsJSON(p.buf[:0], row.CostCategories)
	p.vals = dimValues(row, unsafe.String(unsafe.SliceData(p.buf), len(p.buf)), kind)
	n := len(p.buf)
	p.buf = appendDimKey(p.buf, &p.vals)
	var err error
	if p.keys.dim, err = p.fams.dims.key(xxh3.Hash128(p.buf[n:]), p.vals[:]); err != nil {
		return "", err
	}
	p.keys.desc, p.keys.tag, p.keys.res = 0, 0, 0
	if d := row.ChargeDescription; d != "" {
		p.one[0] = d
		if p.keys.desc, err = p.fams.descriptions.key(xxh3.HashString128(d), p.one[:]); err != nil {
			return "", err
		}
	}
	if len(row.Tags) > 0 {
		p.buf = appendTagsJSON(p.buf[:0], row.Tags)
		p.one[0] = unsafe.String(unsafe.SliceData(p.buf), len(p.buf))
		if p.keys.tag, err = p.fams.tags.key(xxh3.Hash128(p.buf), p.one[:]); err != nil {
			return "", err
		}
	}
	if id := row.ResourceID; id != "" {
		p.one[0] = id
		if p.keys.res, err = p.fams.resources.key(xxh3.HashString128(id), p.one[:]); err != nil {
			return "", err
		}
	}
	return kind, nil
}

// appendDimKey appends the values, each followed by a 0 byte (which CUR
// text never contains), as the text whose hash identifies them.
func appendDimKey(b []byte, v *[numDims]string) []byte {
	for _, s := range v {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
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

// holder is a source whose version of a billing period is loaded.
type holder struct {
	source, version string
	rows            int64
	billed          string
}

// holders returns who holds the billing period for the load: its own source,
// and any other source of the same billing account.
func holders(ctx context.Context, conn *sql.Conn, load cost.Load, period time.Time) ([]holder, error) {
	rows, err := conn.QueryContext(ctx, `SELECT source, version, row_count, CAST(billed_cost AS VARCHAR) FROM report_versions
		WHERE billing_period_start = CAST(? AS TIMESTAMP) AND (source = ? OR (? <> '' AND billing_account = ?)) ORDER BY source`,
		ts(period), load.Source, load.BillingAccount, load.BillingAccount)
	if err != nil {
		return nil, fmt.Errorf("read loaded versions: %w", err)
	}
	defer rows.Close()
	var out []holder
	for rows.Next() {
		var h holder
		if err := rows.Scan(&h.source, &h.version, &h.rows, &h.billed); err != nil {
			return nil, fmt.Errorf("read loaded versions: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// checkHolders refuses, before any row is read, a load whose billing
// periods another source of the same billing account already holds.
func checkHolders(ctx context.Context, conn *sql.Conn, load cost.Load, periods []time.Time) error {
	for _, p := range periods {
		hs, err := holders(ctx, conn, load, p.UTC())
		if err != nil {
			return err
		}
		if err := refuseOthers(load, p, hs); err != nil {
			return err
		}
	}
	return nil
}

// refuseOthers is the rule "one truth per billing account and period": a
// load may replace another source's version only when asked to.
func refuseOthers(load cost.Load, period time.Time, hs []holder) error {
	if load.Replace {
		return nil
	}
	for _, h := range hs {
		if h.source != load.Source {
			return cost.Errorf(cost.EConflict, "billing period %s of billing account %s is already loaded from %s "+
				"(%d rows, %s %s); loading %s as well would count it twice. To replace it with this one, load again "+
				"with --replace; to keep loading the same report, name it with --report",
				period.Format("2006-01"), load.BillingAccount, h.source, h.rows, trimZeros(h.billed), "billed", load.Origin)
		}
	}
	return nil
}

// refuseEmpty keeps a delivery with no rows from wiping a month that holds
// cost, unless the load allows it.
func refuseEmpty(load cost.Load, p *cost.PeriodResult, hs []holder) error {
	if p.Rows > 0 || load.AllowEmpty {
		return nil
	}
	for _, h := range hs {
		if h.rows > 0 {
			return cost.Errorf(cost.EConflict, "%s has no rows for billing period %s, which now holds %d rows "+
				"(%s billed) from %s; refusing to empty the month. If it really has no cost now, load again with --allow-empty",
				load.Origin, p.Start.Format("2006-01"), h.rows, trimZeros(h.billed), h.source)
		}
	}
	return nil
}

// trimZeros shortens a DECIMAL(38,18) text for a message: 697.320000… → 697.32.
func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// replaceVersion deletes the rows the period held before this load (its own
// source's, and with load.Replace another source's of the same billing
// account) and records the new version.
func replaceVersion(ctx context.Context, conn *sql.Conn, load cost.Load, loadID int64, p *cost.PeriodResult, now time.Time) error {
	hs, err := holders(ctx, conn, load, p.Start)
	if err != nil {
		return err
	}
	if err := refuseOthers(load, p.Start, hs); err != nil {
		return err
	}
	if err := refuseEmpty(load, p, hs); err != nil {
		return err
	}
	month := p.Start.Format("2006-01")
	for _, h := range hs {
		if _, err := conn.ExecContext(ctx, `DELETE FROM cost_rows WHERE BillingPeriodStart = CAST(? AS TIMESTAMP) AND load_id IN
			(SELECT load_id FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP))`,
			ts(p.Start), h.source, ts(p.Start)); err != nil {
			return fmt.Errorf("delete old rows of %s: %w", month, err)
		}
		if _, err := conn.ExecContext(ctx, `DELETE FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP)`,
			h.source, ts(p.Start)); err != nil {
			return fmt.Errorf("delete old version of %s: %w", month, err)
		}
		if h.source != load.Source {
			p.Replaced = append(p.Replaced, h.source)
		}
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO report_versions
		(source, billing_period_start, billing_period_end, version, load_id, row_count, billed_cost, origin, loaded_at, billing_account)
		VALUES (?, CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), ?, ?, ?, CAST(? AS DECIMAL(38,18)), ?, CAST(? AS TIMESTAMP), ?)`,
		load.Source, ts(p.Start), ts(p.End), load.Version, loadID, p.Rows, p.BilledCost.String(), load.Origin, ts(now),
		nullIfEmpty(load.BillingAccount)); err != nil {
		return fmt.Errorf("record version of %s: %w", month, err)
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// register lets the load's Register hook make scopes of the accounts its rows
// hold, in the load's transaction, so that no reader sees rows without
// their scopes.
func register(ctx context.Context, conn *sql.Conn, load cost.Load, loadID int64) error {
	found, err := loadedAccounts(ctx, conn, loadID)
	if err != nil {
		return err
	}
	return load.Register(ctx, catalogTxOn(conn), found)
}

// loadedAccounts lists the billing and usage accounts of the load's rows.
func loadedAccounts(ctx context.Context, conn *sql.Conn, loadID int64) ([]cost.LoadedAccount, error) {
	rows, err := conn.QueryContext(ctx, `SELECT ProviderName, BillingAccountId, coalesce(max(BillingAccountName), ''),
		coalesce(SubAccountId, ''), coalesce(max(SubAccountName), '') FROM dims WHERE dim_id >> 32 = ?
		GROUP BY ALL ORDER BY ALL`, loadID)
	if err != nil {
		return nil, fmt.Errorf("read the load's accounts: %w", err)
	}
	defer rows.Close()
	var out []cost.LoadedAccount
	for rows.Next() {
		var a cost.LoadedAccount
		if err := rows.Scan(&a.Provider, &a.BillingAccountID, &a.BillingAccountName, &a.SubAccountID, &a.SubAccountName); err != nil {
			return nil, fmt.Errorf("read the load's accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
