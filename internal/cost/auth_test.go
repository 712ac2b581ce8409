package cost

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	plain, tok := NewToken("alice", now)
	t.Run("a token is shown once and stored as a hash", func(t *testing.T) {
		if !strings.HasPrefix(plain, TokenPrefix) || strings.Contains(tok.Hash, plain) || len(tok.Hash) != 64 {
			t.Fatalf("token %q stored as %+v", plain, tok)
		}
		b, _ := json.Marshal(tok)
		if strings.Contains(string(b), tok.Hash) || strings.Contains(string(b), plain[len(TokenPrefix)+17:]) {
			t.Errorf("the token's JSON carries its secret or hash: %s", b)
		}
	})
	t.Run("the token matches itself and nothing else", func(t *testing.T) {
		other, _ := NewToken("alice", now)
		if !tok.Matches(plain) || tok.Matches(other) || tok.Matches(plain+"x") || tok.Matches("") {
			t.Error("Matches is wrong")
		}
	})
	t.Run("the public ID finds the record", func(t *testing.T) {
		id, ok := TokenID(plain)
		if !ok || id != tok.ID {
			t.Errorf("TokenID = %q, %v; want %q", id, ok, tok.ID)
		}
		for _, bad := range []string{"", "rkn_", "rkn_abc", "Bearer " + plain, strings.TrimPrefix(plain, TokenPrefix)} {
			if _, ok := TokenID(bad); ok {
				t.Errorf("TokenID(%q) accepted", bad)
			}
		}
	})
	t.Run("two tokens differ", func(t *testing.T) {
		p2, t2 := NewToken("alice", now)
		if p2 == plain || t2.ID == tok.ID {
			t.Error("tokens repeat")
		}
	})
}

func TestUserNames(t *testing.T) {
	for name, ok := range map[string]bool{"alice": true, "ops@example.com": true, "a": true, "Alice": false, "": false,
		"-x": false, strings.Repeat("a", 65): false, "bob smith": false} {
		if err := ValidUserName(name); (err == nil) != ok {
			t.Errorf("ValidUserName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
