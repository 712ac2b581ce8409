package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// maxForm bounds a form's body: a token is under 100 bytes.
const maxForm = 4 << 10

// signinForm shows the sign-in page; a browser already signed in goes on.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	secure(w)
	w.Header().Set("Cache-Control", "no-store")
	next := localPath(r.URL.Query().Get("next"))
	if sess, _ := s.opts.Sessions.lookup(r); sess != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "signin", &pageData{Title: "Sign in", Next: next, Static: staticPrefix})
}

// signin checks the pasted token with the API's own check and starts a
// session. The token is read from the body only, never logged, and never
// written back into the page.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	secure(w)
	w.Header().Set("Cache-Control", "no-store")
	status := s.signinPost(w, r)
	s.log.Info("page", "method", r.Method, "path", r.URL.Path, "status", status, "ms", time.Since(start).Milliseconds())
}

func (s *Server) signinPost(w http.ResponseWriter, r *http.Request) int {
	p := &pageData{Title: "Sign in", Static: staticPrefix}
	if !sameOrigin(r) {
		p.Error = "This sign-in came from another site, so it was refused. Open this server's sign-in page and sign in there."
		return s.render(w, http.StatusForbidden, "signin", p)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.Error = "The form could not be read. Paste the token again and sign in."
		return s.render(w, http.StatusBadRequest, "signin", p)
	}
	p.Next = localPath(r.PostForm.Get("next"))
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" {
		p.Error = "Paste your API token (it starts with rkn_) to sign in."
		return s.render(w, http.StatusBadRequest, "signin", p)
	}
	user, err := s.opts.Tokens.CheckToken(w, r, token)
	if err != nil {
		status := http.StatusUnauthorized
		switch cost.ErrorCode(err) {
		case cost.EUnauthenticated:
			p.Error = "That token is not valid. Paste a whole API token, as reckon serve or reckon token create printed it (rkn_…)."
		case "TooManyRequests":
			status = http.StatusTooManyRequests
			p.Error = "Too many failed sign-ins from your address. " + cost.ErrorMessage(err) + "."
		default:
			status = http.StatusServiceUnavailable
			p.Error = "The token could not be checked just now; try again in a moment."
			s.log.Error("sign-in", "err", err)
		}
		return s.render(w, status, "signin", p)
	}
	id, err := s.opts.Sessions.create(r.Context(), user)
	if err != nil {
		s.log.Error("sign-in", "err", err)
		p.Error = "The session could not be started just now; try again in a moment."
		return s.render(w, http.StatusServiceUnavailable, "signin", p)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || s.opts.SecureCookies, MaxAge: int(AbsoluteTimeout / time.Second)})
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return http.StatusSeeOther
}

// signout ends the session, for a form that carries its CSRF token.
func (s *Server) signout(w http.ResponseWriter, r *http.Request, p *pageData) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(p.CSRF)) != 1 {
		p.Title, p.Error = "Refused", "This form did not carry the page's security token (csrf), so nothing was done. Reload the page and try again."
		s.render(w, http.StatusForbidden, "message", p)
		return
	}
	if err := s.opts.Sessions.end(r); err != nil {
		s.log.Error("sign-out", "err", err)
		p.Title, p.Error = "Not signed out", "The session could not be ended just now; try again in a moment."
		s.render(w, http.StatusServiceUnavailable, "message", p)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || s.opts.SecureCookies, MaxAge: -1})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
