// Package web is Reckon's browser UI, served by reckon serve beside the
// JSON API: server-rendered html/template pages with small vanilla
// JavaScript modules that call the API, assets embedded in the binary, no
// build step. A user signs in once with an API token (checked by the API's
// own check and its limit on failures) and gets a server-side session in
// an HttpOnly, SameSite=Strict cookie; every change carries the session's
// CSRF token. The package imports no adapter: it reads the API through
// HTTP from the browser, and asks the server only the small interfaces it
// declares.
package web

import (
	"cmp"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Tokens checks an API token presented at sign-in, as the API checks a
// bearer token: api.Server's CheckToken, with its limit on failures.
type Tokens interface {
	CheckToken(w http.ResponseWriter, r *http.Request, plain string) (user string, err error)
}

// Options are what the UI is built from.
type Options struct {
	Sessions *Sessions    // required; the same store the API is given (api.Options.Sessions)
	Tokens   Tokens       // required
	API      http.Handler // serves every path the UI does not: /api/v1, /healthz, the Azure door
	Clock    cost.Clock   // the system clock when nil
	Log      *slog.Logger // one line per page request; never a token or a session ID. Discarded when nil.
	// SecureCookies marks the session cookie Secure even on a plain-HTTP
	// request, for a server behind a proxy that terminates TLS. A request
	// that came over TLS gets a Secure cookie anyway.
	SecureCookies bool
}

// Server serves the UI. Create it with New.
type Server struct {
	opts  Options
	clock cost.Clock
	log   *slog.Logger
	mux   *http.ServeMux
	pages map[string]*template.Template
}

// New returns the UI's handler, which passes what it does not serve to
// opts.API.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = cost.SystemClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.API == nil {
		opts.API = http.NotFoundHandler()
	}
	s := &Server{opts: opts, clock: opts.Clock, log: opts.Log, mux: http.NewServeMux(), pages: parsePages()}
	s.routes()
	return s
}

// routes is the UI's routing table; every other path is the API's.
func (s *Server) routes() {
	s.mux.Handle("GET /{$}", s.page(func(w http.ResponseWriter, r *http.Request, p *pageData) {
		http.Redirect(w, r, "/analysis", http.StatusSeeOther)
	}))
	s.mux.HandleFunc("GET /signin", s.signinForm)
	s.mux.HandleFunc("POST /signin", s.signin)
	s.mux.Handle("POST /signout", s.page(s.signout))
	s.mux.Handle("GET /analysis", s.page(s.analysis))
	s.mux.Handle("GET /budgets", s.page(s.admin("budgets", "budgets", "Budgets")))
	s.mux.Handle("GET /connectors", s.page(s.admin("connectors", "connectors", "Connectors and sources")))
	s.mux.Handle("GET /connectors/{name}", s.page(s.admin("connectors", "connectors", "Connector")))
	s.mux.Handle("GET /groups", s.page(s.admin("groups", "groups", "Management groups")))
	s.mux.Handle("GET /access", s.page(s.admin("access", "access", "Access")))
	for _, p := range placeholders {
		s.mux.Handle("GET "+p.Path, s.page(s.placeholder(p)))
	}
	s.mux.HandleFunc("GET /static/{version}/{file...}", serveStatic)
}

// ServeHTTP serves one request: the UI's routes here, every other path
// as the API's, untouched (the mux would clean "//subscriptions/…", which
// Azure SDKs send to the API's Azure door, with a redirect).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.opts.API.ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows nothing inline: scripts and styles come
// from /static only (ECharts styles its elements through the DOM, which
// the policy allows).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// secure sets the headers every UI response carries.
func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
}

// page wraps a handler of a page that needs a session: without one the
// browser goes to /signin, which brings it back here after.
func (s *Server) page(fn func(http.ResponseWriter, *http.Request, *pageData)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		secure(w)
		w.Header().Set("Cache-Control", "no-store")
		sess, _ := s.opts.Sessions.lookup(r)
		status := http.StatusOK
		if sess == nil {
			status = http.StatusSeeOther
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), status)
			} else {
				http.Redirect(w, r, "/signin", status)
			}
		} else {
			fn(w, r, s.pageData(r, sess))
		}
		s.log.Info("page", "method", r.Method, "path", r.URL.Path, "status", status, "ms", time.Since(start).Milliseconds())
	})
}

// sameOrigin reports whether a form's POST came from a page of this
// server: a browser sends Origin with every cross-site POST. The check
// guards sign-in, which has no session and so no CSRF token yet.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return r.Header.Get("Sec-Fetch-Site") == "" || r.Header.Get("Sec-Fetch-Site") == "same-origin" || r.Header.Get("Sec-Fetch-Site") == "none"
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// localPath is next if it is a path on this server, else /analysis: a
// sign-in never sends the browser elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") || strings.HasPrefix(next, "/signin") {
		return "/analysis"
	}
	return cmp.Or(next, "/analysis")
}
