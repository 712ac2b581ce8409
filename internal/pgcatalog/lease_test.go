package pgcatalog

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// leader is one replica's view of the lease in a test.
type leader struct {
	mu      sync.Mutex
	leading bool
	changes chan bool
}

func (l *leader) led(on bool) {
	l.mu.Lock()
	l.leading = on
	l.mu.Unlock()
	l.changes <- on
}

// expect waits for the replica's next change of lease, which must be want.
func (l *leader) expect(t *testing.T, name string, want bool) {
	t.Helper()
	select {
	case got := <-l.changes:
		if got != want {
			t.Fatalf("%s: lease %v, want %v", name, got, want)
		}
	case <-time.After(time.Minute):
		t.Fatalf("%s: no change of lease in a minute, want %v", name, want)
	}
}

// TestOneReplicaLeadsAndAnotherTakesOver: of two replicas on one catalog
// one holds the lease; when it stops, or its connection is cut, the other
// takes it, and they never lead at once but for the holder's one check.
func TestOneReplicaLeadsAndAnotherTakesOver(t *testing.T) {
	url := testDatabase(t)
	a, b := openAt(t, url, Options{}), openAt(t, url, Options{})
	log := slog.New(slog.DiscardHandler)
	const period = 50 * time.Millisecond
	la, lb := &leader{changes: make(chan bool, 4)}, &leader{changes: make(chan bool, 4)}
	ctxA, stopA := context.WithCancel(context.Background())
	doneA := make(chan struct{})
	go func() {
		defer close(doneA)
		a.Lead(ctxA, period, log, la.led, func(ctx context.Context) { <-ctx.Done() })
	}()
	la.expect(t, "the first replica", true)
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	doneB := make(chan struct{})
	go func() {
		defer close(doneB)
		b.Lead(ctxB, period, log, lb.led, func(ctx context.Context) { <-ctx.Done() })
	}()
	// The second tries and fails while the first holds it: no change.
	select {
	case on := <-lb.changes:
		t.Fatalf("the second replica's lease went %v while the first held it", on)
	case <-time.After(5 * period):
	}
	// The first replica's connection is cut, as when its machine dies:
	// the second takes over, and the first notices and stops.
	if _, err := b.pool.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objid = $1::bigint & 4294967295 AND granted`, leadLockKey); err != nil {
		t.Fatal(err)
	}
	la.expect(t, "the first replica, cut off", false)
	lb.expect(t, "the second replica", true)
	// The first tries again and waits; it takes the lease when the second stops.
	stopB()
	<-doneB
	lb.expect(t, "the second replica, stopped", false)
	la.expect(t, "the first replica, again", true)
	stopA()
	<-doneA
	la.expect(t, "the first replica, stopped", false)
}
