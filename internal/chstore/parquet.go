package chstore

import (
	"context"
	"io"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// WriteParquet writes the rows Rows would give for q (none when q is nil,
// an empty view) to w as one FOCUS Parquet file, the file duckstore writes
// of the same rows: ClickHouse 18.16 has no Parquet format, so the rows go
// through a temporary DuckDB store in Options.TempDir
// (duckstore.WriteRowsParquet). Nothing reaches w unless the whole file was
// written.
func (s *Store) WriteParquet(ctx context.Context, q *cost.Query, w io.Writer) error {
	if q == nil {
		return duckstore.WriteRowsParquet(ctx, s.tempDir, nil, w)
	}
	if err := q.Validate(); err != nil {
		return err
	}
	return duckstore.WriteRowsParquet(ctx, s.tempDir, func(fn func(*cost.Row) error) error { return s.Rows(ctx, q, fn) }, w)
}
