package duckstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/reckon-finops/reckon/internal/cost"
)

// WriteRowsParquet writes the rows that each gives to w as one FOCUS
// Parquet file: the file Store.WriteParquet writes of the same rows, with
// its columns, types, order and checks, for a store that has no Parquet
// writer of its own (ClickHouse 18.16 has no Parquet format). each calls
// fn with every row, as a store's Rows does (fn keeps a copy), in the
// order of Rows (billing period, then charge period; ties keep each's
// order); a nil each writes a file of no rows. The rows go through a
// temporary DuckDB store in a new folder under dir (os.TempDir when
// empty), removed at the end; nothing reaches w unless the whole file was
// written.
func WriteRowsParquet(ctx context.Context, dir string, each func(fn func(*cost.Row) error) error, w io.Writer) error {
	tmp, err := os.MkdirTemp(dir, "reckon-parquet-*")
	if err != nil {
		return fmt.Errorf("parquet export: %w", err)
	}
	defer os.RemoveAll(tmp)
	s, err := Open(ctx, tmp, Options{MemoryLimit: "256MB"})
	if err != nil {
		return fmt.Errorf("parquet export: %w", err)
	}
	defer s.Close()
	if each == nil {
		return s.WriteParquet(ctx, nil, w)
	}
	if err := s.loadRows(ctx, each); err != nil {
		return err
	}
	return s.WriteParquet(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}, w)
}

// pushedRows turns each's calls into a cost.RowSource: each runs in its
// own goroutine and hands over copies of its rows in slices.
type pushedRows struct {
	batches <-chan []*cost.Row
	errc    <-chan error
	batch   []*cost.Row
}

func (p *pushedRows) Next() (*cost.Row, error) {
	for len(p.batch) == 0 {
		b, ok := <-p.batches
		if !ok {
			if err := <-p.errc; err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		p.batch = b
	}
	r := p.batch[0]
	p.batch = p.batch[1:]
	return r, nil
}

// errLoadEnded stops each when the load no longer reads its rows.
var errLoadEnded = errors.New("the export's load ended")

// loadRows loads every row each gives into s, as one load of its own.
func (s *Store) loadRows(ctx context.Context, each func(fn func(*cost.Row) error) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches, errc := make(chan []*cost.Row, 2), make(chan error, 1)
	go func() {
		defer close(batches)
		var batch []*cost.Row
		send := func() error {
			select {
			case batches <- batch:
				batch = nil
				return nil
			case <-ctx.Done():
				return errLoadEnded
			}
		}
		err := each(func(r *cost.Row) error {
			if batch = append(batch, r.Clone()); len(batch) == 1024 {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		errc <- err
	}()
	load := cost.Load{Source: "export", Version: "1", Origin: "the rows to export"}
	_, err := s.ReplacePeriods(ctx, load, &pushedRows{batches: batches, errc: errc})
	cancel()
	for range batches { // each stops at its next row; wait for it
	}
	if err != nil {
		return fmt.Errorf("parquet export: %w", err)
	}
	return nil
}
