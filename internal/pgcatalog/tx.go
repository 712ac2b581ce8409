package pgcatalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
)

// catalogTx implements cost.CatalogTx over one PostgreSQL transaction; a
// View's is read-only and never calls the writing methods.
type catalogTx struct {
	q    pgx.Tx
	keys *keyring
	// wrote is set by the first write: an Update that wrote nothing does
	// not move the catalog's version on.
	wrote bool
}

// scanner is a row of pgx.Row or pgx.Rows.
type scanner interface{ Scan(...any) error }

// one reads at most one row; found is false when there is none.
func one[T any](row pgx.Row, scan func(scanner) (T, error)) (T, bool, error) {
	v, err := scan(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("read catalog: %w", err)
	}
	return v, true, nil
}

// all reads every row of a query.
func all[T any](ctx context.Context, q pgx.Tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
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

// exec runs a statement and returns the rows it changed.
func (t *catalogTx) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	t.wrote = true
	tag, err := t.q.Exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return tag.RowsAffected(), nil
}

// deleted runs a DELETE and reports whether it deleted a row.
func (t *catalogTx) deleted(ctx context.Context, what, query string, args ...any) (bool, error) {
	n, err := t.exec(ctx, what, query, args...)
	return n > 0, err
}

// ts is a time as stored: UTC, to the microsecond PostgreSQL keeps, cut
// rather than rounded, as DuckDB does.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullIfEmpty stores "" as NULL, as the DuckDB catalog does.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var _ cost.GroupFolder = (*catalogTx)(nil)
