package cost

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
)

// User is a person or automation that calls Reckon.
type User struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// ValidUserName checks a user name: 1–64 of a-z, 0-9 and . _ @ -, starting
// with a letter or digit (an email address fits).
func ValidUserName(name string) error {
	if !userName.MatchString(name) {
		return Errorf(EInvalid, "user name %s: use 1-64 of a-z, 0-9 and . _ @ -, starting with a letter or digit", Quote(name))
	}
	return nil
}

// TokenPrefix starts every API token, so that a leaked one is recognisable
// (secret scanners look for such prefixes).
const TokenPrefix = "rkn_"

// Token is a stored API token: only its public ID and the SHA-256 of the
// whole token are kept. The token itself is shown once, when created.
// (A fast hash is right here: tokens are 256 random bits, not passwords.)
type Token struct {
	ID      string    `json:"id"` // the public part, for listing and revoking
	User    string    `json:"user"`
	Hash    string    `json:"-"`
	Created time.Time `json:"created"`
}

// NewToken makes a token for user: "rkn_<id>_<secret>", with an 8-byte
// public ID and a 32-byte secret from crypto/rand.
func NewToken(user string, now time.Time) (plain string, t Token) {
	id, secret := make([]byte, 8), make([]byte, 32)
	rand.Read(id)
	rand.Read(secret)
	t = Token{ID: hex.EncodeToString(id), User: user, Created: now.UTC()}
	plain = TokenPrefix + t.ID + "_" + hex.EncodeToString(secret)
	t.Hash = hashToken(plain)
	return plain, t
}

// TokenID returns the public ID of a presented token, for finding its
// record; ok is false when it is not shaped like a Reckon token.
func TokenID(plain string) (id string, ok bool) {
	rest, found := strings.CutPrefix(plain, TokenPrefix)
	if !found {
		return "", false
	}
	id, secret, found := strings.Cut(rest, "_")
	return id, found && isHex(id, 16) && isHex(secret, 64)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Matches reports whether plain is this token, in constant time.
func (t Token) Matches(plain string) bool {
	return subtle.ConstantTimeCompare([]byte(hashToken(plain)), []byte(t.Hash)) == 1
}

func hashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// AuditEntry records who changed what and when.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	User   string    `json:"user"`
	Action string    `json:"action"` // e.g. "connector.create", "access.assign"
	Scope  ScopeID   `json:"scope"`
	Detail string    `json:"detail,omitempty"` // never a secret
}

// TokenFrom stores a token the operator chose (RECKON_ADMIN_TOKEN). It must
// be shaped like a Reckon token, so that it is as strong as a generated one.
func TokenFrom(user, plain string, now time.Time) (Token, error) {
	id, ok := TokenID(plain)
	if !ok {
		return Token{}, Errorf(EInvalid, "the given token is not a Reckon token: it must be %s<16 hex>_<64 hex>", TokenPrefix)
	}
	return Token{ID: id, User: user, Hash: hashToken(plain), Created: now.UTC()}, nil
}

// WebSession is a browser signed in to the web UI: its user, the token its
// forms carry against cross-site requests, when it began and when it was
// last used. The session's ID is the cookie's, kept only as its SHA-256.
type WebSession struct {
	User     string
	CSRF     string
	Created  time.Time
	LastSeen time.Time
}
