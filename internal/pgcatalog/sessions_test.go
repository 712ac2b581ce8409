package pgcatalog

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestSessionsAreSharedAndPruned keeps a session, reads it back, touches
// it (never backwards), prunes the ended ones and deletes one.
func TestSessionsAreSharedAndPruned(t *testing.T) {
	ctx := context.Background()
	url := testDatabase(t)
	a, b := openAt(t, url, Options{}), openAt(t, url, Options{})
	start := time.Date(2026, 11, 28, 9, 0, 0, 123456789, time.UTC)
	key, old := sha256.Sum256([]byte("id")), sha256.Sum256([]byte("old"))
	must(t, a.PutSession(ctx, key, cost.WebSession{User: "ana", CSRF: "c", Created: start, LastSeen: start}))
	must(t, a.PutSession(ctx, old, cost.WebSession{User: "bo", CSRF: "d", Created: start.Add(-48 * time.Hour), LastSeen: start}))
	got, ok, err := b.Session(ctx, key)
	must(t, err)
	if want := (cost.WebSession{User: "ana", CSRF: "c", Created: start.Truncate(time.Microsecond), LastSeen: start.Truncate(time.Microsecond)}); !ok || got != want {
		t.Fatalf("the other replica reads %+v %v, want %+v", got, ok, want)
	}
	must(t, b.TouchSession(ctx, key, start.Add(time.Hour)))
	must(t, a.TouchSession(ctx, key, start.Add(time.Minute))) // an older use, recorded late
	if got, _, _ := a.Session(ctx, key); !got.LastSeen.Equal(start.Add(time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("last seen %s after touches at +1h and then +1m, want +1h", got.LastSeen)
	}
	must(t, a.PruneSessions(ctx, start.Add(-8*time.Hour), start.Add(-24*time.Hour)))
	if _, ok, _ := a.Session(ctx, old); ok {
		t.Error("a session begun 48 hours ago outlived the prune")
	}
	must(t, b.DeleteSession(ctx, key))
	if _, ok, _ := a.Session(ctx, key); ok {
		t.Error("a deleted session is still found")
	}
}
