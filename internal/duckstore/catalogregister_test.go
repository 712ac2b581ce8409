package duckstore

import (
	"context"
	"sync"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// payer is the billing account the tests register.
const payer cost.ScopeID = "aws/billing/012345678901"

// TestALoadRegistersInItsOwnTransaction checks catalogTxOn: what it writes
// on a connection inside a transaction is seen by no one until the commit,
// and goes with a rollback.
func TestALoadRegistersInItsOwnTransaction(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	exists := func() bool {
		return view(t, s, func(ctx context.Context, r cost.CatalogReader) (bool, error) {
			_, ok, err := r.Scope(ctx, payer)
			return ok, err
		})
	}
	for _, end := range []string{"ROLLBACK", "COMMIT"} {
		conn, err := s.DB().Conn(ctx)
		must(t, err)
		_, err = conn.ExecContext(ctx, "BEGIN TRANSACTION")
		must(t, err)
		_, err = cost.RegisterAccounts(ctx, catalogTxOn(conn), cost.Registration{Owner: "ana", BillingAccount: cost.Account{ID: payer}})
		must(t, err)
		if exists() {
			t.Errorf("before %s, a reader sees the registered account", end)
		}
		_, err = conn.ExecContext(ctx, end)
		must(t, err)
		conn.Close()
		// A committed registration moves the catalog version on, as a
		// load's does (loadTx.commit), so that View's copy is retaken.
		s.catalogMu.Lock()
		s.catalogVersion++
		s.catalogMu.Unlock()
		if got := exists(); got != (end == "COMMIT") {
			t.Errorf("after %s the account exists: %v", end, got)
		}
	}
}

// gatedRows yields its rows after gate closes, so that a test can change
// the catalog while a load is under way.
type gatedRows struct {
	started chan<- struct{} // closed at the first Next: the load has begun
	gate    <-chan struct{}
	once    sync.Once
	rows
}

func (g *gatedRows) Next() (*cost.Row, error) {
	g.once.Do(func() { close(g.started) })
	<-g.gate
	return g.rows.Next()
}

// TestALoadWhoseCatalogChangedMeanwhileIsNotCommitted runs a load that
// registers its accounts into mg/team while another transaction deletes
// mg/team: the load's snapshot still shows the group, so registering would
// leave accounts in a group that no longer exists. The load must fail,
// commit nothing, and succeed when run again (into the root). The catalog
// stays writable while the load streams its rows.
func TestALoadWhoseCatalogChangedMeanwhileIsNotCommitted(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error {
		return cost.AddScope(ctx, tx, cost.Scope{ID: "mg/team", Name: "Team"})
	}))
	registrar := &cost.Registrar{Template: cost.Registration{Owner: "ana", Group: "mg/team"}}
	started, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := s.ReplacePeriods(ctx, cost.Load{Source: "s", Version: "v", Register: registrar.Register},
			&gatedRows{started: started, gate: gate, rows: rows{list: makeRows(month(2026, 8), 3, "1", "234567890123")}})
		done <- err
	}()
	<-started
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error { return cost.DeleteGroup(ctx, tx, "mg/team") }))
	close(gate)
	if err := <-done; err != cost.ErrCatalogChanged {
		t.Fatalf("the load: %v, want ErrCatalogChanged", err)
	}
	if got := total(t, s); !got.IsZero() {
		t.Fatalf("total = %s after the refused load, want 0", got)
	}
	registrar.Template.Group = cost.RootGroup
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "s", Version: "v", Register: registrar.Register},
		&rows{list: makeRows(month(2026, 8), 3, "1", "234567890123")}); err != nil {
		t.Fatal(err)
	}
	sc := view(t, s, func(ctx context.Context, r cost.CatalogReader) (cost.Scope, error) {
		sc, _, err := r.Scope(ctx, "aws/accounts/234567890123")
		return sc, err
	})
	if sc.Group != cost.RootGroup {
		t.Fatalf("the account is in %q, want the root", sc.Group)
	}
}
