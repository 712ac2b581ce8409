package duckstore

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/reckon-finops/reckon/internal/cost"
)

// A query cache answers a query asked again with the answer computed for
// it, until the next load changes the cost rows: a dashboard asks the same
// few dozen queries over and over between the collections a few times a
// day, and on 2 cores fifty clients re-running them kept every answer
// waiting a second. Answers are keyed by the compiled SQL and its
// arguments, which hold the scope's view, and by the store's data version,
// which every committed load, restatement and purge moves on; an answer of
// an older version is never served. Concurrent askers of one query wait
// for one computation. The cache holds at most its budget of bytes, least
// recently used first out. Cached answers are shared: callers only read
// them.
type queryCache struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	entries map[string]*list.Element // of *cacheEntry
	order   *list.List               // most recently used first
	flights map[string]*flight
}

type cacheEntry struct {
	key     string
	version uint64
	res     *cost.Result
	size    int64
}

// flight is one computation that concurrent askers of a query share.
type flight struct {
	done chan struct{}
	res  *cost.Result
	err  error
}

func newQueryCache(budget int64) *queryCache {
	return &queryCache{budget: budget, entries: map[string]*list.Element{}, order: list.New(), flights: map[string]*flight{}}
}

// get returns the answer to q at version, computing it with run on a miss;
// concurrent misses of one query share one run.
func (c *queryCache) get(ctx context.Context, q *cost.Query, version uint64, run func() (*cost.Result, error)) (*cost.Result, error) {
	compiled, err := compileQuery(q, nil) // the key: the data version says which loads are unrolled
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d\x00%s\x00%q", version, compiled.sql, compiled.args)
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*cacheEntry).res, nil
	}
	if f, ok := c.flights[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
			if f.err != nil && ctx.Err() == nil {
				return run() // the computation failed for its own asker (gone, or out of time): ask ourselves
			}
			return f.res, f.err
		case <-ctx.Done():
			return nil, stopped(ctx)
		}
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()
	f.res, f.err = run()
	c.mu.Lock()
	delete(c.flights, key)
	if f.err == nil {
		c.put(key, version, f.res)
	}
	c.mu.Unlock()
	close(f.done)
	return f.res, f.err
}

// put keeps an answer, dropping the least recently used ones (and any of
// an older version) to stay within the budget. An answer larger than the
// budget is not kept.
func (c *queryCache) put(key string, version uint64, res *cost.Result) {
	size := resultSize(key, res)
	if size > c.budget {
		return
	}
	for e := c.order.Back(); e != nil && c.used+size > c.budget; {
		prev := e.Prev()
		c.drop(e)
		e = prev
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, version: version, res: res, size: size})
	c.used += size
	for e := c.order.Back(); e != nil; {
		prev := e.Prev()
		if e.Value.(*cacheEntry).version < version {
			c.drop(e)
		}
		e = prev
	}
}

func (c *queryCache) drop(e *list.Element) {
	ce := e.Value.(*cacheEntry)
	c.order.Remove(e)
	delete(c.entries, ce.key)
	c.used -= ce.size
}

// resultSize estimates what an answer holds in memory.
func resultSize(key string, res *cost.Result) int64 {
	n := int64(len(key)) + 256
	for _, r := range res.Rows {
		n += 96 + int64(len(r.Currency))
		for _, g := range r.Groups {
			n += 16 + int64(len(g))
		}
	}
	return n
}
