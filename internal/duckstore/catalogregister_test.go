package duckstore

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

const (
	payer   cost.ScopeID = "aws/billing/012345678901"
	acctA   cost.ScopeID = "aws/accounts/045678901234"
	acctB   cost.ScopeID = "aws/accounts/056789012345"
	connID  cost.ScopeID = "connectors/acme"
	groupEU cost.ScopeID = "mg/eu"
)

func assignmentsOn(t *testing.T, s *Store, scope cost.ScopeID) []string {
	t.Helper()
	as := view(t, s, func(ctx context.Context, r cost.CatalogReader) ([]cost.Assignment, error) {
		return r.Assignments(ctx, cost.AssignmentFilter{Scope: scope})
	})
	var out []string
	for _, a := range as {
		out = append(out, a.User+" "+string(a.Role))
	}
	return out
}

func registerAll(t *testing.T, s *Store, r cost.Registration) ([]cost.ScopeID, error) {
	t.Helper()
	var added []cost.ScopeID
	err := s.Update(context.Background(), func(tx cost.CatalogTx) (err error) {
		added, err = cost.RegisterAccounts(context.Background(), tx, r)
		return err
	})
	return added, err
}

func TestRegisteringWithAConnectorFollowsDiscoverysRules(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: groupEU}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: connID}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "alice", Role: cost.RoleOwner, Scope: connID}))
		return tx.AddAssignment(ctx, cost.Assignment{User: "bob", Role: cost.RoleReader, Scope: connID})
	}))
	added, err := registerAll(t, s, cost.Registration{Connector: connID, Owner: "alice", Group: groupEU,
		BillingAccount: cost.Account{ID: payer, Name: "Payer"}, Accounts: []cost.Account{{ID: acctA, Name: "A"}, {ID: acctA}}})
	must(t, err)
	if !slices.Equal(added, []cost.ScopeID{payer, acctA}) {
		t.Errorf("added %v", added)
	}
	if got := assignmentsOn(t, s, payer); !slices.Equal(got, []string{"alice Owner"}) {
		t.Errorf("the billing account's assignments: %v; want only the creator (no copies: it is outside the tree)", got)
	}
	if got := assignmentsOn(t, s, acctA); !slices.Equal(got, []string{"alice Owner", "bob Reader"}) {
		t.Errorf("the linked account's assignments: %v; want the creator and copies of the connector's", got)
	}
	// An assignment made on the connector now reaches only accounts found later.
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error {
		return tx.AddAssignment(ctx, cost.Assignment{User: "carl", Role: cost.RoleContributor, Scope: connID})
	}))
	_, err = registerAll(t, s, cost.Registration{Connector: connID, Owner: "alice", Group: groupEU,
		BillingAccount: cost.Account{ID: payer}, Accounts: []cost.Account{{ID: acctA}, {ID: acctB}}})
	must(t, err)
	if got := assignmentsOn(t, s, acctA); slices.Contains(got, "carl Contributor") {
		t.Errorf("a later connector assignment reached an existing account: %v", got)
	}
	if got := assignmentsOn(t, s, acctB); !slices.Contains(got, "carl Contributor") {
		t.Errorf("a later connector assignment missed a new account: %v", got)
	}
	sc := view(t, s, func(ctx context.Context, r cost.CatalogReader) (cost.Scope, error) {
		sc, _, err := r.Scope(ctx, acctB)
		return sc, err
	})
	if sc.Group != groupEU || sc.BillingAccount != payer || sc.Connector != connID {
		t.Errorf("the new account is %+v", sc)
	}
	// Another connector may not take the billing account.
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error { return cost.AddScope(ctx, tx, cost.Scope{ID: "connectors/other"}) }))
	if _, err := registerAll(t, s, cost.Registration{Connector: "connectors/other", Owner: "zed", BillingAccount: cost.Account{ID: payer}}); cost.ErrorCode(err) != cost.EConflict {
		t.Errorf("another connector's registration: %v, want Conflict", err)
	}
}

func TestRegisteringALoadWithoutAConnector(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	_, err := registerAll(t, s, cost.Registration{Owner: "ana", Time: now,
		BillingAccount: cost.Account{ID: payer}, Accounts: []cost.Account{{ID: acctA, Name: "A"}}})
	must(t, err)
	for _, id := range []cost.ScopeID{payer, acctA} {
		if got := assignmentsOn(t, s, id); !slices.Equal(got, []string{"ana Owner"}) {
			t.Errorf("%s: %v, want the loading user as Owner", id, got)
		}
	}
	sc := view(t, s, func(ctx context.Context, r cost.CatalogReader) (cost.Scope, error) {
		sc, _, err := r.Scope(ctx, acctA)
		return sc, err
	})
	if sc.Group != cost.RootGroup || sc.Connector != "" || sc.Name != "A" {
		t.Errorf("the account is %+v; want it in the root, with no connector", sc)
	}
	// A second load by someone else changes no owner or place; only a new,
	// non-empty name.
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error { return cost.AddScope(ctx, tx, cost.Scope{ID: groupEU}) }))
	added, err := registerAll(t, s, cost.Registration{Owner: "bo", Group: groupEU,
		BillingAccount: cost.Account{ID: payer, Name: ""}, Accounts: []cost.Account{{ID: acctA, Name: "Analytics"}}})
	must(t, err)
	sc = view(t, s, func(ctx context.Context, r cost.CatalogReader) (cost.Scope, error) {
		sc, _, err := r.Scope(ctx, acctA)
		return sc, err
	})
	if len(added) != 0 || sc.Group != cost.RootGroup || sc.Name != "Analytics" || slices.Contains(assignmentsOn(t, s, acctA), "bo Owner") {
		t.Errorf("after a second load: added %v, account %+v, assignments %v", added, sc, assignmentsOn(t, s, acctA))
	}
	if _, err := registerAll(t, s, cost.Registration{Owner: "ana", Group: "mg/nope", BillingAccount: cost.Account{ID: payer}}); cost.ErrorCode(err) != cost.ENotFound {
		t.Errorf("an unknown group: %v, want NotFound", err)
	}
}

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
