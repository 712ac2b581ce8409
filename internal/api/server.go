// Package api is Reckon's REST API: the JSON control plane under /api/v1,
// declared in one routing table, with bearer-token authentication, the
// access rules of internal/cost applied to every call, an OpenAPI document
// generated from the same table, /healthz and Prometheus /metrics.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// Catalog is the store the API keeps its state in.
type Catalog interface {
	LoadCatalog(ctx context.Context) (*duckstore.Catalog, error)
	UpdateCatalog(ctx context.Context, change func(*duckstore.Catalog) ([]cost.AuditEntry, error)) error
	AuditLog(ctx context.Context) ([]cost.AuditEntry, error)
}

// Store is the catalog and the cost rows.
type Store interface {
	Catalog
	Query(ctx context.Context, q *cost.Query) (*cost.Result, error)
	DeleteBillingAccount(ctx context.Context, payer string) (int64, error)
	Loader
}

// Server serves the API. Create it with New.
type Server struct {
	store   Store
	clock   cost.Clock
	log     *slog.Logger
	metrics *metrics
	mux     *http.ServeMux
	// collector collects connectors; nil in a server that does not.
	collector Collector
}

// New returns a server over the store. log gets one line per
// request and the details of internal errors; it never gets a token.
func New(store Store, clock cost.Clock, log *slog.Logger) *Server {
	s := &Server{store: store, clock: clock, log: log, metrics: newMetrics(), mux: http.NewServeMux()}
	for _, rt := range routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.handle(rt))
	}
	return s
}

// WithCollector lets the server collect connectors.
func (s *Server) WithCollector(c Collector) *Server {
	s.collector = c
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// call is one authenticated request: who made it and the catalog as it was
// when the request began.
type call struct {
	r       *http.Request
	user    string
	catalog *duckstore.Catalog
}

// can reports whether the caller may do action on scope.
func (c *call) can(action cost.Action, scope cost.ScopeID) bool {
	return cost.Can(c.user, action, scope, c.catalog.Hierarchy, c.catalog.Assignments)
}

// require returns a Forbidden error unless the caller may do action on scope.
func (c *call) require(action cost.Action, scope cost.ScopeID) error {
	if c.can(action, scope) {
		return nil
	}
	return cost.Errorf(cost.EForbidden, "%s may not %s %s", c.user, strings.ToLower(string(action)), scope)
}

func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		status := s.serve(w, r, rt)
		elapsed := time.Since(start)
		s.metrics.observe(rt.Method+" "+rt.Path, status, elapsed)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "ms", elapsed.Milliseconds())
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) int {
	if rt.Public {
		body, err := rt.Handler(s, &call{r: r})
		return s.reply(w, rt, body, err)
	}
	c, err := s.authenticate(r)
	if err != nil {
		return s.reply(w, rt, nil, err)
	}
	body, err := rt.Handler(s, c)
	return s.reply(w, rt, body, err)
}

// authenticate finds the caller from the bearer token.
func (s *Server) authenticate(r *http.Request) (*call, error) {
	plain, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, cost.Errorf(cost.EUnauthenticated, "send an API token as \"Authorization: Bearer <token>\"")
	}
	bad := cost.Errorf(cost.EUnauthenticated, "the API token is not valid")
	id, ok := cost.TokenID(strings.TrimSpace(plain))
	if !ok {
		return nil, bad
	}
	catalog, err := s.store.LoadCatalog(r.Context())
	if err != nil {
		return nil, err
	}
	for _, t := range catalog.Tokens {
		if t.ID == id && t.Matches(strings.TrimSpace(plain)) {
			return &call{r: r, user: t.User, catalog: catalog}, nil
		}
	}
	return nil, bad
}

// statusOf maps error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	cost.EInvalid:         http.StatusBadRequest,
	cost.ENotFound:        http.StatusNotFound,
	cost.EConflict:        http.StatusConflict,
	cost.EUnauthenticated: http.StatusUnauthorized,
	cost.EForbidden:       http.StatusForbidden,
	cost.EInternal:        http.StatusInternalServerError,
}

// ErrorBody is the body of every error response, shaped like Azure's:
// {"error":{"code":"…","message":"…"}}.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (s *Server) reply(w http.ResponseWriter, rt route, body any, err error) int {
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	if err != nil {
		var e ErrorBody
		e.Error.Code = cost.ErrorCode(err)
		e.Error.Message = cost.ErrorMessage(err)
		if e.Error.Code == cost.EInternal {
			s.log.Error("internal error", "route", rt.Path, "err", err)
			e.Error.Message = "an internal error occurred; the server log has the details"
		}
		s.metrics.countError(e.Error.Code)
		status, body = statusOf[e.Error.Code], e
		if status == 0 {
			status = http.StatusBadRequest // a connector code: the caller's setup is wrong
		}
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="reckon"`)
		}
	}
	if raw, ok := body.(rawBody); ok {
		w.Header().Set("Content-Type", raw.contentType)
		w.WriteHeader(status)
		w.Write(raw.data) //nolint:errcheck // the client went away
		return status
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(body) //nolint:errcheck // the client went away
	return status
}

// rawBody is a response that is not JSON-encoded by reply.
type rawBody struct {
	contentType string
	data        []byte
}

// decode reads a JSON request body into v, refusing unknown fields.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return cost.Errorf(cost.EInvalid, "the request body is not valid JSON (at byte %d)", syntax.Offset)
		}
		return cost.Errorf(cost.EInvalid, "the request body: %v", err)
	}
	return nil
}
