package web

import (
	"context"
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

// touchEvery is how stale a session's last use may be before a request
// writes it again: a shared store is not written on every request.
const touchEvery = time.Minute

// maxSessions bounds the sessions kept in memory; past it the one used
// least lately ends. Only a valid token makes a session, so this bounds a
// user's own scripts, not a stranger's.
const maxSessions = 10_000

// SessionStore keeps sessions by the SHA-256 of their ID. The default
// keeps them in the process's memory, where a restart signs everyone out;
// replicas behind one address share one (the PostgreSQL catalog's), so
// that a browser signed in through one is signed in on all.
type SessionStore interface {
	PutSession(ctx context.Context, key [32]byte, s cost.WebSession) error
	// Session returns the session kept under key; false when there is none.
	Session(ctx context.Context, key [32]byte) (cost.WebSession, bool, error)
	// TouchSession records a use of the session at lastSeen.
	TouchSession(ctx context.Context, key [32]byte, lastSeen time.Time) error
	DeleteSession(ctx context.Context, key [32]byte) error
	// PruneSessions deletes the sessions last seen before idle or created
	// before created.
	PruneSessions(ctx context.Context, idle, created time.Time) error
}

// Sessions are the web UI's sessions, on the injected clock, in a
// SessionStore. Sessions are keyed by the SHA-256 of their ID, so a
// look-up's timing says nothing of the IDs kept, and a store's reader
// finds no cookie to replay. Create it with NewSessions; it implements
// api.Sessions, so the JSON API accepts its cookie.
type Sessions struct {
	clock cost.Clock
	store SessionStore
}

// NewSessions returns the sessions of store on clock (the system clock
// when nil); a nil store keeps them in memory.
func NewSessions(clock cost.Clock, store SessionStore) *Sessions {
	if clock == nil {
		clock = cost.SystemClock{}
	}
	if store == nil {
		store = &memSessions{byKey: map[[32]byte]cost.WebSession{}}
	}
	return &Sessions{clock: clock, store: store}
}

// randomID is 256 random bits, base64url without padding.
func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for user and returns its ID.
func (s *Sessions) create(ctx context.Context, user string) (string, error) {
	id := randomID()
	now := s.clock.Now()
	// Ended sessions go when a new one starts: they are few, and each is
	// refused at its next use meanwhile.
	if err := s.store.PruneSessions(ctx, now.Add(-IdleTimeout), now.Add(-AbsoluteTimeout)); err != nil {
		return "", err
	}
	sess := cost.WebSession{User: user, CSRF: randomID(), Created: now, LastSeen: now}
	return id, s.store.PutSession(ctx, sha256.Sum256([]byte(id)), sess)
}

func expired(v cost.WebSession, now time.Time) bool {
	return !now.Before(v.LastSeen.Add(IdleTimeout)) || !now.Before(v.Created.Add(AbsoluteTimeout))
}

// lookup returns the request's session, found false when it sends no
// cookie, and nil when the cookie names no live session (or the store
// cannot be read). A live session's idle expiry moves on.
func (s *Sessions) lookup(r *http.Request) (sess *cost.WebSession, found bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, false
	}
	ctx := r.Context()
	key := sha256.Sum256([]byte(c.Value))
	now := s.clock.Now()
	v, ok, err := s.store.Session(ctx, key)
	if err != nil || !ok {
		return nil, true
	}
	if expired(v, now) {
		s.store.DeleteSession(ctx, key) //nolint:errcheck // refused either way; pruned later
		return nil, true
	}
	if now.Sub(v.LastSeen) >= touchEvery {
		s.store.TouchSession(ctx, key, now) //nolint:errcheck // a missed touch ends the session a minute early at most
		v.LastSeen = now
	}
	return &v, true
}

// end ends the request's session, if any.
func (s *Sessions) end(r *http.Request) error {
	if c, err := r.Cookie(CookieName); err == nil {
		return s.store.DeleteSession(r.Context(), sha256.Sum256([]byte(c.Value)))
	}
	return nil
}

// User implements api.Sessions: the user of the request's session, and
// whether it carries the session's CSRF token in X-CSRF-Token.
func (s *Sessions) User(r *http.Request) (user string, csrf, found, ok bool) {
	sess, found := s.lookup(r)
	if sess == nil {
		return "", false, found, false
	}
	return sess.User, csrfMatches(sess.CSRF, r.Header.Get("X-CSRF-Token")), true, true
}

// csrfMatches compares a presented CSRF token in constant time.
func csrfMatches(want, got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// memSessions keeps sessions in memory, at most maxSessions of them.
type memSessions struct {
	mu    sync.Mutex
	byKey map[[32]byte]cost.WebSession
}

func (m *memSessions) PutSession(_ context.Context, key [32]byte, s cost.WebSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.byKey) >= maxSessions {
		var oldest [32]byte
		var at time.Time
		for k, v := range m.byKey {
			if at.IsZero() || v.LastSeen.Before(at) {
				oldest, at = k, v.LastSeen
			}
		}
		delete(m.byKey, oldest)
	}
	m.byKey[key] = s
	return nil
}

func (m *memSessions) Session(_ context.Context, key [32]byte) (cost.WebSession, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.byKey[key]
	return v, ok, nil
}

func (m *memSessions) TouchSession(_ context.Context, key [32]byte, lastSeen time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.byKey[key]; ok {
		v.LastSeen = lastSeen
		m.byKey[key] = v
	}
	return nil
}

func (m *memSessions) DeleteSession(_ context.Context, key [32]byte) error {
	m.mu.Lock()
	delete(m.byKey, key)
	m.mu.Unlock()
	return nil
}

func (m *memSessions) PruneSessions(_ context.Context, idle, created time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.byKey {
		if !v.LastSeen.After(idle) || !v.Created.After(created) {
			delete(m.byKey, k)
		}
	}
	return nil
}
