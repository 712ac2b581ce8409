package duckstore

import (
	"context"
	"errors"
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

func TestTheCatalogRoundTripsThroughTheStore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	eng, prod := id(t)(cost.ManagementGroupID("engineering")), id(t)(cost.ManagementGroupID("prod"))
	conn := id(t)(cost.ConnectorID("acme"))
	var want *Catalog
	err = s.UpdateCatalog(ctx, func(c *Catalog) ([]cost.AuditEntry, error) {
		h := c.Hierarchy
		// Added child first on purpose in a second update below; here parent first.
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(h.Add(cost.Scope{ID: eng, Name: "Engineering"}))
		must(h.Add(cost.Scope{ID: prod, Name: "Production", Group: eng}))
		connScope, owner := cost.ConnectorCreated(conn, "Acme AWS", "alice")
		must(h.Add(connScope))
		scopes, grants, err := cost.Discover(h, cost.Discovery{Connector: conn, Creator: "alice",
			BillingAccount: cost.Account{ID: id(t)(cost.BillingAccountID("012345678901")), Name: "Payer"},
			Accounts:       []cost.Account{{ID: id(t)(cost.LinkedAccountID("045678901234")), Name: "Data"}},
			DefaultGroup:   prod}, []cost.Assignment{owner})
		must(err)
		for _, sc := range scopes {
			must(h.Add(sc))
		}
		c.Assignments = append(append(c.Assignments, owner), grants...)
		c.Users = []cost.User{{Name: "alice", Created: now}}
		_, tok := cost.NewToken("alice", now)
		c.Tokens = []cost.Token{tok}
		c.Connectors = []cost.Connector{{ID: conn, DisplayName: "Acme AWS", RoleARN: "arn:aws:iam::012345678901:role/reckon",
			ExternalID: "the-external-id", ReportName: "reckon", DefaultGroup: prod, Created: now, State: cost.StateTrial}}
		want = c
		return []cost.AuditEntry{{Time: now, User: "alice", Action: "connector.create", Scope: conn}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openStore(t, dir, Options{})
	got, err := s.LoadCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Hierarchy.Scopes(), want.Hierarchy.Scopes()) {
		t.Errorf("scopes:\n%+v\nwant\n%+v", got.Hierarchy.Scopes(), want.Hierarchy.Scopes())
	}
	for name, pair := range map[string][2]any{
		"assignments": {got.Assignments, want.Assignments}, "users": {got.Users, want.Users},
		"tokens": {got.Tokens, want.Tokens}, "connectors": {got.Connectors, want.Connectors},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s:\n%+v\nwant\n%+v", name, pair[0], pair[1])
		}
	}
	if !cost.Can("alice", cost.ActionManageAccess, id(t)(cost.LinkedAccountID("045678901234")), got.Hierarchy, got.Assignments) {
		t.Error("after reloading, the creator does not own the discovered account")
	}
	audit, err := s.AuditLog(ctx)
	if err != nil || len(audit) != 1 || audit[0].Action != "connector.create" || audit[0].Scope != conn {
		t.Errorf("audit log = %+v, %v", audit, err)
	}
}

func TestAFailedCatalogChangeChangesNothing(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	mg := id(t)(cost.ManagementGroupID("finance"))
	err := s.UpdateCatalog(ctx, func(c *Catalog) ([]cost.AuditEntry, error) {
		if err := c.Hierarchy.Add(cost.Scope{ID: mg, Name: "Finance"}); err != nil {
			return nil, err
		}
		return nil, errors.New("refused half-way")
	})
	if err == nil {
		t.Fatal("the change's error was lost")
	}
	c, err := s.LoadCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Hierarchy.Scope(mg); ok {
		t.Error("a refused change was written")
	}
}
