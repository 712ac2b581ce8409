// Package api is Reckon's REST API: the JSON control plane under /api/v1,
// declared in one routing table, with bearer-token authentication, the
// access rules of internal/cost applied to every call, an OpenAPI document
// generated from the same table, /healthz and Prometheus /metrics. It keeps
// its state in a cost.Catalog and reads costs from a Costs store; it
// imports no adapter.
package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Costs is the cost-row store, as the API reads it: queries on a scope.
type Costs interface {
	Query(ctx context.Context, q *cost.Query) (*cost.Result, error)
	// Each streams the rows of q's page, and one more when there is one.
	Each(ctx context.Context, q *cost.Query, fn func(*cost.ResultRow) error) error
	// Values lists the values of dimensions, and the tag keys, in the rows
	// q keeps, with their cost; never a value from a row outside q's view.
	Values(ctx context.Context, q *cost.Query, vq cost.ValueQuery) (*cost.Values, error)
}

// Options are what a server is built from.
type Options struct {
	Catalog cost.Catalog // required
	Costs   Costs        // required
	Clock   cost.Clock   // the system clock when nil
	Log     *slog.Logger // one line per request, internal errors; never a token. Discarded when nil.
	// Jobs collects connectors on demand; nil in a server that does not.
	Jobs Jobs
	// Rows reads the stored rows for GET /api/v1/export; nil in a server
	// that does not export them.
	Rows FocusRows
	// Metrics counts what /metrics shows; a new one when nil. Pass the
	// same one's CountCollection to the jobs so that the periodic job's
	// collections count too.
	Metrics *Metrics
	// Verifier checks a connector's AWS set-up; nil in a server that does not.
	Verifier Verifier
	// ValidExternalID checks a connector's external ID, without echoing it
	// (iampolicy.ValidExternalID); when nil any non-empty one is accepted.
	ValidExternalID func(string) error
	// AuthFailureDelay holds back the answer to a request with a token
	// that is not valid, so that guessing tokens is slow and costs the
	// server nothing while it waits. Zero means none.
	AuthFailureDelay time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client, for the limit on failed authentications. Empty: the
	// connection's peer is the client, whatever the header says.
	TrustedProxies []netip.Prefix
	// Ingester loads uploaded files (POST /api/v1/ingest); nil in a server
	// that takes none.
	Ingester Ingester
	// TempDir is where uploads are written while they load: the data
	// folder's tmp/, which ingest.RemoveDownloads sweeps of leftovers.
	TempDir string
	// MaxUpload bounds an upload's body, in bytes; DefaultMaxUpload when
	// zero.
	MaxUpload int64
	// Sessions finds the caller of a request that sends no bearer token
	// but a web UI session cookie; nil in a server that takes only tokens.
	Sessions Sessions
	// Ready checks that the cost store answers, for GET /readyz (beside
	// the catalog, which is always checked); nil checks the catalog alone.
	Ready func(ctx context.Context) error
	// Alerts is told when budgets, subscriptions or rates change, to
	// evaluate them again; nil in a server that evaluates none.
	Alerts Poker
}

// Poker is told that something changed.
type Poker interface{ Poke() }

// Sessions is what the API asks of the web UI's sign-in sessions.
type Sessions interface {
	// User returns the user of the request's session cookie and whether
	// the request carries that session's CSRF token (X-CSRF-Token).
	// found is false when the request names no session; ok is false when
	// it names one that does not exist or has ended.
	User(r *http.Request) (user string, csrf, found, ok bool)
}

// Server serves the API. Create it with New.
type Server struct {
	opts     Options
	catalog  cost.Catalog
	costs    Costs
	clock    cost.Clock
	log      *slog.Logger
	metrics  *Metrics
	mux      *http.ServeMux
	failures *failures
	uploads  chan struct{}   // a slot per upload in progress
	bodies   map[string]bool // the patterns of routes that bound their own body
}

// New returns a server built from opts.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = cost.SystemClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	s := &Server{opts: opts, catalog: opts.Catalog, costs: opts.Costs, clock: opts.Clock, log: opts.Log,
		metrics: opts.Metrics, mux: http.NewServeMux(), failures: newFailures(), uploads: make(chan struct{}, maxUploads),
		bodies: map[string]bool{}}
	for _, rt := range routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.handle(rt))
		if rt.Upload {
			s.bodies[rt.Method+" "+rt.Path] = true
		}
	}
	return s
}

// maxBody bounds every request body but an upload's (Options.MaxUpload).
const maxBody = 1 << 20

// ServeHTTP serves one request, with the security headers every response
// carries: a JSON API is never sniffed, framed or sent a referrer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	if p := armPath(r.URL.Path); p != r.URL.Path {
		r.URL.Path, r.URL.RawPath = p, ""
	}
	limit := int64(maxBody)
	if _, pattern := s.mux.Handler(r); s.bodies[pattern] {
		limit = s.maxUpload()
	}
	// A copy carries the bounded body, so that the server still sees its
	// own: a client waiting for "100 Continue" that a refusal never sends
	// is then told the connection closes, instead of waiting a second and
	// sending the body anyway.
	bounded := r.WithContext(r.Context())
	bounded.Body = http.MaxBytesReader(w, r.Body, limit)
	s.mux.ServeHTTP(w, bounded)
}

// call is one request: who made it (empty on a public route).
type call struct {
	r    *http.Request
	w    http.ResponseWriter // for headers and deadlines; reply writes the answer
	user string
}

func (c *call) ctx() context.Context { return c.r.Context() }

// view runs fn over a snapshot of the catalog.
func (s *Server) view(c *call, fn func(context.Context, cost.CatalogReader) error) error {
	return s.catalog.View(c.ctx(), func(r cost.CatalogReader) error { return fn(c.ctx(), r) })
}

// update runs fn in one catalog transaction: what it checks holds for what
// it changes.
func (s *Server) update(c *call, fn func(context.Context, cost.CatalogTx) error) error {
	return s.catalog.Update(c.ctx(), func(tx cost.CatalogTx) error { return fn(c.ctx(), tx) })
}

// collectTimeout is how long a Long route may take to answer: a collection
// downloads and loads a whole report first.
const collectTimeout = time.Hour

func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if rt.Long {
			// Not every ResponseWriter has deadlines (httptest's has none).
			http.NewResponseController(w).SetWriteDeadline(start.Add(collectTimeout)) //nolint:errcheck
		}
		status := s.serve(w, r, rt)
		elapsed := time.Since(start)
		s.metrics.observe(rt.Method+" "+rt.Path, status, elapsed)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "ms", elapsed.Milliseconds())
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) int {
	if rt.Public {
		body, err := rt.Handler(s, &call{r: r, w: w})
		return s.reply(w, rt, body, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	user, err := s.authenticate(w, r)
	if err != nil {
		return s.reply(w, rt, nil, ended(r, err))
	}
	body, err := rt.Handler(s, &call{r: r, w: w, user: user})
	return s.reply(w, rt, body, ended(r, err))
}

// ended names an error that is the request's context ending: the cause it
// was cancelled with (a shutting-down server says so), the client gone, or
// a deadline, rather than an internal error.
func ended(r *http.Request, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		if cause, ok := errors.AsType[*cost.Error](context.Cause(r.Context())); ok {
			return cause
		}
		return cost.Errorf(cost.ECanceled, "the request was canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return cost.Errorf(cost.ETimeout, "the request ran out of time; try again, or narrow it")
	}
	return err
}

// authenticate finds the caller from the bearer token before anything else
// is read: the token's public ID finds one stored token, whose hash is
// compared in constant time. A client address with too many failures is
// answered 429 without a look-up, unless its token's ID authenticated
// lately: a valid user behind the same address is not locked out.
//
// A request without an Authorization header may instead carry a web UI
// session cookie (Options.Sessions); a change made with one must carry the
// session's CSRF token too, or a page on another site could make it.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, error) {
	header := r.Header.Get("Authorization")
	if header == "" && s.opts.Sessions != nil {
		if user, csrf, found, ok := s.opts.Sessions.User(r); found {
			switch {
			case !ok:
				return "", cost.Errorf(cost.EUnauthenticated, "your web session has ended: sign in again at /signin, or send an API token as \"Authorization: Bearer <token>\"")
			case !csrf && r.Method != http.MethodGet && r.Method != http.MethodHead:
				return "", cost.Errorf(cost.EForbidden, "a change made with a web session needs the session's CSRF token in the X-CSRF-Token header "+
					"(the page's csrf-token meta tag): reload the page and try again")
			}
			return user, nil
		}
	}
	plain, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return "", cost.Errorf(cost.EUnauthenticated, "send an API token as \"Authorization: Bearer <token>\"")
	}
	return s.CheckToken(w, r, strings.TrimSpace(plain))
}

// CheckToken finds the user of an API token presented with r, as every
// API request's token is checked: with the same limit on failed
// authentications per client address, the same delay after a failure and,
// when the address is throttled, Retry-After set on w. The web UI's
// sign-in form uses it. Its errors never quote the token.
func (s *Server) CheckToken(w http.ResponseWriter, r *http.Request, plain string) (string, error) {
	id, shaped := cost.TokenID(plain)
	client := s.clientOf(r)
	if wait := s.failures.wait(client, s.clock.Now()); wait > 0 && !(shaped && s.failures.known(id)) {
		s.holdBack(r.Context())
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return "", cost.Errorf(eTooManyRequests, "too many failed authentications from your address: try again in %d s, with a valid API token", secs)
	}
	var user string
	if shaped {
		err := s.catalog.View(r.Context(), func(cr cost.CatalogReader) error {
			t, found, err := cr.Token(r.Context(), id)
			if found && t.Matches(plain) {
				user = t.User
			}
			return err
		})
		if err != nil {
			return "", err
		}
	}
	if user == "" {
		s.failures.fail(client, s.clock.Now())
		s.holdBack(r.Context())
		return "", cost.Errorf(cost.EUnauthenticated, "the API token is not valid")
	}
	s.failures.succeed(id)
	return user, nil
}

// holdBack waits AuthFailureDelay, or until the client goes.
func (s *Server) holdBack(ctx context.Context) {
	if s.opts.AuthFailureDelay <= 0 {
		return
	}
	t := time.NewTimer(s.opts.AuthFailureDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// statusOf maps error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	cost.EInvalid:         http.StatusBadRequest,
	cost.ENotFound:        http.StatusNotFound,
	cost.EConflict:        http.StatusConflict,
	cost.EUnauthenticated: http.StatusUnauthorized,
	cost.EForbidden:       http.StatusForbidden,
	cost.EInternal:        http.StatusInternalServerError,
	eTooManyRequests:      http.StatusTooManyRequests,
	eRequestTimeout:       http.StatusRequestTimeout,
	eTooLarge:             http.StatusRequestEntityTooLarge,
	// A query past its deadline, or a server too busy or shutting down:
	// retry later. A caller that went away is not answered; 499 is what
	// the log and the metrics say.
	cost.ETimeout:     http.StatusServiceUnavailable,
	cost.EUnavailable: http.StatusServiceUnavailable,
	cost.ECanceled:    499,
}

// The API's own error codes: throttling and slow bodies are the HTTP
// layer's business, not the domain's.
const (
	eTooManyRequests = "TooManyRequests" // too many failed authentications from one address
	eRequestTimeout  = "RequestTimeout"  // the body did not arrive within the server's read timeout
	eTooLarge        = "TooLarge"        // an upload past the server's limit
)

// ErrorBody is the body of every error response, shaped like Azure's:
// {"error":{"code":"…","message":"…"}}.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	// Value lists, in an upload's error, the billing periods it loaded
	// before the error (or found loaded already).
	Value []IngestReport `json:"value,omitempty"`
}

func (s *Server) reply(w http.ResponseWriter, rt route, body any, err error) int {
	status := cmp.Or(rt.Status, http.StatusOK)
	if sb, ok := body.(streamBody); ok && err == nil {
		if status, err = s.stream(w, rt, status, sb); err == nil {
			return status
		}
		status, body = cmp.Or(rt.Status, http.StatusOK), nil
	}
	if err != nil {
		var e ErrorBody
		e.Error.Code = cost.ErrorCode(err)
		e.Error.Message = cost.ErrorMessage(err)
		if e.Error.Code == cost.EInternal {
			s.log.Error("internal error", "route", rt.Path, "err", err)
			e.Error.Message = "an internal error occurred; the server log has the details"
		}
		if lb, ok := errors.AsType[*loadedBefore](err); ok {
			e.Value = lb.reports
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
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if syntax, ok := errors.AsType[*json.SyntaxError](err); ok {
			return cost.Errorf(cost.EInvalid, "the request body is not valid JSON (at byte %d)", syntax.Offset)
		}
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return cost.Errorf(cost.EInvalid, "the request body is larger than %d bytes", maxBody)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return cost.Errorf(eRequestTimeout, "the request body did not arrive in time: send it whole, without pauses")
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if name, err := strconv.Unquote(field); err == nil {
				field = name
			}
			return cost.Errorf(cost.EInvalid, "the request body has an unknown field %s", cost.Quote(field))
		}
		return cost.Errorf(cost.EInvalid, "the request body: %v", err)
	}
	return nil
}
