package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/reckon-finops/reckon/internal/cost"
)

// The catalog (migrations 002, 003 and 005) is the control plane's state,
// read and written a row at a time through cost.Catalog.

var _ cost.Catalog = (*Store)(nil)

// View runs fn over a read-only snapshot of the catalog: the copy in
// memory of its current version (catalogmem.go).
func (s *Store) View(ctx context.Context, fn func(cost.CatalogReader) error) error {
	c, err := s.catalogCopy(ctx)
	if err != nil {
		return err
	}
	return fn(c)
}

// Update runs fn in one DuckDB transaction and commits what it wrote,
// unless fn returns an error. Updates run one at a time: DuckDB's snapshot
// isolation alone would let a change commit on the strength of a check
// that another change, committed meanwhile, made false.
func (s *Store) Update(ctx context.Context, fn func(cost.CatalogTx) error) error {
	s.catalogMu.Lock()
	defer s.catalogMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin catalog update: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(&catalogTx{q: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit catalog update: %w", err)
	}
	s.catalogVersion++
	s.dataVersion.Add(1) // answers name accounts from the catalog (named_dims)
	return nil
}

// execQuerier is a transaction: a *sql.Tx, or a *sql.Conn that ran BEGIN.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// catalogTxOn returns the catalog as seen and written by q, a connection
// that is already inside a transaction: a load registers the accounts it
// found (cost.RegisterAccounts) in the transaction that adds their rows, so
// that no reader sees the rows without their scopes. The caller commits.
// Hold s.catalogMu from the registration to the commit, as Update does.
func catalogTxOn(q execQuerier) cost.CatalogTx { return &catalogTx{q: q} }

// catalogTx implements cost.CatalogTx over one DuckDB transaction.
type catalogTx struct{ q execQuerier }

const scopeColumns = `id, name, coalesce(grp, ''), coalesce(billing_account, ''), coalesce(connector, ''), coalesce(status, ''),
	coalesce(named_by, '')`

func scanScope(r interface{ Scan(...any) error }) (cost.Scope, error) {
	var s cost.Scope
	err := r.Scan(&s.ID, &s.Name, &s.Group, &s.BillingAccount, &s.Connector, &s.Status, &s.NamedBy)
	return s, err
}

// one reads at most one row; found is false when there is none.
func one[T any](row *sql.Row, scan func(interface{ Scan(...any) error }) (T, error)) (T, bool, error) {
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("read catalog: %w", err)
	}
	return v, true, nil
}

// all reads every row of a query.
func all[T any](ctx context.Context, q execQuerier, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	return out, nil
}

func (t *catalogTx) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := t.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// upsert runs update, and insert when update changed no row. The catalog
// has no unique keys (see migration 005), so a row is replaced in place.
func (t *catalogTx) upsert(ctx context.Context, what, update, insert string, args ...any) error {
	n, err := t.exec(ctx, what, update, args...)
	if err != nil || n > 0 {
		return err
	}
	_, err = t.exec(ctx, what, insert, args...)
	return err
}
