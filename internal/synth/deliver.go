package synth

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkRows is about how many rows a worker renders at a time.
const chunkRows = 8192

type chunk struct{ file, h0, h1 int }

type chunkJob struct {
	c    chunk
	done chan chunkResult
}

type chunkResult struct {
	out []byte
	st  *pstats
}

// writeDelivery renders dl into outs, one per data file, splitting the hours
// evenly; the period-level rows go to the last file. Rows are counted into t
// unless it is nil.
func (g *gen) writeDelivery(dl *delivery, outs []*csvOut, t *tally) error {
	st := g.render(dl, dl.chunks(len(outs)), t, func(c chunk, b []byte) bool {
		outs[c.file].write(b)
		return outs[c.file].err == nil
	})
	w := g.newWorker(t)
	w.monthly(dl, st)
	outs[len(outs)-1].write(w.out)
	for _, o := range outs {
		if o.err != nil {
			return o.err
		}
	}
	return nil
}

// chunks splits the covered hours into n files and each file into pieces of
// about chunkRows rows.
func (dl *delivery) chunks(n int) []chunk {
	var cs []chunk
	step := max(1, chunkRows*dl.covered/max(1, dl.slots))
	for f := range n {
		a, b := dl.covered*f/n, dl.covered*(f+1)/n
		for h := a; h < b; h += step {
			cs = append(cs, chunk{f, h, min(h+step, b)})
		}
	}
	return cs
}

// render renders the chunks in parallel and hands them to write in order, so
// the bytes do not depend on scheduling; write returning false stops early.
// It returns the period facts of all chunks.
func (g *gen) render(dl *delivery, chunks []chunk, t *tally, write func(chunk, []byte) bool) *pstats {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(chunks)))
	jobs := make(chan *chunkJob)
	order := make(chan *chunkJob, 2*workers)
	free := make(chan []byte, 3*workers)
	var stop atomic.Bool
	go func() {
		defer close(order)
		defer close(jobs)
		for _, c := range chunks {
			if stop.Load() {
				return
			}
			j := &chunkJob{c, make(chan chunkResult, 1)}
			order <- j
			jobs <- j
		}
	}()
	var wg sync.WaitGroup
	tallies := make([]*tally, workers)
	for i := range workers {
		if t != nil {
			tallies[i] = g.newTally()
		}
		w := g.newWorker(tallies[i])
		wg.Go(func() {
			for j := range jobs {
				select {
				case b := <-free:
					w.out = b[:0]
				default:
					w.out = make([]byte, 0, chunkRows*1024)
				}
				w.st = g.newStats()
				w.hours(dl, j.c.h0, j.c.h1)
				j.done <- chunkResult{w.out, w.st}
			}
		})
	}
	st := g.newStats()
	for j := range order {
		r := <-j.done
		if !write(j.c, r.out) {
			stop.Store(true)
		}
		st.merge(r.st)
		select {
		case free <- r.out:
		default:
		}
	}
	wg.Wait()
	for _, x := range tallies {
		if x != nil {
			t.merge(x)
		}
	}
	return st
}
