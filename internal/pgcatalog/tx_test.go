package pgcatalog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestALoadRegistersItsAccountsInATransactionItCommits is how a cost
// store's load uses the catalog: Begin, register, commit when the rows are
// in place. Until then no View sees the accounts and every Update waits.
func TestALoadRegistersItsAccountsInATransactionItCommits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := openAt(t, testDatabase(t), Options{Key: testKey})
	payer := id(t)(cost.BillingAccountID("012345678901"))
	linked := id(t)(cost.LinkedAccountID("045678901234"))
	exists := func(r cost.CatalogReader) bool {
		_, ok, err := r.Scope(ctx, linked)
		must(t, err)
		return ok
	}

	tx, err := c.Begin(ctx)
	must(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	reg := cost.Registrar{Template: cost.Registration{Owner: "alice", Time: time.Now()}}
	must(t, reg.Register(ctx, tx, []cost.LoadedAccount{{Provider: "AWS", BillingAccountID: "012345678901", SubAccountID: "045678901234"}}))
	if len(reg.Added) != 2 || reg.Added[0] != payer {
		t.Fatalf("registered %v", reg.Added)
	}

	saw := make(chan bool)
	go func() {
		var seen bool
		err := c.Update(ctx, func(tx cost.CatalogTx) error { seen = exists(tx); return nil })
		if err != nil {
			t.Error(err)
		}
		saw <- seen
	}()
	waitForALockWaiter(t, ctx, c)
	if got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (bool, error) { return exists(r), nil }); got {
		t.Error("a View sees the accounts before the load commits")
	}
	must(t, tx.Commit(ctx))
	if !<-saw {
		t.Error("the Update that waited does not see the accounts the load committed")
	}
}

// waitForALockWaiter returns once a session waits for an advisory lock.
func waitForALockWaiter(t *testing.T, ctx context.Context, c *Catalog) {
	t.Helper()
	for {
		var waiting int
		must(t, c.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&waiting))
		if waiting > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("no Update waited for the load's transaction")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestEveryCommittedUpdateMovesTheVersionOnAndNotifies: an Update that
// wrote commits a new version and notifies it; one refused, or one that
// only read (as the budgets' evaluation mostly does), moves nothing, so
// that a replica that evaluates on every notification does not notify
// itself forever.
func TestEveryCommittedUpdateMovesTheVersionOnAndNotifies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := openAt(t, testDatabase(t), Options{Key: testKey})
	listener, err := c.pool.Acquire(ctx)
	must(t, err)
	defer listener.Release()
	_, err = listener.Exec(ctx, `LISTEN `+ChangeChannel)
	must(t, err)
	v0, err := c.Version(ctx)
	must(t, err)
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		return tx.PutUser(ctx, cost.User{Name: "alice", Created: may})
	})
	if err := c.Update(ctx, func(tx cost.CatalogTx) error { return errFull }); err != errFull {
		t.Fatal(err)
	}
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		_, err := tx.Users(ctx)
		return err
	})
	v1, err := c.Version(ctx)
	must(t, err)
	if v1 != v0+1 {
		t.Errorf("version %d after one committed, one refused and one read-only Update, from %d", v1, v0)
	}
	n, err := listener.Conn().WaitForNotification(ctx)
	must(t, err)
	if n.Channel != ChangeChannel || n.Payload != fmt.Sprint(v1) {
		t.Errorf("notified %s %q, want %s %d", n.Channel, n.Payload, ChangeChannel, v1)
	}
}
