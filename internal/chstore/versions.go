package chstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Versions is where the store decides what readers see: which load id is
// current for each source's billing period. ClickHouse cannot change
// several shards at once, so this lives in PostgreSQL, where one
// transaction flips every period of a load.
type Versions interface {
	// NewLoad allocates a load id and records the load as begun.
	NewLoad(ctx context.Context, load cost.Load) (int64, error)
	// Holders are who holds the billing period for the load: its own
	// source, and any other source of the same billing account.
	Holders(ctx context.Context, load cost.Load, period time.Time) ([]holder, error)
	// Flip makes loadID current for the periods, in one transaction,
	// after checking the one-truth rules again under a lock; register,
	// when not nil, runs in that transaction before it commits, and its
	// error aborts the flip.
	Flip(ctx context.Context, load cost.Load, loadID int64, periods []*cost.PeriodResult, now time.Time, register func(pgx.Tx) error) error
	// Current are the current (load id, billing period) pairs and the
	// deleted billing accounts, read in one snapshot.
	Current(ctx context.Context) ([]current, []deleted, error)
	// Version is the version of source's period held now, or "".
	Version(ctx context.Context, source string, period time.Time) (string, error)
	// DropBillingAccount makes no period of the billing account current
	// (its loads' and those of its sources), and hides its rows in every
	// load current until now (a tombstone), in one transaction. It
	// returns what was current just before, and the load ids hidden.
	DropBillingAccount(ctx context.Context, payer string) ([]current, []deleted, []int64, error)
	// Doom marks, and returns with those marked before, the loads whose
	// rows may go: committed ones that no period holds since released
	// ago, and loads never committed begun abandoned ago. A doomed load
	// never flips. Forget removes doomed loads once their rows are
	// dropped; Known tells whether a load id is recorded at all.
	Doom(ctx context.Context, released, abandoned time.Duration) ([]int64, error)
	Forget(ctx context.Context, ids []int64) error
	Known(ctx context.Context) (map[int64]bool, error)
	// DataVersion is the version of what readers see: it changes with
	// every Flip and DropBillingAccount, in their transactions.
	DataVersion(ctx context.Context) (string, error)
	// Abandon dooms a load that failed, unless it is current (a flip
	// whose commit reported an error may have landed), and reports
	// whether it did.
	Abandon(ctx context.Context, loadID int64) (bool, error)
}

// current is a current load of one billing period, and the number of
// billing periods the load flipped.
type current struct {
	loadID  int64
	period  time.Time
	periods int
}

// deleted is a deleted billing account: its rows in the loads that were
// current when it was deleted are hidden, whatever load holds them, until
// the mutation that deletes them ends. (A load committed later shows its
// rows of the account: it came after the delete.)
type deleted struct {
	account string
	loadIDs []int64
}

// holder is a source whose version of a billing period is current.
type holder struct {
	cost.Holder
	loadID int64
}

// truths are the holders as the one-truth rules read them.
func truths(hs []holder) []cost.Holder {
	out := make([]cost.Holder, len(hs))
	for i, h := range hs {
		out[i] = h.Holder
	}
	return out
}

// pgVersions is Versions on PostgreSQL (pgx).
type pgVersions struct {
	pool *pgxpool.Pool
}

var _ Versions = (*pgVersions)(nil)

var schemaSQL = []string{
	`CREATE SEQUENCE IF NOT EXISTS chstore_load_ids`,
	`CREATE TABLE IF NOT EXISTS chstore_loads (
		load_id bigint PRIMARY KEY,
		source text NOT NULL,
		version text NOT NULL,
		billing_account text NOT NULL,
		origin text NOT NULL,
		begun_at timestamptz NOT NULL DEFAULT now(),
		committed_at timestamptz,
		released_at timestamptz,
		period_count integer NOT NULL DEFAULT 0,
		doomed boolean NOT NULL DEFAULT false)`,
	`CREATE TABLE IF NOT EXISTS chstore_current (
		source text NOT NULL,
		billing_period_start timestamptz NOT NULL,
		billing_period_end timestamptz NOT NULL,
		version text NOT NULL,
		load_id bigint NOT NULL,
		billing_account text NOT NULL,
		row_count bigint NOT NULL,
		billed_cost numeric NOT NULL,
		origin text NOT NULL,
		loaded_at timestamptz NOT NULL,
		PRIMARY KEY (source, billing_period_start))`,
	`CREATE INDEX IF NOT EXISTS chstore_current_account ON chstore_current (billing_account, billing_period_start)`,
	`CREATE TABLE IF NOT EXISTS chstore_deleted_accounts (
		billing_account text PRIMARY KEY,
		load_ids bigint[] NOT NULL,
		deleted_at timestamptz NOT NULL DEFAULT now())`,
	// One row: a token made when the table is (so that a schema made
	// again does not repeat the versions of the one dropped) and a
	// counter bumped by every change of what readers see.
	`CREATE TABLE IF NOT EXISTS chstore_data_version (
		one boolean PRIMARY KEY DEFAULT true CHECK (one),
		token text NOT NULL,
		n bigint NOT NULL)`,
	`INSERT INTO chstore_data_version (token, n) VALUES (gen_random_uuid()::text, 0) ON CONFLICT DO NOTHING`,
}

func openVersions(ctx context.Context, rawURL, schema string) (*pgVersions, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgres URL: %w", err)
	}
	if schema != "" {
		if !identRE.MatchString(schema) {
			return nil, fmt.Errorf("postgres schema %q is not a plain identifier", schema)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	v := &pgVersions{pool: pool}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// One creator at a time: replicas starting together.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('reckon chstore schema'))`); err != nil {
			return err
		}
		if schema != "" {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
				return err
			}
		}
		for _, sql := range schemaSQL {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("create the load versions' tables in postgres: %w", err)
	}
	return v, nil
}

func (v *pgVersions) close() { v.pool.Close() }

func (v *pgVersions) NewLoad(ctx context.Context, load cost.Load) (int64, error) {
	var id int64
	err := v.pool.QueryRow(ctx, `INSERT INTO chstore_loads (load_id, source, version, billing_account, origin)
		VALUES (nextval('chstore_load_ids'), $1, $2, $3, $4) RETURNING load_id`,
		load.Source, load.Version, load.BillingAccount, load.Origin).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("allocate load id: %w", err)
	}
	return id, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func holdersOn(ctx context.Context, q querier, load cost.Load, period time.Time, lock bool) ([]holder, error) {
	sql := `SELECT source, version, load_id, row_count, billed_cost::text FROM chstore_current
		WHERE billing_period_start = $1 AND (source = $2 OR ($3 <> '' AND billing_account = $3)) ORDER BY source`
	if lock {
		sql += " FOR UPDATE"
	}
	rows, err := q.Query(ctx, sql, period.UTC(), load.Source, load.BillingAccount)
	if err != nil {
		return nil, fmt.Errorf("read loaded versions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (holder, error) {
		var h holder
		err := r.Scan(&h.Source, &h.Version, &h.loadID, &h.Rows, &h.Billed)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("read loaded versions: %w", err)
	}
	return out, nil
}

func (v *pgVersions) Holders(ctx context.Context, load cost.Load, period time.Time) ([]holder, error) {
	return holdersOn(ctx, v.pool, load, period, false)
}

func (v *pgVersions) Flip(ctx context.Context, load cost.Load, loadID int64, periods []*cost.PeriodResult, now time.Time, register func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, v.pool, func(tx pgx.Tx) error {
		// Flips run one at a time: the checks below and the change they
		// allow are one step, as duckstore's load mutex makes them.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('reckon chstore flip'))`); err != nil {
			return fmt.Errorf("lock the load versions: %w", err)
		}
		var doomed bool
		if err := tx.QueryRow(ctx, `SELECT doomed FROM chstore_loads WHERE load_id = $1`, loadID).Scan(&doomed); err != nil || doomed {
			if err == nil || errors.Is(err, pgx.ErrNoRows) {
				err = errors.New("the load ran past the time a load may take, and Cleanup dropped its rows")
			}
			return fmt.Errorf("load %d: %w", loadID, err)
		}
		for _, p := range periods {
			hs, err := holdersOn(ctx, tx, load, p.Start, true)
			if err != nil {
				return err
			}
			if err := cost.RefuseOthers(load, p.Start, truths(hs)); err != nil {
				return err
			}
			if err := cost.RefuseEmpty(load, p, truths(hs)); err != nil {
				return err
			}
			for _, h := range hs {
				if _, err := tx.Exec(ctx, `DELETE FROM chstore_current WHERE source = $1 AND billing_period_start = $2`, h.Source, p.Start.UTC()); err != nil {
					return fmt.Errorf("replace the version of %s: %w", p.Start.Format("2006-01"), err)
				}
				// A reader that took the old load id just before this
				// commit still finds its rows for the grace period.
				if _, err := tx.Exec(ctx, `UPDATE chstore_loads SET released_at = now() WHERE load_id = $1`, h.loadID); err != nil {
					return fmt.Errorf("record the released load: %w", err)
				}
				if h.Source != load.Source {
					p.Replaced = append(p.Replaced, h.Source)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO chstore_current (source, billing_period_start, billing_period_end, version, load_id,
				billing_account, row_count, billed_cost, origin, loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9, $10)`,
				load.Source, p.Start.UTC(), p.End.UTC(), load.Version, loadID, load.BillingAccount, p.Rows, p.BilledCost.String(),
				load.Origin, now); err != nil {
				return fmt.Errorf("record the version of %s: %w", p.Start.Format("2006-01"), err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE chstore_loads SET committed_at = $2, period_count = $3 WHERE load_id = $1`, loadID, now, len(periods)); err != nil {
			return fmt.Errorf("record the load: %w", err)
		}
		if err := bumpDataVersion(ctx, tx); err != nil {
			return err
		}
		if register != nil {
			return register(tx)
		}
		return nil
	})
}

func (v *pgVersions) Current(ctx context.Context) (cur []current, del []deleted, err error) {
	err = pgx.BeginTxFunc(ctx, v.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		cur, del, err = readCurrent(ctx, tx)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read the current loads: %w", err)
	}
	return cur, del, nil
}

// readCurrent reads the current loads and the deleted accounts in tx.
func readCurrent(ctx context.Context, tx pgx.Tx) (cur []current, del []deleted, err error) {
	rows, err := tx.Query(ctx, `SELECT c.load_id, c.billing_period_start, l.period_count
		FROM chstore_current c JOIN chstore_loads l USING (load_id) ORDER BY c.load_id, c.billing_period_start`)
	if err != nil {
		return nil, nil, err
	}
	if cur, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (current, error) {
		var c current
		err := r.Scan(&c.loadID, &c.period, &c.periods)
		c.period = c.period.UTC()
		return c, err
	}); err != nil {
		return nil, nil, err
	}
	rows, err = tx.Query(ctx, `SELECT billing_account, load_ids FROM chstore_deleted_accounts ORDER BY billing_account`)
	if err != nil {
		return nil, nil, err
	}
	del, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (deleted, error) {
		var d deleted
		err := r.Scan(&d.account, &d.loadIDs)
		return d, err
	})
	return cur, del, err
}

func (v *pgVersions) Version(ctx context.Context, source string, period time.Time) (string, error) {
	var version string
	err := v.pool.QueryRow(ctx, `SELECT version FROM chstore_current WHERE source = $1 AND billing_period_start = $2`,
		source, period.UTC()).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read loaded version: %w", err)
	}
	return version, nil
}

func (v *pgVersions) DropBillingAccount(ctx context.Context, payer string) (cur []current, del []deleted, hidden []int64, err error) {
	err = pgx.BeginFunc(ctx, v.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('reckon chstore flip'))`); err != nil {
			return fmt.Errorf("lock the load versions: %w", err)
		}
		if cur, del, err = readCurrent(ctx, tx); err != nil {
			return fmt.Errorf("read the current loads: %w", err)
		}
		for _, c := range cur {
			if len(hidden) == 0 || hidden[len(hidden)-1] != c.loadID {
				hidden = append(hidden, c.loadID)
			}
		}
		// Every version of the account's bill goes, whatever its source,
		// as in duckstore.
		const held = `billing_account = $1 OR starts_with(source, 'aws-cur/' || $1 || '/')`
		if _, err := tx.Exec(ctx, `UPDATE chstore_loads SET released_at = now()
			WHERE load_id IN (SELECT load_id FROM chstore_current WHERE `+held+`)`, payer); err != nil {
			return fmt.Errorf("delete the billing account's versions: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM chstore_current WHERE `+held, payer); err != nil {
			return fmt.Errorf("delete the billing account's versions: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO chstore_deleted_accounts (billing_account, load_ids) VALUES ($1, $2)
			ON CONFLICT (billing_account) DO UPDATE SET deleted_at = now(),
			load_ids = ARRAY(SELECT DISTINCT unnest(chstore_deleted_accounts.load_ids || excluded.load_ids) ORDER BY 1)`,
			payer, hidden); err != nil {
			return fmt.Errorf("delete the billing account's rows: %w", err)
		}
		return bumpDataVersion(ctx, tx)
	})
	return cur, del, hidden, err
}

// bumpDataVersion changes DataVersion in tx, which holds the flip lock.
func bumpDataVersion(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `UPDATE chstore_data_version SET n = n + 1`); err != nil {
		return fmt.Errorf("bump the data version: %w", err)
	}
	return nil
}

func (v *pgVersions) DataVersion(ctx context.Context) (string, error) {
	var token string
	var n int64
	if err := v.pool.QueryRow(ctx, `SELECT token, n FROM chstore_data_version`).Scan(&token, &n); err != nil {
		return "", fmt.Errorf("read the data version: %w", err)
	}
	return token + "." + strconv.FormatInt(n, 10), nil
}

func interval(d time.Duration) string { return fmt.Sprintf("%d microseconds", d.Microseconds()) }

func (v *pgVersions) Doom(ctx context.Context, released, abandoned time.Duration) ([]int64, error) {
	var ids []int64
	err := pgx.BeginFunc(ctx, v.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('reckon chstore flip'))`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE chstore_loads l SET doomed = true WHERE NOT doomed
			AND NOT EXISTS (SELECT 1 FROM chstore_current c WHERE c.load_id = l.load_id)
			AND CASE WHEN committed_at IS NULL THEN begun_at < now() - $2::interval
				ELSE coalesce(released_at, committed_at) < now() - $1::interval END`,
			interval(released), interval(abandoned)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT load_id FROM chstore_loads WHERE doomed ORDER BY load_id`)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find the loads to drop: %w", err)
	}
	return ids, nil
}

func (v *pgVersions) Abandon(ctx context.Context, loadID int64) (bool, error) {
	var doomed bool
	err := pgx.BeginFunc(ctx, v.pool, func(tx pgx.Tx) error {
		// Under the flip lock: a flip of this load still committing ends first.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('reckon chstore flip'))`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE chstore_loads l SET doomed = true WHERE load_id = $1
			AND NOT EXISTS (SELECT 1 FROM chstore_current c WHERE c.load_id = l.load_id)`, loadID)
		doomed = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("abandon load %d: %w", loadID, err)
	}
	return doomed, nil
}

func (v *pgVersions) Known(ctx context.Context) (map[int64]bool, error) {
	rows, err := v.pool.Query(ctx, `SELECT load_id FROM chstore_loads`)
	if err != nil {
		return nil, fmt.Errorf("read the loads: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("read the loads: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

func (v *pgVersions) Forget(ctx context.Context, ids []int64) error {
	if _, err := v.pool.Exec(ctx, `DELETE FROM chstore_loads WHERE load_id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("forget stale loads: %w", err)
	}
	return nil
}
