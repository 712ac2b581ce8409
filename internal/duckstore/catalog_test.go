package duckstore

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

func id(t *testing.T) func(cost.ScopeID, error) cost.ScopeID {
	return func(i cost.ScopeID, err error) cost.ScopeID {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// view reads the catalog in one snapshot.
func view[T any](t *testing.T, s *Store, read func(context.Context, cost.CatalogReader) (T, error)) T {
	t.Helper()
	var out T
	must(t, s.View(context.Background(), func(r cost.CatalogReader) error {
		var err error
		out, err = read(context.Background(), r)
		return err
	}))
	return out
}

// The conformance suite (catalogsuite_test.go) checks the catalog's
// behaviour; the tests here check what only DuckDB has: a store on disk
// reopened, its migrations, and registration inside a load's transaction.

// TestTheCatalogRoundTripsThroughTheStore checks that the catalog survives
// a reopen: the copy in memory is rebuilt from disk.
func TestTheCatalogRoundTripsThroughTheStore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	must(t, err)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	eng, prod := id(t)(cost.ManagementGroupID("engineering")), id(t)(cost.ManagementGroupID("prod"))
	conn := id(t)(cost.ConnectorID("acme"))
	linked := id(t)(cost.LinkedAccountID("045678901234"))
	_, tok := cost.NewToken("alice", now)
	connector := cost.Connector{ID: conn, DisplayName: "Acme AWS", RoleARN: "arn:aws:iam::012345678901:role/reckon",
		ExternalID: "the-external-id", ReportName: "reckon", DefaultGroup: prod, Created: now, Creator: "alice", State: cost.StateTrial}
	err = s.Update(ctx, func(tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: eng, Name: "Engineering"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: prod, Name: "Production", Group: eng}))
		connScope, owner := cost.ConnectorCreated(conn, "Acme AWS", "alice")
		must(t, cost.AddScope(ctx, tx, connScope))
		must(t, tx.AddAssignment(ctx, owner))
		_, err := cost.RegisterAccounts(ctx, tx, cost.Registration{Connector: conn, Owner: "alice", Group: prod, Time: now,
			BillingAccount: cost.Account{ID: id(t)(cost.BillingAccountID("012345678901")), Name: "Payer"},
			Accounts:       []cost.Account{{ID: linked, Name: "Data"}}})
		must(t, err)
		must(t, tx.PutUser(ctx, cost.User{Name: "alice", Created: now}))
		must(t, tx.PutToken(ctx, tok))
		must(t, tx.PutConnector(ctx, connector))
		return tx.Audit(ctx, cost.AuditEntry{Time: now, User: "alice", Action: "connector.create", Scope: conn})
	})
	must(t, err)
	s.Close()

	s = openStore(t, dir, Options{})
	if got := view(t, s, func(ctx context.Context, r cost.CatalogReader) (cost.Connector, error) {
		c, _, err := r.Connector(ctx, conn)
		return c, err
	}); !reflect.DeepEqual(got, connector) {
		t.Errorf("connector %+v, want %+v", got, connector)
	}
	if got := view(t, s, func(ctx context.Context, r cost.CatalogReader) (cost.Token, error) {
		tk, _, err := r.Token(ctx, tok.ID)
		return tk, err
	}); got != tok {
		t.Errorf("token %+v, want %+v", got, tok)
	}
	if got := view(t, s, func(ctx context.Context, r cost.CatalogReader) ([]cost.ScopeID, error) {
		return r.GroupPath(ctx, linked)
	}); !reflect.DeepEqual(got, []cost.ScopeID{linked, prod, eng, cost.RootGroup}) {
		t.Errorf("the linked account's group path is %v", got)
	}
	if err := s.View(ctx, func(r cost.CatalogReader) error {
		return cost.Authorize(ctx, r, "alice", cost.ActionManageAccess, linked)
	}); err != nil {
		t.Errorf("after reopening, the creator does not own the discovered account: %v", err)
	}
	audit := view(t, s, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })
	if len(audit) != 3 || audit[2].Action != "connector.create" || audit[2].Scope != conn {
		t.Errorf("audit log = %+v", audit)
	}
}

func TestAStoreFromBeforeRowLevelCatalogGetsItsAncestors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{})
	must(t, err)
	// The catalog as the whole-catalog rewrite left it: no ancestors.
	for _, q := range []string{
		`DELETE FROM schema_migrations WHERE name = 'migrations/005_catalog_rows.sql'`,
		`ALTER TABLE scopes DROP COLUMN ancestors`,
		`DELETE FROM schema_migrations WHERE name = 'migrations/005b_scope_named_by.sql'`,
		`ALTER TABLE scopes DROP COLUMN named_by`,
		`DELETE FROM scopes`,
		`INSERT INTO scopes VALUES ('mg/root', 'Tenant Root Group', NULL, NULL, NULL, NULL),
			('mg/a', 'A', 'mg/root', NULL, NULL, NULL), ('mg/b', 'B', 'mg/a', NULL, NULL, NULL),
			('azure/subscriptions/00000000-0000-0000-0000-000000000001', 'S', 'mg/b', NULL, NULL, NULL)`,
	} {
		_, err := s.DB().ExecContext(ctx, q)
		must(t, err)
	}
	s.Close()
	s = openStore(t, dir, Options{})
	got := view(t, s, func(ctx context.Context, r cost.CatalogReader) ([]cost.ScopeID, error) {
		return r.GroupPath(ctx, "azure/subscriptions/00000000-0000-0000-0000-000000000001")
	})
	if want := []cost.ScopeID{"azure/subscriptions/00000000-0000-0000-0000-000000000001", "mg/b", "mg/a", "mg/root"}; !reflect.DeepEqual(got, want) {
		t.Errorf("group path after the migration %v, want %v", got, want)
	}
}
