package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
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
// version, and registers the accounts the rows hold (load.Register). A
// reader sees the old rows or the new, never a mix, and never rows without
// their scopes; a crash at any point leaves the old. Parsing and DuckDB's
// appending run on separate goroutines, so they overlap. Loads into one
// store run one at a time.
func (s *Store) ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (res cost.LoadResult, err error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("begin load: %w", err)
	}
	defer conn.Close()
	t := &loadTx{s: s, conn: conn}
	defer t.end(ctx)
	if res.LoadID, err = t.begin(ctx); err != nil {
		return res, err
	}
	if err := checkHolders(ctx, conn, load, load.Periods); err != nil {
		return res, err
	}
	fams, err := newFamilies(ctx, s.db, res.LoadID, s.tmpDir)
	if err != nil {
		return res, err
	}
	defer fams.close(ctx)
	periods, err := s.appendRows(ctx, conn, res.LoadID, load, src, fams)
	if err != nil {
		return res, err
	}
	if err := fams.finishStreams(); err != nil {
		return res, err
	}
	if err := insertSides(ctx, conn, fams); err != nil {
		return res, err
	}
	if err := rollUp(ctx, conn, res.LoadID); err != nil {
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
		if err := t.register(ctx, load, res.LoadID); err != nil {
			return res, err
		}
	}
	if err := s.crashPoint("before-commit"); err != nil {
		return res, err
	}
	if err := fams.commitStreams(ctx); err != nil {
		return res, err
	}
	if err := s.crashPoint("after-side-commit"); err != nil {
		return res, err
	}
	return res, t.commit(ctx)
}

// loadTx is a load's transaction on its own connection, and the catalog
// lock it takes to register accounts.
type loadTx struct {
	s             *Store
	conn          *sql.Conn
	seen          uint64 // the catalog version the transaction's snapshot holds
	catalogLocked bool
	committed     bool
}

// begin starts the transaction and allocates the load's id. The first
// statement fixes DuckDB's snapshot; the catalog lock makes the version
// recorded the one that snapshot holds.
func (t *loadTx) begin(ctx context.Context) (int64, error) {
	if _, err := t.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return 0, fmt.Errorf("begin load: %w", err)
	}
	t.s.catalogMu.Lock()
	defer t.s.catalogMu.Unlock()
	var id int64
	if err := t.conn.QueryRowContext(ctx, `SELECT nextval('load_ids')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("allocate load id: %w", err)
	}
	t.seen = t.s.catalogVersion
	return id, nil
}

// register lets the load's Register hook make scopes of the accounts its
// rows hold, in the load's transaction, holding the catalog lock until the
// transaction ends. The hook's checks read the transaction's snapshot, so
// the registration is refused when the catalog changed since the load
// began: a group deleted or an assignment removed meanwhile would
// otherwise go unseen.
func (t *loadTx) register(ctx context.Context, load cost.Load, loadID int64) error {
	t.s.catalogMu.Lock()
	t.catalogLocked = true
	if t.s.catalogVersion != t.seen {
		return cost.ErrCatalogChanged
	}
	found, err := loadedAccounts(ctx, t.conn, "dim_id >> 32 = ?", loadID)
	if err != nil {
		return err
	}
	return load.Register(ctx, catalogTxOn(t.conn), found)
}

func (t *loadTx) commit(ctx context.Context) error {
	if _, err := t.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit load: %w", err)
	}
	t.committed = true
	defer t.s.dataVersion.Add(1) // after the copy below: a query of the new version sees it
	if err := t.s.readUnrolled(ctx); err != nil {
		return fmt.Errorf("the load committed, but: %w", err)
	}
	if t.catalogLocked {
		t.s.catalogVersion++
	}
	return nil
}

// end rolls back what was not committed and releases the catalog lock.
func (t *loadTx) end(ctx context.Context) {
	if !t.committed {
		t.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error that brought us here matters more
	}
	if t.catalogLocked {
		t.s.catalogMu.Unlock()
	}
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
	xbuf []byte // the row's Extra as JSON
}

// rowKeys are one row's keys into the side tables; 0 is none.
type rowKeys struct{ dim, desc, tag, res int64 }

// produce reads src, resolves each row's side values to keys, and sends
// full batches to the appender.
func (p *producer) produce(ctx context.Context, src cost.RowSource, full chan<- *factBatch, free <-chan *factBatch, ins *insertion) (map[time.Time]*cost.PeriodResult, error) {
	periods := map[time.Time]*cost.PeriodResult{}
	var last *cost.PeriodResult
	var n int64 // rows read
	b := <-free
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		n++
		// Bounded amounts make every sum of them safe: the period's below,
		// the differences b.add stores, and the queries' in DuckDB.
		if err := cost.CheckRow(row, cost.RowPlace{Src: src, Origin: p.load.Origin, N: n}); err != nil {
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
		var ok bool
		if last.BilledCost, ok = last.BilledCost.AddChecked(row.BilledCost); !ok {
			return nil, cost.Errorf(cost.EInvalid, "%s: the billed cost of billing period %s passes 10^20 in magnitude, "+
				"more than the store can sum; the load was refused and nothing changed",
				cost.RowPlace{Src: src, Origin: p.load.Origin, N: n}, row.BillingPeriodStart.Format("2006-01"))
		}
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
	p.xbuf = appendTagsJSON(p.xbuf[:0], row.Extra)
	p.vals = dimValues(row, unsafe.String(unsafe.SliceData(p.buf), len(p.buf)), kind, unsafe.String(unsafe.SliceData(p.xbuf), len(p.xbuf)))
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

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// loadedAccounts lists the billing and usage accounts of the dims that
// where selects: one load's (dim_id >> 32 = ?), or every load's.
func loadedAccounts(ctx context.Context, q execQuerier, where string, args ...any) ([]cost.LoadedAccount, error) {
	return all(ctx, q, func(r interface{ Scan(...any) error }) (cost.LoadedAccount, error) {
		var a cost.LoadedAccount
		err := r.Scan(&a.Provider, &a.BillingAccountID, &a.BillingAccountName, &a.SubAccountID, &a.SubAccountName)
		return a, err
	}, `SELECT ProviderName, BillingAccountId, coalesce(max(BillingAccountName), ''),
		coalesce(SubAccountId, ''), coalesce(max(SubAccountName), '') FROM dims WHERE `+where+`
		GROUP BY ALL ORDER BY ALL`, args...)
}
