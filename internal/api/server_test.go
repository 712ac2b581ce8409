package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// harness is a server over a real DuckDB store in a temporary folder, with
// everything it logs kept for the secrets scan.
type harness struct {
	t     testing.TB
	srv   *httptest.Server
	store *duckstore.Store
	logs  *bytes.Buffer
	admin string
	seen  bytes.Buffer // every response body
}

func newHarness(t testing.TB, options ...func(*Options)) *harness {
	t.Helper()
	ctx := context.Background()
	store, err := duckstore.Open(ctx, t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := fixedClock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	h := &harness{t: t, store: store, logs: &bytes.Buffer{}}
	h.admin, err = EnsureAdmin(ctx, store, clock, "")
	if err != nil || h.admin == "" {
		t.Fatalf("EnsureAdmin = %q, %v", h.admin, err)
	}
	opts := Options{Catalog: store, Costs: store, Clock: clock, Log: slog.New(slog.NewTextHandler(h.logs, nil)),
		ValidExternalID: iampolicy.ValidExternalID}
	for _, o := range options {
		o(&opts)
	}
	h.srv = httptest.NewServer(New(opts))
	t.Cleanup(h.srv.Close)
	return h
}

// change changes the catalog directly, as the load path and the tests do.
func change(t testing.TB, c cost.Catalog, fn func(context.Context, cost.CatalogTx)) {
	t.Helper()
	ctx := context.Background()
	must(t, c.Update(ctx, func(tx cost.CatalogTx) error {
		fn(ctx, tx)
		return nil
	}))
}

// read reads the catalog directly.
func read[T any](t testing.TB, c cost.Catalog, fn func(context.Context, cost.CatalogReader) (T, error)) T {
	t.Helper()
	ctx := context.Background()
	var out T
	must(t, c.View(ctx, func(r cost.CatalogReader) error {
		var err error
		out, err = fn(ctx, r)
		return err
	}))
	return out
}

// do calls the API and decodes the JSON answer into out (when not nil).
func (h *harness) do(token, method, path string, body any, out any) int {
	h.t.Helper()
	var in io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		in = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, in)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	h.seen.Write(data)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			h.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	var e ErrorBody
	for _, token := range []string{"", "nonsense", "rkn_0123456789abcdef_" + strings.Repeat("0", 64), h.admin + "x"} {
		if got := h.do(token, "GET", "/api/v1/scopes", nil, &e); got != 401 || e.Error.Code != cost.EUnauthenticated {
			t.Errorf("token %.12q: %d %+v, want 401 Unauthenticated", token, got, e)
		}
	}
	if got := h.do(h.admin, "GET", "/api/v1/scopes", nil, nil); got != 200 {
		t.Errorf("admin: %d", got)
	}
	for _, path := range []string{"/healthz", "/metrics", "/api/v1/openapi.json"} {
		if got := h.do("", "GET", path, nil, nil); got != 200 {
			t.Errorf("%s without a token: %d, want 200", path, got)
		}
	}
}

// TestScenario walks a small control-plane scenario: groups, a second user,
// an assignment, and what each user may see and do.
func TestScenario(t *testing.T) {
	h := newHarness(t)
	admin := h.admin
	if got := h.do(admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "prod", "name": "Production"}, nil); got != 201 {
		t.Fatalf("create prod: %d", got)
	}
	if got := h.do(admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "web", "parent": "mg/prod"}, nil); got != 201 {
		t.Fatalf("create web: %d", got)
	}
	var e ErrorBody
	if got := h.do(admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "web"}, &e); got != 409 {
		t.Errorf("duplicate group: %d %+v, want 409", got, e)
	}
	if got := h.do(admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "x", "colour": "red"}, &e); got != 400 || !strings.Contains(e.Error.Message, "colour") {
		t.Errorf("unknown field: %d %+v, want 400 naming it", got, e)
	}
	if got := h.do(admin, "POST", "/api/v1/users", map[string]string{"name": "ana"}, nil); got != 201 {
		t.Fatalf("create user: %d", got)
	}
	var tok tokenView
	if got := h.do(admin, "POST", "/api/v1/users/ana/tokens", nil, &tok); got != 201 || !strings.HasPrefix(tok.Token, cost.TokenPrefix) {
		t.Fatalf("create token: %d %+v", got, tok)
	}
	ana := tok.Token
	// Ana is known but has no role: 403, and she sees no scopes.
	var scopes struct{ Value []ScopeView }
	if got := h.do(ana, "GET", "/api/v1/scopes", nil, &scopes); got != 200 || len(scopes.Value) != 0 {
		t.Errorf("ana's scopes before: %d %+v", got, scopes)
	}
	if got := h.do(ana, "POST", "/api/v1/managementGroups", map[string]string{"id": "mine"}, &e); got != 403 || e.Error.Code != cost.EForbidden {
		t.Errorf("ana creates a group: %d %+v, want 403", got, e)
	}
	if got := h.do(admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": "ana", "role": "Contributor", "scope": "mg/prod"}, nil); got != 201 {
		t.Fatalf("assign: %d", got)
	}
	// Now she sees prod and, inherited, web; she may write there, not at the root.
	if h.do(ana, "GET", "/api/v1/scopes", nil, &scopes); len(scopes.Value) != 2 || scopes.Value[1].ID != "mg/web" || scopes.Value[1].Role != cost.RoleContributor {
		t.Errorf("ana's scopes after: %+v", scopes.Value)
	}
	if got := h.do(ana, "POST", "/api/v1/managementGroups", map[string]string{"id": "api", "parent": "mg/web"}, nil); got != 201 {
		t.Errorf("ana creates under web: %d", got)
	}
	if got := h.do(ana, "POST", "/api/v1/managementGroups", map[string]string{"id": "top"}, nil); got != 403 {
		t.Errorf("ana creates at the root: %d, want 403", got)
	}
	// A Contributor may not manage access, nor read the audit log of a scope she does not own.
	e = ErrorBody{}
	if got := h.do(ana, "POST", "/api/v1/roleAssignments", map[string]string{"user": "ana", "role": "Owner", "scope": "mg/prod"}, &e); got != 403 ||
		e.Error.Message != "ana may not manage access on mg/prod" {
		t.Errorf("ana makes herself Owner: %d %q, want 403 and a refusal in words", got, e.Error.Message)
	}
	var log struct{ Value []cost.AuditEntry }
	if h.do(ana, "GET", "/api/v1/auditLog", nil, &log); len(log.Value) != 0 {
		t.Errorf("ana reads %d audit entries, want 0", len(log.Value))
	}
	if h.do(admin, "GET", "/api/v1/auditLog", nil, &log); len(log.Value) != 7 {
		t.Errorf("admin reads %d audit entries, want 7: %+v", len(log.Value), log.Value)
	} else if last := log.Value[6]; last.User != "ana" || last.Action != "managementGroup.create" || last.Scope != "mg/api" {
		t.Errorf("last audit entry: %+v", last)
	}
	// A group with a child cannot go; an empty one can.
	if got := h.do(admin, "DELETE", "/api/v1/managementGroups/web", nil, &e); got != 409 {
		t.Errorf("delete non-empty web: %d %+v", got, e)
	}
	if got := h.do(ana, "DELETE", "/api/v1/managementGroups/api", nil, nil); got != 200 {
		t.Errorf("delete api: %d", got)
	}
	// The metrics count what happened.
	resp, _ := http.Get(h.srv.URL + "/metrics")
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`reckon_errors_total{code="Forbidden"} 3`, `reckon_http_requests_total{route="POST /api/v1/managementGroups",status="201"} 3`, `reckon_http_request_duration_seconds_count{route="GET /api/v1/scopes"} 2`} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("metrics lack %s:\n%s", want, m)
		}
	}
	// No token appears in a response (other than its creation) or in the log.
	seen := strings.Replace(h.seen.String(), ana, "", 1)
	for _, secret := range []string{admin, ana} {
		if strings.Contains(seen, secret) || strings.Contains(h.logs.String(), secret) {
			t.Errorf("a token leaked into a response or the log")
		}
	}
}

func TestAdminFromEnvironmentAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := fixedClock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	given := "rkn_00112233445566ff_" + strings.Repeat("ab", 32)
	for start := range 2 {
		store, err := duckstore.Open(ctx, dir, duckstore.Options{})
		if err != nil {
			t.Fatalf("start %d: %v", start, err)
		}
		plain, err := EnsureAdmin(ctx, store, clock, given)
		if err != nil || plain != "" {
			t.Fatalf("start %d: EnsureAdmin = %q, %v; want nothing shown", start, plain, err)
		}
		users := read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.User, error) { return r.Users(ctx) })
		id, _ := cost.TokenID(given)
		tok := read(t, store, func(ctx context.Context, r cost.CatalogReader) (cost.Token, error) {
			tok, _, err := r.Token(ctx, id)
			return tok, err
		})
		if len(users) != 1 || !tok.Matches(given) {
			t.Fatalf("start %d: users %+v, token %+v", start, users, tok)
		}
		store.Close()
	}
	store, _ := duckstore.Open(ctx, t.TempDir(), duckstore.Options{})
	defer store.Close()
	if _, err := EnsureAdmin(ctx, store, clock, "letmein"); cost.ErrorCode(err) != cost.EInvalid {
		t.Errorf("a weak admin token: %v, want Invalid", err)
	}
}

func TestOpenAPIGolden(t *testing.T) {
	got := OpenAPI()
	const golden = "testdata/openapi.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the OpenAPI document changed; review it and run go test ./internal/api -run OpenAPI -update")
	}
	var doc struct{ Paths map[string]map[string]any }
	json.Unmarshal(got, &doc)
	n := 0
	for _, ops := range doc.Paths {
		n += len(ops)
	}
	if n != len(routes) {
		t.Errorf("the document has %d operations, the routing table %d", n, len(routes))
	}
}

// TestReadiness: /readyz is 200 while the catalog and the store answer, and
// 503 Unavailable, without the cause's words, when the store does not.
func TestReadiness(t *testing.T) {
	var down error
	h := newHarness(t, func(o *Options) { o.Ready = func(context.Context) error { return down } })
	var ok map[string]string
	if got := h.do("", "GET", "/readyz", nil, &ok); got != 200 || ok["status"] != "ready" {
		t.Errorf("/readyz: %d %v, want 200 ready", got, ok)
	}
	down = errors.New("dial tcp 10.0.0.7:9000: connection refused")
	var e ErrorBody
	if got := h.do("", "GET", "/readyz", nil, &e); got != 503 || e.Error.Code != cost.EUnavailable || strings.Contains(e.Error.Message, "10.0.0.7") {
		t.Errorf("/readyz with the store down: %d %+v, want 503 Unavailable without the address", got, e)
	}
}
