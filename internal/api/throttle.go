package api

import (
	"container/list"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// The limit on failed authentications per client address: a burst of
// failedAuthBurst, then one more each failedAuthEvery. Addresses and
// recently valid token IDs are each kept in an LRU of failedAuthClients.
const (
	failedAuthBurst   = 20
	failedAuthEvery   = 3 * time.Second
	failedAuthClients = 10_000
)

// failures is the limit on failed authentications: per client address,
// the time its bucket of failures is empty again (GCRA), and the token IDs
// that authenticated lately, which a throttled address may still present.
type failures struct {
	mu      sync.Mutex
	clients lru[netip.Addr, time.Time]
	good    lru[string, struct{}]
}

func newFailures() *failures {
	return &failures{clients: newLRU[netip.Addr, time.Time](failedAuthClients), good: newLRU[string, struct{}](failedAuthClients)}
}

// wait is how long client must wait before its next failure is looked at;
// zero when it may fail now.
func (f *failures) wait(client netip.Addr, now time.Time) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	empty, ok := f.clients.get(client)
	if !ok || !empty.After(now) {
		return 0
	}
	return max(empty.Sub(now)-(failedAuthBurst-1)*failedAuthEvery, 0)
}

// fail counts a failure of client's.
func (f *failures) fail(client netip.Addr, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	empty, _ := f.clients.get(client)
	if empty.Before(now) {
		empty = now
	}
	// A failure past the burst (a valid user's ID with a wrong secret)
	// waits no longer than one interval either.
	if empty = empty.Add(failedAuthEvery); empty.After(now.Add(failedAuthBurst * failedAuthEvery)) {
		empty = now.Add(failedAuthBurst * failedAuthEvery)
	}
	f.clients.put(client, empty)
}

// succeed remembers a token ID that authenticated.
func (f *failures) succeed(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.good.put(id, struct{}{})
}

// known reports whether a token ID authenticated lately.
func (f *failures) known(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.good.get(id)
	return ok
}

// clientOf is the address failures are counted by: the connection's peer,
// or the address a trusted proxy forwarded for; an IPv6 client by its /64,
// the block one host usually holds.
func (s *Server) clientOf(r *http.Request) netip.Addr {
	peer, _ := netip.ParseAddrPort(r.RemoteAddr)
	addr := peer.Addr().Unmap()
	if s.trusted(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			if addr = hop.Unmap(); !s.trusted(addr) {
				break
			}
		}
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		addr = p.Addr()
	}
	return addr
}

func (s *Server) trusted(addr netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// lru is a map of at most max entries that forgets the least recently used.
type lru[K comparable, V any] struct {
	max   int
	items map[K]*list.Element
	order *list.List // of lruEntry, the most recent first
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) lru[K, V] {
	return lru[K, V]{max: max, items: map[K]*list.Element{}, order: list.New()}
}

func (l *lru[K, V]) get(k K) (V, bool) {
	e, ok := l.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	l.order.MoveToFront(e)
	return e.Value.(lruEntry[K, V]).val, true
}

func (l *lru[K, V]) put(k K, v V) {
	if e, ok := l.items[k]; ok {
		e.Value = lruEntry[K, V]{k, v}
		l.order.MoveToFront(e)
		return
	}
	l.items[k] = l.order.PushFront(lruEntry[K, V]{k, v})
	if l.order.Len() > l.max {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.items, last.Value.(lruEntry[K, V]).key)
	}
}
