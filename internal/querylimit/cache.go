package querylimit

import (
	"container/list"
	"context"
	"encoding/json"
	"sync"

	"github.com/reckon-finops/reckon/internal/cost"
)

// A cache answers a query asked again with the answer computed for it,
// until the data version moves on: a dashboard asks the same few dozen
// queries over and over between the collections a few times a day, and on
// 2 cores fifty clients re-running them kept every answer waiting a
// second. Answers are keyed by the query, which holds the scope's view,
// and are kept for one data version, the newest asked: when a version
// other than the cache's arrives, every answer of the old one is dropped,
// and an answer computed for a version that is no longer the cache's is
// not kept. Concurrent askers of one query wait for one computation. The
// cache holds at most its budget of bytes, least recently used first out.
// Cached answers are shared: callers only read them.
type cache struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	version string
	entries map[string]*list.Element // of *cacheEntry
	order   *list.List               // most recently used first
	flights map[string]*flight
}

type cacheEntry struct {
	key  string
	res  *cost.Result
	size int64
}

// flight is one computation that concurrent askers of a query share.
type flight struct {
	done chan struct{}
	res  *cost.Result
	err  error
}

func newCache(budget int64) *cache {
	return &cache{budget: budget, entries: map[string]*list.Element{}, order: list.New(), flights: map[string]*flight{}}
}

// get returns the answer to q at version, computing it with run on a miss;
// concurrent misses of one query share one run.
func (c *cache) get(ctx context.Context, q *cost.Query, version string, run func() (*cost.Result, error)) (*cost.Result, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return run()
	}
	key := version + "\x00" + string(body)
	c.mu.Lock()
	if version != c.version {
		c.entries, c.used, c.version = map[string]*list.Element{}, 0, version
		c.order.Init()
	}
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
			return nil, Stopped(ctx)
		}
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()
	f.res, f.err = run()
	c.mu.Lock()
	delete(c.flights, key)
	if f.err == nil && version == c.version {
		c.put(key, f.res)
	}
	c.mu.Unlock()
	close(f.done)
	return f.res, f.err
}

// put keeps an answer, dropping the least recently used ones to stay
// within the budget. An answer larger than the budget is not kept.
func (c *cache) put(key string, res *cost.Result) {
	size := resultSize(key, res)
	if size > c.budget {
		return
	}
	for e := c.order.Back(); e != nil && c.used+size > c.budget; {
		prev := e.Prev()
		ce := e.Value.(*cacheEntry)
		c.order.Remove(e)
		delete(c.entries, ce.key)
		c.used -= ce.size
		e = prev
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, res: res, size: size})
	c.used += size
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
