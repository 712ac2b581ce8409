package chstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
)

// batchRows is how many rows a shard's block holds before it is sent.
const batchRows = 50_000

// ErrNoCatalog refuses a load with a Register hook when the store has no
// catalog (Options.Catalog) to register the accounts in, in the flip's
// transaction.
var ErrNoCatalog = errors.New("the clickhouse store has no catalog to register the load's accounts in (Load.Register): set Options.Catalog")

// LoadedVersion returns the version of source's billing period held now, or
// "" when it holds none.
func (s *Store) LoadedVersion(ctx context.Context, source string, period time.Time) (string, error) {
	return s.v.Version(ctx, source, period)
}

// DataVersion is a value that changes whenever an answer of Query, Each,
// Values or Rows could: every load's flip and every DeleteBillingAccount,
// by any process sharing the PostgreSQL database (one round trip there).
// Account names from Options.AccountNames are not part of it: the
// catalog has its own version.
func (s *Store) DataVersion(ctx context.Context) (string, error) {
	return s.v.DataVersion(ctx)
}

// ReplacePeriods writes the rows under a new load id into each shard's
// local table (the shard chosen in Go, shardOf), and only once every shard
// holds them flips, in one PostgreSQL transaction, the current load of
// every billing period the rows (or load.Periods) cover: a reader sees the
// old version or the new, on every shard. A load that fails or dies before
// the flip leaves rows no reader selects; they are dropped now when the
// failure is seen, else by Cleanup.
func (s *Store) ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (res cost.LoadResult, err error) {
	if load.Register != nil && s.catalog == nil {
		return res, ErrNoCatalog
	}
	for _, p := range load.Periods {
		hs, err := s.v.Holders(ctx, load, p.UTC())
		if err != nil {
			return res, err
		}
		if err := cost.RefuseOthers(load, p, truths(hs)); err != nil {
			return res, err
		}
	}
	if res.LoadID, err = s.v.NewLoad(ctx, load); err != nil {
		return res, err
	}
	periods, found, err := s.writeRows(ctx, res.LoadID, load, src)
	if err != nil {
		s.giveUp(ctx, res.LoadID)
		return res, err
	}
	for _, p := range load.Periods {
		p = p.UTC()
		if _, ok := periods[p]; !ok {
			periods[p] = &cost.PeriodResult{Start: p, End: p.AddDate(0, 1, 0)}
		}
	}
	list := make([]*cost.PeriodResult, 0, len(periods))
	for _, start := range slices.SortedFunc(maps.Keys(periods), time.Time.Compare) {
		list = append(list, periods[start])
	}
	var register func(pgx.Tx) error
	if load.Register != nil {
		register = func(tx pgx.Tx) error {
			catalog, err := s.catalog(ctx, tx)
			if err != nil {
				return err
			}
			return load.Register(ctx, catalog, found)
		}
	}
	if err := s.v.Flip(ctx, load, res.LoadID, list, time.Now().UTC(), register); err != nil {
		s.giveUp(ctx, res.LoadID)
		return res, err
	}
	for _, p := range list {
		res.Rows += p.Rows
		res.Periods = append(res.Periods, *p)
	}
	return res, nil
}

// writeRows reads src and writes its rows under loadID to the shards'
// local tables, refusing what duckstore refuses (cost.CheckRow, a row of
// another billing account, a period's billed cost out of range). It returns
// the billing periods seen, and the accounts the rows hold (as duckstore
// lists them for Load.Register: by provider, billing account and
// sub-account, with the largest name the rows give each).
func (s *Store) writeRows(ctx context.Context, loadID int64, load cost.Load, src cost.RowSource) (map[time.Time]*cost.PeriodResult, []cost.LoadedAccount, error) {
	w := s.newShardWriter(ctx, uint64(loadID))
	defer w.abort()
	periods := map[time.Time]*cost.PeriodResult{}
	accounts := map[[3]string]*cost.LoadedAccount{}
	var n int64
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		n++
		if err := cost.CheckRow(row, cost.RowPlace{Src: src, Origin: load.Origin, N: n}); err != nil {
			return nil, nil, err
		}
		if load.BillingAccount != "" && row.BillingAccountID != load.BillingAccount {
			return nil, nil, cost.Errorf(cost.EInvalid, "%s: a row is billed to account %q, but the load is for billing account %s: one load holds one bill",
				load.Origin, row.BillingAccountID, load.BillingAccount)
		}
		start := row.BillingPeriodStart.UTC()
		p := periods[start]
		if p == nil {
			p = &cost.PeriodResult{Start: start, End: row.BillingPeriodEnd.UTC()}
			periods[start] = p
		}
		p.Rows++
		var ok bool
		if p.BilledCost, ok = p.BilledCost.AddChecked(row.BilledCost); !ok {
			return nil, nil, cost.Errorf(cost.EInvalid, "%s: the billed cost of billing period %s passes 10^20 in magnitude, "+
				"more than the store can sum; the load was refused and nothing changed",
				cost.RowPlace{Src: src, Origin: load.Origin, N: n}, start.Format("2006-01"))
		}
		k := [3]string{row.ProviderName, row.BillingAccountID, row.SubAccountID}
		a := accounts[k]
		if a == nil {
			// The key too is a copy: the row's strings may be the reader's buffer.
			a = &cost.LoadedAccount{Provider: strings.Clone(k[0]), BillingAccountID: strings.Clone(k[1]), SubAccountID: strings.Clone(k[2])}
			accounts[[3]string{a.Provider, a.BillingAccountID, a.SubAccountID}] = a
		}
		if row.BillingAccountName > a.BillingAccountName {
			a.BillingAccountName = strings.Clone(row.BillingAccountName)
		}
		if row.SubAccountName > a.SubAccountName {
			a.SubAccountName = strings.Clone(row.SubAccountName)
		}
		if err := w.add(row, uint64(n)); err != nil {
			return nil, nil, err
		}
	}
	if err := w.flush(); err != nil {
		return nil, nil, err
	}
	found := make([]cost.LoadedAccount, 0, len(accounts))
	for _, k := range slices.SortedFunc(maps.Keys(accounts), func(a, b [3]string) int { return slices.Compare(a[:], b[:]) }) {
		found = append(found, *accounts[k])
	}
	return periods, found, nil
}

// giveUp drops the rows of a load that failed, unless its flip landed
// after all; when it cannot tell, Cleanup drops them later.
func (s *Store) giveUp(ctx context.Context, id int64) {
	ctx = context.WithoutCancel(ctx)
	if doomed, err := s.v.Abandon(ctx, id); err == nil && doomed {
		s.dropLoads(ctx, []int64{id}) //nolint:errcheck // Cleanup retries
	}
}

// dropLoads drops the partitions of the load ids on every shard (dropping
// a missing partition is no error) and forgets them.
func (s *Store) dropLoads(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		for i, c := range s.shards {
			if err := c.Exec(ctx, "ALTER TABLE "+s.db+".cost_rows_local DROP PARTITION "+strconv.FormatInt(id, 10)); err != nil {
				return fmt.Errorf("drop load %d on shard %d: %w", id, i+1, err)
			}
		}
	}
	return s.v.Forget(ctx, ids)
}

// Cleanup drops the rows of loads that no billing period holds: replaced
// or deleted ones once Options.CleanupGrace has passed since (a reader
// that read the current load ids before the change may still be reading
// them), and loads never committed (failed, or killed before their flip)
// once Options.AbandonAfter has passed since they began; such a load is
// marked doomed first, so that it can never flip afterwards. It also drops
// the partitions of load ids PostgreSQL does not know: rows a doomed
// loader wrote after its partition was dropped. It returns the load ids
// dropped.
func (s *Store) Cleanup(ctx context.Context) ([]int64, error) {
	ids, err := s.v.Doom(ctx, s.grace, s.abandon)
	if err != nil {
		return nil, err
	}
	known, err := s.v.Known(ctx)
	if err != nil {
		return nil, err
	}
	orphans := map[int64]bool{}
	for i, c := range s.shards {
		rows, err := c.Query(ctx, "SELECT DISTINCT partition_id FROM system.parts WHERE database = ? AND table = 'cost_rows_local' AND active", s.db)
		if err != nil {
			return nil, fmt.Errorf("list the partitions of shard %d: %w", i+1, err)
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return nil, fmt.Errorf("list the partitions of shard %d: %w", i+1, err)
			}
			if id, err := strconv.ParseInt(p, 10, 64); err == nil && !known[id] {
				orphans[id] = true
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("list the partitions of shard %d: %w", i+1, err)
		}
	}
	all := append(ids, slices.Sorted(maps.Keys(orphans))...)
	if len(all) == 0 {
		return nil, nil
	}
	return all, s.dropLoads(ctx, all)
}

// DeleteBillingAccount makes no period of the billing account current and
// hides its rows in every load current until now, in one PostgreSQL
// transaction, so that they vanish from every reader at once; then deletes
// them on every shard (ALTER TABLE … DELETE of those loads' rows, a
// mutation that ends later; a load still running is not touched, and its
// rows of the account show when it commits, after the delete). It
// returns how many rows readers saw just before. A load of several billing
// accounts keeps its version when it held the account's rows (duckstore
// drops a version left with no rows).
func (s *Store) DeleteBillingAccount(ctx context.Context, payer string) (int64, error) {
	cur, del, hidden, err := s.v.DropBillingAccount(ctx, payer)
	if err != nil {
		return 0, err
	}
	if len(hidden) == 0 {
		return 0, nil
	}
	var n uint64
	if err := s.entry.QueryRow(ctx, "SELECT count() FROM "+s.db+".cost_rows WHERE "+visibilityOf(cur, del)+
		" AND BillingAccountId = "+quote(payer)).Scan(&n); err != nil {
		return 0, fmt.Errorf("the billing account is deleted, but counting its rows failed: %w", err)
	}
	for i, c := range s.shards {
		if err := c.Exec(ctx, "ALTER TABLE "+s.db+".cost_rows_local DELETE WHERE BillingAccountId = "+quote(payer)+
			" AND load_id IN ("+joinIDs(hidden)+")"); err != nil {
			return int64(n), fmt.Errorf("the billing account is deleted, but deleting its rows on shard %d failed (they stay hidden): %w", i+1, err)
		}
	}
	return int64(n), nil
}
