package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/web"
)

// clock is the injected clock the tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// adminToken is the administrator's token in every test's catalog.
var adminToken = "rkn_0123456789abcdef_" + strings.Repeat("5a", 32)

// harness is the UI and the API over a real DuckDB store in a temporary
// folder, as reckon serve wires them, with what both log kept.
type harness struct {
	t        *testing.T
	srv      *httptest.Server
	clock    *clock
	sessions *web.Sessions
	logs     *syncBuffer
	seen     bytes.Buffer // every response's headers and body
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T, tls bool) *harness {
	t.Helper()
	ctx := context.Background()
	store, err := duckstore.Open(ctx, t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, clock: &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	if _, err := api.EnsureAdmin(ctx, store, h.clock, adminToken); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(h.logs, nil))
	h.sessions = web.NewSessions(h.clock, nil)
	apiServer := api.New(api.Options{Catalog: store, Costs: store, Clock: h.clock, Log: log, Sessions: h.sessions})
	handler := web.New(web.Options{Sessions: h.sessions, Tokens: apiServer, API: apiServer, Clock: h.clock, Log: log})
	if tls {
		h.srv = httptest.NewTLSServer(handler)
	} else {
		h.srv = httptest.NewServer(handler)
	}
	t.Cleanup(h.srv.Close)
	return h
}

// browser is a client with a cookie jar that does not follow redirects,
// so that each answer can be looked at.
func (h *harness) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := h.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// response is an answer read whole.
type response struct {
	*http.Response
	body string
}

func (h *harness) do(c *http.Client, method, path string, body io.Reader, header map[string]string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	res.Header.Write(&h.seen) //nolint:errcheck
	h.seen.Write(b)
	return response{res, string(b)}
}

func (h *harness) get(c *http.Client, path string) response { return h.do(c, "GET", path, nil, nil) }

// form posts a form as a browser on this server's pages does.
func (h *harness) form(c *http.Client, path string, values url.Values) response {
	return h.do(c, "POST", path, strings.NewReader(values.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": h.srv.URL})
}

// signIn signs c in as the administrator.
func (h *harness) signIn(c *http.Client) {
	h.t.Helper()
	res := h.form(c, "/signin", url.Values{"token": {adminToken}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/analysis" {
		h.t.Fatalf("sign-in answered %d to %q: %s", res.StatusCode, res.Header.Get("Location"), res.body)
	}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// csrf reads the CSRF token of c's session from a page.
func (h *harness) csrf(c *http.Client) string {
	h.t.Helper()
	res := h.get(c, "/analysis")
	m := csrfMeta.FindStringSubmatch(res.body)
	if res.StatusCode != http.StatusOK || m == nil || len(m[1]) != 43 {
		h.t.Fatalf("GET /analysis answered %d without a CSRF token: %s", res.StatusCode, res.body)
	}
	return m[1]
}

// cookie is c's session cookie value, or "".
func (h *harness) cookie(c *http.Client) string {
	u, _ := url.Parse(h.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == web.CookieName {
			return ck.Value
		}
	}
	return ""
}
