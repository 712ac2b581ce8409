package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// stepClock is a clock the test moves.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lookups counts the token look-ups of a real catalog.
type lookups struct {
	cost.Catalog
	n atomic.Int64
}

type countedReader struct {
	cost.CatalogReader
	n *atomic.Int64
}

func (c *lookups) View(ctx context.Context, fn func(cost.CatalogReader) error) error {
	return c.Catalog.View(ctx, func(r cost.CatalogReader) error { return fn(countedReader{r, &c.n}) })
}

func (r countedReader) Token(ctx context.Context, id string) (cost.Token, bool, error) {
	r.n.Add(1)
	return r.CatalogReader.Token(ctx, id)
}

// answer is what a call of GET /api/v1/me got.
type answer struct {
	status     int
	code       string
	retryAfter string
}

// me calls GET /api/v1/me with token, as forwarded for xff when not empty.
func me(t *testing.T, h *harness, token, xff string) answer {
	t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e ErrorBody
	json.Unmarshal(data, &e) //nolint:errcheck // a 200 has no error
	return answer{resp.StatusCode, e.Error.Code, resp.Header.Get("Retry-After")}
}

func bogusToken(i int) string {
	return fmt.Sprintf("%s%016x_%s", cost.TokenPrefix, i, strings.Repeat("0", 64))
}

func TestFailedAuthenticationsAreLimitedPerAddress(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	counted := &lookups{}
	h := newHarness(t, func(o *Options) {
		o.Clock = clock
		counted.Catalog = o.Catalog
		o.Catalog = counted
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	if got := me(t, h, h.admin, ""); got.status != 200 {
		t.Fatalf("the admin before any failure: %+v", got)
	}
	for i := range failedAuthBurst {
		if got := me(t, h, bogusToken(i), ""); got.status != 401 {
			t.Fatalf("bad token %d: %+v, want 401", i, got)
		}
	}
	n := counted.n.Load()
	want := answer{429, eTooManyRequests, "3"}
	if got := me(t, h, bogusToken(99), ""); got != want {
		t.Errorf("a bad token after %d failures: %+v, want %+v", failedAuthBurst, got, want)
	}
	if got := me(t, h, "not even a token", ""); got != want {
		t.Errorf("a malformed token after %d failures: %+v, want %+v", failedAuthBurst, got, want)
	}
	if counted.n.Load() != n {
		t.Errorf("a throttled address had %d tokens looked up", counted.n.Load()-n)
	}
	t.Run("a valid user behind the same address is not limited", func(t *testing.T) {
		if got := me(t, h, h.admin, ""); got.status != 200 {
			t.Errorf("the admin: %+v, want 200", got)
		}
	})
	t.Run("X-Forwarded-For from an untrusted peer does not escape the limit", func(t *testing.T) {
		h := newHarness(t, func(o *Options) { o.Clock = clock })
		for i := range failedAuthBurst {
			me(t, h, bogusToken(i), fmt.Sprintf("203.0.113.%d", i))
		}
		if got := me(t, h, bogusToken(98), "203.0.113.99"); got.status != 429 {
			t.Errorf("a bad token claiming another address: %+v, want 429", got)
		}
	})
	t.Run("another address is not limited", func(t *testing.T) {
		if got := me(t, h, bogusToken(97), "203.0.113.7"); got.status != 401 {
			t.Errorf("a bad token from another address: %+v, want 401", got)
		}
		var tok tokenView
		h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": "bo"}, nil)
		h.do(h.admin, "POST", "/api/v1/users/bo/tokens", nil, &tok)
		if got := me(t, h, tok.Token, "203.0.113.8"); got.status != 200 {
			t.Errorf("a valid token from another address: %+v, want 200", got)
		}
	})
	t.Run("the limit refills one failure per interval", func(t *testing.T) {
		clock.step(failedAuthEvery)
		if got := me(t, h, bogusToken(96), ""); got.status != 401 {
			t.Errorf("a bad token an interval later: %+v, want 401", got)
		}
		if got := me(t, h, bogusToken(95), ""); got != want {
			t.Errorf("the next: %+v, want %+v", got, want)
		}
		clock.step(failedAuthBurst * failedAuthEvery)
		for i := range failedAuthBurst {
			if got := me(t, h, bogusToken(i), ""); got.status != 401 {
				t.Fatalf("bad token %d after a full refill: %+v, want 401", i, got)
			}
		}
	})
}

func TestTheFailureLimitKeepsABoundedNumberOfAddresses(t *testing.T) {
	f := newFailures()
	now := time.Now()
	for i := range 3 * failedAuthClients {
		f.fail(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), now)
		f.succeed(fmt.Sprint(i))
	}
	if n, m := len(f.clients.items), f.clients.order.Len(); n != failedAuthClients || m != n {
		t.Errorf("%d addresses (%d in order) kept, want %d", n, m, failedAuthClients)
	}
	if n := len(f.good.items); n != failedAuthClients {
		t.Errorf("%d token IDs kept, want %d", n, failedAuthClients)
	}
	if f.known("0") || !f.known(fmt.Sprint(3*failedAuthClients-1)) {
		t.Error("the oldest token ID stayed or the newest went")
	}
}

func TestClientAddresses(t *testing.T) {
	s := New(Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	for _, tt := range []struct {
		name, peer, xff, want string
	}{
		{"an IPv4 peer is the client", "192.0.2.1:5000", "", "192.0.2.1"},
		{"an untrusted peer's X-Forwarded-For is ignored", "192.0.2.1:5000", "203.0.113.5", "192.0.2.1"},
		{"a trusted proxy's X-Forwarded-For names the client", "10.1.2.3:5000", "203.0.113.5", "203.0.113.5"},
		{"the last untrusted hop is the client, not what it claims", "10.1.2.3:5000", "198.51.100.1, 203.0.113.5, 10.9.9.9", "203.0.113.5"},
		{"an unreadable hop stops the walk at the proxy", "10.1.2.3:5000", "junk", "10.1.2.3"},
		{"an IPv6 client counts by its /64", "[2001:db8:1:2:aaaa::1]:5000", "", "2001:db8:1:2::"},
		{"an IPv4-mapped IPv6 peer is IPv4", "[::ffff:192.0.2.1]:5000", "", "192.0.2.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := s.clientOf(r); got.String() != tt.want {
				t.Errorf("clientOf = %s, want %s", got, tt.want)
			}
		})
	}
}
