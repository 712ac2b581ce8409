package pgcatalog

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/reckon-finops/reckon/internal/cost"
)

var _ cost.Catalog = (*Catalog)(nil)

// The advisory lock keys: one serializes the catalog's Updates, the other
// the migrations of replicas that start at once. Both are constants every
// replica agrees on ("reckon" and "catalog"/"migrate" in ASCII).
const (
	updateLockKey  int64 = 0x7265636b_63617461
	migrateLockKey int64 = 0x7265636b_6d696772
)

// Options configures a Catalog.
type Options struct {
	// Key encrypts the secrets stored in the catalog (AES-256-GCM): 32
	// bytes, from the environment. Without one the catalog opens only
	// while it holds no secret, and refuses to store one.
	Key []byte
	// OldKeys decrypt secrets written under keys since replaced; a secret
	// is written again under Key when its connector is next written.
	OldKeys [][]byte
	// MaxConns bounds the pool's connections; 0 for pgxpool's default.
	MaxConns int32
}

// Catalog is a cost.Catalog on PostgreSQL.
type Catalog struct {
	pool *pgxpool.Pool
	keys *keyring
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string), applies the migrations it lacks and checks that the
// key can read the secrets it holds.
func Open(ctx context.Context, url string, opts Options) (*Catalog, error) {
	keys, err := newKeyring(opts.Key, opts.OldKeys)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("catalog URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the catalog: %w", err)
	}
	c := &Catalog{pool: pool, keys: keys}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	if err := c.checkKeys(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the catalog's connections.
func (c *Catalog) Close() { c.pool.Close() }

// View runs fn over a consistent snapshot: a REPEATABLE READ, READ ONLY
// transaction sees what was committed when its first statement ran and
// nothing committed after.
func (c *Catalog) View(ctx context.Context, fn func(cost.CatalogReader) error) error {
	tx, err := c.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin catalog read: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // nothing was written
	if err := fn(&catalogTx{q: tx, keys: c.keys}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("end catalog read: %w", err)
	}
	return nil
}

// Update runs fn in one transaction and commits what it wrote, unless fn
// returns an error. Updates run one at a time: each takes the catalog's
// transaction-scoped advisory lock first (see doc.go).
func (c *Catalog) Update(ctx context.Context, fn func(cost.CatalogTx) error) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// ChangeChannel is the channel every committed Update notifies (LISTEN
// reckon_catalog) with the catalog's new version.
const ChangeChannel = "reckon_catalog"

// Version returns the number of Updates committed since the catalog was
// created: a cache of what the catalog holds is current while it holds.
func (c *Catalog) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := c.pool.QueryRow(ctx, `SELECT version FROM catalog_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the catalog's version: %w", err)
	}
	return v, nil
}

// Tx is an Update's transaction held open by its caller: a cost store's
// load registers its accounts (cost.RegisterFunc) and records its version
// in it, and commits it when its rows are in place. It holds the lock that
// serializes Updates until Commit or Rollback, so keep it short.
type Tx struct {
	catalogTx
	tx pgx.Tx
}

var _ cost.CatalogTx = (*Tx)(nil)

// Begin starts an Update's transaction: READ COMMITTED, after the
// catalog's advisory lock. Every statement after the lock sees every
// Update committed before it, and none commits until this one ends.
func (c *Catalog) Begin(ctx context.Context) (*Tx, error) {
	tx, err := c.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("begin catalog update: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, updateLockKey); err != nil {
		tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // the error that matters is the lock's
		return nil, fmt.Errorf("lock the catalog: %w", err)
	}
	return &Tx{catalogTx: catalogTx{q: tx, keys: c.keys}, tx: tx}, nil
}

// PgxTx is the transaction itself, for a caller's own tables beside the
// catalog's (a load's current version, written with its registration).
func (t *Tx) PgxTx() pgx.Tx { return t.tx }

// Commit moves the catalog's version on and notifies ChangeChannel when
// the transaction wrote to the catalog, commits it and releases the lock.
func (t *Tx) Commit(ctx context.Context) error {
	if !t.wrote {
		if err := t.tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit catalog update: %w", err)
		}
		return nil
	}
	if _, err := t.tx.Exec(ctx, `WITH v AS (UPDATE catalog_version SET version = version + 1 RETURNING version)
		SELECT pg_notify($1, version::text) FROM v`, ChangeChannel); err != nil {
		return fmt.Errorf("commit catalog update: %w", err)
	}
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit catalog update: %w", err)
	}
	return nil
}

// Rollback discards the transaction and releases the lock; a no-op after
// Commit.
func (t *Tx) Rollback(ctx context.Context) error {
	if err := t.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("roll back catalog update: %w", err)
	}
	return nil
}

// Join makes tx, a transaction of the catalog's database that its caller
// commits, an Update's: it takes the lock that serializes Updates, and
// moves the catalog's version on (with its notification) as Commit does,
// so that what the caller writes through the returned catalog commits
// with the caller's own tables. A cost store's load registers its
// accounts in the transaction that makes its rows visible this way.
func (c *Catalog) Join(ctx context.Context, tx pgx.Tx) (cost.CatalogTx, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, updateLockKey); err != nil {
		return nil, fmt.Errorf("lock the catalog: %w", err)
	}
	if _, err := tx.Exec(ctx, `WITH v AS (UPDATE catalog_version SET version = version + 1 RETURNING version)
		SELECT pg_notify($1, version::text) FROM v`, ChangeChannel); err != nil {
		return nil, fmt.Errorf("move the catalog's version on: %w", err)
	}
	return &catalogTx{q: tx, keys: c.keys}, nil
}
