package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// CookieName is the session cookie's name.
const CookieName = "reckon_session"

// How long a session lasts: it ends after IdleTimeout without a request,
// and AbsoluteTimeout after sign-in whatever its use.
const (
	IdleTimeout     = 8 * time.Hour
	AbsoluteTimeout = 24 * time.Hour
)

// maxSessions bounds the sessions kept; past it the one used least lately
// ends. Only a valid token makes a session, so this bounds a user's own
// scripts, not a stranger's.
const maxSessions = 10_000

// session is one signed-in browser.
type session struct {
	user     string
	csrf     string
	created  time.Time
	lastSeen time.Time
}

// Sessions keeps the web UI's sessions in memory, on the injected clock:
// a restart signs everyone out, which a token pasted again undoes. Sessions
// are keyed by the SHA-256 of their ID, so a look-up's timing says nothing
// of the IDs kept. Create it with NewSessions; it implements
// api.Sessions, so the JSON API accepts its cookie.
type Sessions struct {
	clock cost.Clock
	mu    sync.Mutex
	byKey map[[32]byte]*session
}

// NewSessions returns an empty session store on clock (the system clock
// when nil).
func NewSessions(clock cost.Clock) *Sessions {
	if clock == nil {
		clock = cost.SystemClock{}
	}
	return &Sessions{clock: clock, byKey: map[[32]byte]*session{}}
}

// randomID is 256 random bits, base64url without padding.
func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for user and returns its ID.
func (s *Sessions) create(user string) (string, *session) {
	id := randomID()
	now := s.clock.Now()
	sess := &session{user: user, csrf: randomID(), created: now, lastSeen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if len(s.byKey) >= maxSessions {
		var oldest [32]byte
		var at time.Time
		for k, v := range s.byKey {
			if at.IsZero() || v.lastSeen.Before(at) {
				oldest, at = k, v.lastSeen
			}
		}
		delete(s.byKey, oldest)
	}
	s.byKey[sha256.Sum256([]byte(id))] = sess
	return id, sess
}

// pruneLocked ends the sessions past their expiry.
func (s *Sessions) pruneLocked(now time.Time) {
	for k, v := range s.byKey {
		if v.expired(now) {
			delete(s.byKey, k)
		}
	}
}

func (v *session) expired(now time.Time) bool {
	return !now.Before(v.lastSeen.Add(IdleTimeout)) || !now.Before(v.created.Add(AbsoluteTimeout))
}

// lookup returns the request's session, found false when it sends no
// cookie, and nil when the cookie names no live session. A live session's
// idle expiry moves on.
func (s *Sessions) lookup(r *http.Request) (sess *session, found bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, false
	}
	key := sha256.Sum256([]byte(c.Value))
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byKey[key]
	if !ok {
		return nil, true
	}
	if v.expired(now) {
		delete(s.byKey, key)
		return nil, true
	}
	v.lastSeen = now
	cp := *v
	return &cp, true
}

// end ends the request's session, if any.
func (s *Sessions) end(r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		s.mu.Lock()
		delete(s.byKey, sha256.Sum256([]byte(c.Value)))
		s.mu.Unlock()
	}
}

// User implements api.Sessions: the user of the request's session, and
// whether it carries the session's CSRF token in X-CSRF-Token.
func (s *Sessions) User(r *http.Request) (user string, csrf, found, ok bool) {
	sess, found := s.lookup(r)
	if sess == nil {
		return "", false, found, false
	}
	return sess.user, sess.csrfMatches(r.Header.Get("X-CSRF-Token")), true, true
}

// csrfMatches compares a presented CSRF token in constant time.
func (v *session) csrfMatches(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) == 1
}
