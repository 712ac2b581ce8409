package main

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// countedRows yields n rows, each with its number as its charge start,
// then err (io.EOF when nil).
type countedRows struct {
	n, i int
	err  error
	row  cost.Row
}

func (c *countedRows) Next() (*cost.Row, error) {
	if c.i >= c.n {
		if c.err != nil {
			return nil, c.err
		}
		return nil, io.EOF
	}
	c.i++
	// The same row reused, as a store's reader does: prefetch must copy it.
	c.row.ChargePeriodStart = time.Unix(int64(c.i), 0)
	return &c.row, nil
}

func TestPrefetchGivesEveryRowInOrderThenTheReadersEnd(t *testing.T) {
	for _, tt := range []struct {
		name string
		n    int
		err  error
	}{
		{"no rows", 0, nil},
		{"less than a batch", 7, nil},
		{"batches and a part", 2*prefetchBatch + 3, nil},
		{"exactly a batch", prefetchBatch, nil},
		{"a failed read after some rows", prefetchBatch + 1, errors.New("disk on fire")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			closed := 0
			p := prefetch(&countedRows{n: tt.n, err: tt.err}, func() error { closed++; return nil })
			var got []*cost.Row
			var err error
			for {
				var r *cost.Row
				if r, err = p.Next(); err != nil {
					break
				}
				got = append(got, r)
			}
			want := tt.err
			if want == nil {
				want = io.EOF
			}
			if !errors.Is(err, want) {
				t.Errorf("ended with %v, want %v", err, want)
			}
			if len(got) != tt.n {
				t.Fatalf("%d rows, want %d", len(got), tt.n)
			}
			for i, r := range got {
				if r.ChargePeriodStart.Unix() != int64(i+1) {
					t.Fatalf("row %d is row %d", i+1, r.ChargePeriodStart.Unix())
				}
			}
			p.Close()
			if closed != 1 {
				t.Errorf("the source was closed %d times", closed)
			}
		})
	}
}

func TestPrefetchClosedEarlyStopsReadingAndClosesItsSource(t *testing.T) {
	closed := make(chan struct{})
	src := &countedRows{n: 100 * prefetchBatch}
	p := prefetch(src, func() error { close(closed); return nil })
	if _, err := p.Next(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	<-closed
	if src.i >= src.n {
		t.Errorf("the reader read all %d rows after the writer stopped", src.n)
	}
}
