// Package storetest is the cost store's conformance suite: what every
// backend of the cost rows (DuckDB on disk, ClickHouse across shards) must
// do, written against the store's contract alone, so that the same tests
// run unchanged against each (issue 13). A backend's test calls Run with a
// function that opens a fresh, empty store.
//
// Answers are checked against an oracle written apart from any store: the
// fixture's rows filtered, grouped and summed in Go with exact decimals.
// The fixture has what breaks stores: 18 decimal places and amounts near
// the limit, two billing accounts (one with a leading zero), two
// currencies, empty values, tags present on some rows only, several
// months, and rows whose billing period differs from their charge period.
package storetest

import (
	"context"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Store is the cost store's contract, as the API, the loader and the jobs
// declare it.
type Store interface {
	LoadedVersion(ctx context.Context, source string, period time.Time) (string, error)
	ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (cost.LoadResult, error)
	DeleteBillingAccount(ctx context.Context, payer string) (int64, error)
	Query(ctx context.Context, q *cost.Query) (*cost.Result, error)
	Each(ctx context.Context, q *cost.Query, fn func(*cost.ResultRow) error) error
	Values(ctx context.Context, q *cost.Query, vq cost.ValueQuery) (*cost.Values, error)
	Rows(ctx context.Context, q *cost.Query, fn func(*cost.Row) error) error
}
