package main

import (
	"io"

	"github.com/reckon-finops/reckon/internal/cost"
)

// prefetchBatch is how many rows travel together from the reader of the
// data folder to the writer of the copy.
const prefetchBatch = 1024

// prefetch reads src ahead on a goroutine of its own, a few batches of
// copied rows at a time, so that reading the data folder overlaps writing
// the copy. Close stops the reading and waits for it; closeSrc is called
// when it ends.
func prefetch(src cost.RowSource, closeSrc func() error) *prefetched {
	p := &prefetched{full: make(chan rowBatch, 4), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer close(p.full)
		defer closeSrc() //nolint:errcheck // a read error is the one told
		for {
			b := rowBatch{rows: make([]*cost.Row, 0, prefetchBatch)}
			for len(b.rows) < prefetchBatch {
				r, err := src.Next()
				if err != nil {
					b.err = err
					break
				}
				b.rows = append(b.rows, r.Clone())
			}
			select {
			case p.full <- b:
			case <-p.stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return p
}

type rowBatch struct {
	rows []*cost.Row
	err  error // after the rows: io.EOF at the end
}

// prefetched is a cost.RowSource that prefetch fills.
type prefetched struct {
	full chan rowBatch
	stop chan struct{}
	done chan struct{}
	cur  rowBatch
	i    int
}

// Next returns the next row, or the reader's error (io.EOF at the end).
func (p *prefetched) Next() (*cost.Row, error) {
	for p.i >= len(p.cur.rows) {
		if p.cur.err != nil {
			return nil, p.cur.err
		}
		b, ok := <-p.full
		if !ok {
			return nil, io.EOF
		}
		p.cur, p.i = b, 0
	}
	p.i++
	return p.cur.rows[p.i-1], nil
}

// Close stops the reader and waits until it has closed its source.
func (p *prefetched) Close() {
	close(p.stop)
	<-p.done
}
