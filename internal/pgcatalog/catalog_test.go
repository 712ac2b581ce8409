package pgcatalog

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

func TestTheCatalogRoundTripsThroughAReopen(t *testing.T) {
	ctx := context.Background()
	url := testDatabase(t)
	c := openAt(t, url, Options{Key: testKey})
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	eng, prod := id(t)(cost.ManagementGroupID("engineering")), id(t)(cost.ManagementGroupID("prod"))
	conn := id(t)(cost.ConnectorID("acme"))
	linked := id(t)(cost.LinkedAccountID("045678901234"))
	_, tok := cost.NewToken("alice", now)
	connector := cost.Connector{ID: conn, DisplayName: "Acme AWS", RoleARN: "arn:aws:iam::012345678901:role/reckon",
		ExternalID: "the-external-id", ReportName: "reckon", DefaultGroup: prod, Created: now, Creator: "alice", State: cost.StateTrial}
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
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
	c.Close()

	c = openAt(t, url, Options{Key: testKey})
	if got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.Connector, error) {
		c, _, err := r.Connector(ctx, conn)
		return c, err
	}); !reflect.DeepEqual(got, connector) {
		t.Errorf("connector %+v, want %+v", got, connector)
	}
	if got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.Token, error) {
		tk, _, err := r.Token(ctx, tok.ID)
		return tk, err
	}); got != tok {
		t.Errorf("token %+v, want %+v", got, tok)
	}
	if got := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.ScopeID, error) {
		return r.GroupPath(ctx, linked)
	}); !reflect.DeepEqual(got, []cost.ScopeID{linked, prod, eng, cost.RootGroup}) {
		t.Errorf("the linked account's group path is %v", got)
	}
	if got := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Scope, error) {
		return r.ConnectorScopes(ctx, conn)
	}); !reflect.DeepEqual(ids(got), []cost.ScopeID{"aws/accounts/045678901234", "aws/billing/012345678901"}) {
		t.Errorf("the connector's scopes are %v", ids(got))
	}
	if err := c.View(ctx, func(r cost.CatalogReader) error {
		return cost.Authorize(ctx, r, "alice", cost.ActionManageAccess, linked)
	}); err != nil {
		t.Errorf("after reopening, the creator does not own the discovered account: %v", err)
	}
	audit := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })
	if len(audit) != 3 || audit[2].Action != "connector.create" || audit[2].Scope != conn {
		t.Errorf("audit log = %+v", audit)
	}
}

func TestAFailedCatalogChangeChangesNothing(t *testing.T) {
	c := newCatalog(t)
	ctx := context.Background()
	mg := id(t)(cost.ManagementGroupID("finance"))
	err := c.Update(ctx, func(tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: mg, Name: "Finance"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleOwner, Scope: mg}))
		return errors.New("refused half-way")
	})
	if err == nil || err.Error() != "refused half-way" {
		t.Fatalf("the change's error is %v, want the function's own", err)
	}
	if ok := view(t, c, func(ctx context.Context, r cost.CatalogReader) (bool, error) {
		_, ok, err := r.Scope(ctx, mg)
		return ok, err
	}); ok {
		t.Error("a refused change was written")
	}
	if got := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Assignment, error) {
		return r.Assignments(ctx, cost.AssignmentFilter{User: "ana"})
	}); len(got) != 0 {
		t.Errorf("a refused change left assignments %v", got)
	}
}

func TestMovingAGroupMovesEverythingBelowIt(t *testing.T) {
	c := newCatalog(t)
	sub := cost.ScopeID("azure/subscriptions/00000000-0000-0000-0000-000000000001")
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		for _, s := range []cost.Scope{{ID: "mg/eu", Name: "EU"}, {ID: "mg/fr", Name: "FR", Group: "mg/eu"},
			{ID: "mg/paris", Name: "Paris", Group: "mg/fr"}, {ID: sub, Name: "S", Group: "mg/paris"}, {ID: "mg/us", Name: "US"}} {
			if err := cost.AddScope(ctx, tx, s); err != nil {
				return err
			}
		}
		return cost.MoveGroup(ctx, tx, "mg/fr", "mg/us")
	})
	type tree struct {
		path               []cost.ScopeID
		children, belowUS  []cost.ScopeID
		belowEU, belowRoot []cost.ScopeID
	}
	got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (tree, error) {
		var tr tree
		var err error
		if tr.path, err = r.GroupPath(ctx, sub); err != nil {
			return tr, err
		}
		ch, err := r.Children(ctx, "mg/us")
		tr.children = ids(ch)
		below, err2 := r.Descendants(ctx, "mg/us")
		tr.belowUS = ids(below)
		eu, err3 := r.Descendants(ctx, "mg/eu")
		tr.belowEU = ids(eu)
		root, err4 := r.Descendants(ctx, cost.RootGroup)
		tr.belowRoot = ids(root)
		return tr, errors.Join(err, err2, err3, err4)
	})
	want := tree{
		path:      []cost.ScopeID{sub, "mg/paris", "mg/fr", "mg/us", cost.RootGroup},
		children:  []cost.ScopeID{"mg/fr"},
		belowUS:   []cost.ScopeID{sub, "mg/fr", "mg/paris"},
		belowEU:   []cost.ScopeID{},
		belowRoot: []cost.ScopeID{sub, "mg/eu", "mg/fr", "mg/paris", "mg/us"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the move:\n got %+v\nwant %+v", got, want)
	}
	unknown := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.ScopeID, error) {
		return r.GroupPath(ctx, "mg/none")
	})
	if unknown != nil {
		t.Errorf("the group path of an unknown scope is %v, want nothing", unknown)
	}
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		id, ok, err := tx.(cost.GroupFolder).GroupFold(ctx, "MG/Paris")
		if err != nil || !ok || id != "mg/paris" {
			t.Errorf("GroupFold(MG/Paris) = %v %v %v, want mg/paris", id, ok, err)
		}
		return nil
	})
}

func TestAssignmentsAreFilteredAndSortedByScopeUserAndRole(t *testing.T) {
	c := newCatalog(t)
	as := []cost.Assignment{
		{User: "bob", Role: cost.RoleReader, Scope: "mg/root"},
		{User: "alice", Role: cost.RoleOwner, Scope: "mg/root"},
		{User: "alice", Role: cost.RoleContributor, Scope: "mg/root"},
		{User: "alice", Role: cost.RoleReader, Scope: "mg/a"},
		{User: "Zed", Role: cost.RoleReader, Scope: "mg/root"},
	}
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		for _, a := range as {
			must(t, tx.AddAssignment(ctx, a))
			must(t, tx.AddAssignment(ctx, a)) // one that exists stays as is
		}
		return nil
	})
	get := func(f cost.AssignmentFilter) []cost.Assignment {
		return view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Assignment, error) {
			return r.Assignments(ctx, f)
		})
	}
	tests := []struct {
		name   string
		filter cost.AssignmentFilter
		want   []cost.Assignment
	}{
		{"no filter lists all, bytewise by scope, user, role", cost.AssignmentFilter{},
			[]cost.Assignment{as[3], as[1], as[2], as[4], as[0]}},
		{"a user's are theirs alone", cost.AssignmentFilter{User: "alice"}, []cost.Assignment{as[3], as[1], as[2]}},
		{"a scope's are on it alone", cost.AssignmentFilter{Scope: "mg/root"}, []cost.Assignment{as[1], as[2], as[4], as[0]}},
		{"both fields select both", cost.AssignmentFilter{User: "bob", Scope: "mg/root"}, []cost.Assignment{as[0]}},
		{"a user without any has none", cost.AssignmentFilter{User: "carol"}, nil},
	}
	// Sorting is bytewise: "Zed" before "alice" and "bob"; roles as stored.
	for _, tt := range tests {
		slices.SortFunc(tt.want, cmpAssignments)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(tt.filter); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Assignments(%+v) =\n %v\nwant %v", tt.filter, got, tt.want)
			}
		})
	}
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		if gone, err := tx.RemoveAssignment(ctx, as[0]); err != nil || !gone {
			t.Errorf("remove %v: %v %v, want it gone", as[0], gone, err)
		}
		if gone, err := tx.RemoveAssignment(ctx, as[0]); err != nil || gone {
			t.Errorf("remove %v again: %v %v, want nothing removed", as[0], gone, err)
		}
		return nil
	})
	if got := get(cost.AssignmentFilter{User: "bob"}); len(got) != 0 {
		t.Errorf("bob still has %v", got)
	}
}

// cmpAssignments is the interface's order: scope, user, role, bytewise.
func cmpAssignments(a, b cost.Assignment) int {
	if a.Scope != b.Scope {
		return cmpString(string(a.Scope), string(b.Scope))
	}
	if a.User != b.User {
		return cmpString(a.User, b.User)
	}
	return cmpString(string(a.Role), string(b.Role))
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestUsersAndTokensAreReplacedByNameAndID(t *testing.T) {
	c := newCatalog(t)
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.UTC)
	_, tok := cost.NewToken("alice", t0)
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		must(t, tx.PutUser(ctx, cost.User{Name: "bob", Created: t0}))
		must(t, tx.PutUser(ctx, cost.User{Name: "alice", Created: t0}))
		must(t, tx.PutUser(ctx, cost.User{Name: "alice", Created: t0.Add(time.Hour)}))
		must(t, tx.PutToken(ctx, tok))
		tok.User = "bob"
		return tx.PutToken(ctx, tok)
	})
	micro := t0.Truncate(time.Microsecond) // what PostgreSQL keeps
	users := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.User, error) { return r.Users(ctx) })
	if want := []cost.User{{Name: "alice", Created: micro.Add(time.Hour)}, {Name: "bob", Created: micro}}; !reflect.DeepEqual(users, want) {
		t.Errorf("users %v, want %v", users, want)
	}
	got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.Token, error) {
		tk, ok, err := r.Token(ctx, tok.ID)
		if !ok {
			t.Error("the token is not found")
		}
		return tk, err
	})
	tok.Created = micro
	if got != tok {
		t.Errorf("token %+v, want %+v", got, tok)
	}
	if found := view(t, c, func(ctx context.Context, r cost.CatalogReader) (bool, error) {
		_, ok, err := r.User(ctx, "carol")
		return ok, err
	}); found {
		t.Error("an unknown user is found")
	}
}

func TestTheAuditLogIsReadOldestFirstAndOnlyAppended(t *testing.T) {
	ctx := context.Background()
	url := testDatabase(t)
	c := openAt(t, url, Options{Key: testKey})
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	entries := []cost.AuditEntry{
		{Time: t0.Add(time.Minute), User: "bob", Action: "scope.create", Scope: "mg/a"},
		{Time: t0, User: "alice", Action: "user.create", Detail: "first"},
		{Time: t0.Add(time.Minute), User: "bob", Action: "access.assign", Scope: "mg/a", Detail: "same time, written after"},
	}
	for _, e := range entries {
		update(t, c, func(ctx context.Context, tx cost.CatalogTx) error { return tx.Audit(ctx, e) })
	}
	got := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })
	if want := []cost.AuditEntry{entries[1], entries[0], entries[2]}; !reflect.DeepEqual(got, want) {
		t.Errorf("audit log\n %+v\nwant %+v", got, want)
	}
	for _, q := range []string{`UPDATE audit_log SET detail = 'changed'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := c.pool.Exec(ctx, q); err == nil {
			t.Errorf("%s was allowed", q)
		}
	}
	if n := len(view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })); n != 3 {
		t.Errorf("%d entries after the refused changes, want 3", n)
	}
}
