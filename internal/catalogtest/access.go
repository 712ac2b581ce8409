package catalogtest

import (
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

var accessTests = []test{
	{"an assignment added twice is there once", func(t *testing.T, c cost.Catalog) {
		a := cost.Assignment{User: "ana", Role: cost.RoleReader, Scope: cost.RootGroup}
		update(t, c, func(tx cost.CatalogTx) error { return tx.AddAssignment(t.Context(), a) })
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, tx.AddAssignment(t.Context(), a))
			return tx.AddAssignment(t.Context(), a)
		})
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Assignment, error) {
			return r.Assignments(t.Context(), cost.AssignmentFilter{})
		})
		check(t, "the assignments", got, []cost.Assignment{a})
	}},
	{"removing an assignment reports whether there was one", func(t *testing.T, c cost.Catalog) {
		a := cost.Assignment{User: "ana", Role: cost.RoleReader, Scope: cost.RootGroup}
		other := cost.Assignment{User: "ana", Role: cost.RoleOwner, Scope: cost.RootGroup}
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, tx.AddAssignment(t.Context(), a))
			return tx.AddAssignment(t.Context(), other)
		})
		var first, again bool
		update(t, c, func(tx cost.CatalogTx) (err error) {
			first, err = tx.RemoveAssignment(t.Context(), a)
			must(t, err)
			again, err = tx.RemoveAssignment(t.Context(), a)
			return err
		})
		if !first || again {
			t.Errorf("removed %v, then again %v; want true, then false", first, again)
		}
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Assignment, error) {
			return r.Assignments(t.Context(), cost.AssignmentFilter{})
		})
		check(t, "what is left", got, []cost.Assignment{other})
	}},
	{"assignments are selected by user and scope and sorted by scope, user and role", testAssignmentFilters},
	{"users are listed by name and put again replaces the one with the name", func(t *testing.T, c cost.Catalog) {
		names := []string{"bob", "a_b", "ab", "a.b", "a-b", "ana@example.com"}
		update(t, c, func(tx cost.CatalogTx) error {
			for i, n := range names {
				must(t, tx.PutUser(t.Context(), cost.User{Name: n, Created: at.Add(time.Duration(i) * time.Minute)}))
			}
			return tx.PutUser(t.Context(), cost.User{Name: "bob", Created: at.Add(time.Hour)})
		})
		got := read(t, c, func(r cost.CatalogReader) ([]cost.User, error) { return r.Users(t.Context()) })
		var gotNames []string
		for _, u := range got {
			gotNames = append(gotNames, u.Name)
		}
		want := slices.Clone(names)
		slices.Sort(want)
		check(t, "the users, byte by byte", gotNames, want)
		bob, ok := found(t, c, func(r cost.CatalogReader) (cost.User, bool, error) { return r.User(t.Context(), "bob") })
		check(t, "bob", bob, cost.User{Name: "bob", Created: at.Add(time.Hour)})
		check(t, "bob found", ok, true)
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.User, bool, error) { return r.User(t.Context(), "carl") }); ok {
			t.Error("a user never put was found")
		}
	}},
	{"a token is found by its public ID, with its hash", func(t *testing.T, c cost.Catalog) {
		_, tok := cost.NewToken("ana", at)
		_, other := cost.NewToken("bob", at)
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, tx.PutToken(t.Context(), tok))
			return tx.PutToken(t.Context(), other)
		})
		got, ok := found(t, c, func(r cost.CatalogReader) (cost.Token, bool, error) { return r.Token(t.Context(), tok.ID) })
		check(t, "the token", got, tok)
		check(t, "found", ok, true)
		replaced := tok
		replaced.User, replaced.Hash, replaced.Created = "carl", other.Hash, at.Add(time.Second)
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutToken(t.Context(), replaced) })
		got, _ = found(t, c, func(r cost.CatalogReader) (cost.Token, bool, error) { return r.Token(t.Context(), tok.ID) })
		check(t, "the replaced token", got, replaced)
		got, _ = found(t, c, func(r cost.CatalogReader) (cost.Token, bool, error) { return r.Token(t.Context(), other.ID) })
		check(t, "the other token", got, other)
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.Token, bool, error) { return r.Token(t.Context(), "0000000000000000") }); ok {
			t.Error("an unknown token was found")
		}
	}},
	{"registering with a connector follows discovery's rules", testRegisterWithConnector},
	{"registering a load without a connector", testRegisterWithoutConnector},
}

func testAssignmentFilters(t *testing.T, c cost.Catalog) {
	addScopes(t, c, cost.Scope{ID: groupEU}, cost.Scope{ID: payer})
	as := []cost.Assignment{
		{User: "bob", Role: cost.RoleReader, Scope: groupEU},
		{User: "ana", Role: cost.RoleReader, Scope: payer},
		{User: "ana", Role: cost.RoleOwner, Scope: groupEU},
		{User: "ana", Role: cost.RoleContributor, Scope: groupEU},
		{User: "a.z", Role: cost.RoleOwner, Scope: groupEU},
		{User: "bob", Role: cost.RoleOwner, Scope: cost.RootGroup},
	}
	update(t, c, func(tx cost.CatalogTx) error {
		for _, a := range as {
			must(t, tx.AddAssignment(t.Context(), a))
		}
		return nil
	})
	a := func(i ...int) []cost.Assignment {
		var out []cost.Assignment
		for _, j := range i {
			out = append(out, as[j])
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    cost.AssignmentFilter
		want []cost.Assignment
	}{
		{"every assignment, byte by byte", cost.AssignmentFilter{}, a(1, 4, 3, 2, 0, 5)},
		{"one user's", cost.AssignmentFilter{User: "ana"}, a(1, 3, 2)},
		{"one scope's", cost.AssignmentFilter{Scope: groupEU}, a(4, 3, 2, 0)},
		{"one user's on one scope", cost.AssignmentFilter{User: "bob", Scope: groupEU}, a(0)},
		{"an unknown user's", cost.AssignmentFilter{User: "carl"}, nil},
	} {
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Assignment, error) { return r.Assignments(t.Context(), tt.f) })
		check(t, tt.name, got, tt.want)
	}
}

// assignmentsOn returns "user role" for each assignment on the scope.
func assignmentsOn(t *testing.T, c cost.Catalog, scope cost.ScopeID) []string {
	t.Helper()
	as := read(t, c, func(r cost.CatalogReader) ([]cost.Assignment, error) {
		return r.Assignments(t.Context(), cost.AssignmentFilter{Scope: scope})
	})
	var out []string
	for _, a := range as {
		out = append(out, a.User+" "+string(a.Role))
	}
	return out
}

func register(t *testing.T, c cost.Catalog, r cost.Registration) ([]cost.ScopeID, error) {
	t.Helper()
	var added []cost.ScopeID
	err := c.Update(t.Context(), func(tx cost.CatalogTx) (err error) {
		added, err = cost.RegisterAccounts(t.Context(), tx, r)
		return err
	})
	return added, err
}

func scope(t *testing.T, c cost.Catalog, id cost.ScopeID) cost.Scope {
	t.Helper()
	s, _ := found(t, c, func(r cost.CatalogReader) (cost.Scope, bool, error) { return r.Scope(t.Context(), id) })
	return s
}

func testRegisterWithConnector(t *testing.T, c cost.Catalog) {
	ctx := t.Context()
	update(t, c, func(tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: groupEU}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: connID}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "alice", Role: cost.RoleOwner, Scope: connID}))
		return tx.AddAssignment(ctx, cost.Assignment{User: "bob", Role: cost.RoleReader, Scope: connID})
	})
	added, err := register(t, c, cost.Registration{Connector: connID, Owner: "alice", Group: groupEU,
		BillingAccount: cost.Account{ID: payer, Name: "Payer"}, Accounts: []cost.Account{{ID: acctA, Name: "A"}, {ID: acctA}}})
	must(t, err)
	check(t, "added", added, []cost.ScopeID{payer, acctA})
	check(t, "the billing account's assignments (only the creator: it is outside the tree)", assignmentsOn(t, c, payer),
		[]string{"alice Owner"})
	check(t, "the linked account's assignments (the creator and copies of the connector's)", assignmentsOn(t, c, acctA),
		[]string{"alice Owner", "bob Reader"})
	// An assignment made on the connector now reaches only accounts found later.
	update(t, c, func(tx cost.CatalogTx) error {
		return tx.AddAssignment(ctx, cost.Assignment{User: "carl", Role: cost.RoleContributor, Scope: connID})
	})
	_, err = register(t, c, cost.Registration{Connector: connID, Owner: "alice", Group: groupEU,
		BillingAccount: cost.Account{ID: payer}, Accounts: []cost.Account{{ID: acctA}, {ID: acctB}}})
	must(t, err)
	if got := assignmentsOn(t, c, acctA); slices.Contains(got, "carl Contributor") {
		t.Errorf("a later connector assignment reached an existing account: %v", got)
	}
	if got := assignmentsOn(t, c, acctB); !slices.Contains(got, "carl Contributor") {
		t.Errorf("a later connector assignment missed a new account: %v", got)
	}
	if sc := scope(t, c, acctB); sc.Group != groupEU || sc.BillingAccount != payer || sc.Connector != connID {
		t.Errorf("the new account is %+v", sc)
	}
	// Another connector may not take the billing account.
	addScopes(t, c, cost.Scope{ID: "connectors/other"})
	_, err = register(t, c, cost.Registration{Connector: "connectors/other", Owner: "zed", BillingAccount: cost.Account{ID: payer}})
	code(t, "another connector's registration", err, cost.EConflict)
}

func testRegisterWithoutConnector(t *testing.T, c cost.Catalog) {
	_, err := register(t, c, cost.Registration{Owner: "ana", Time: at,
		BillingAccount: cost.Account{ID: payer}, Accounts: []cost.Account{{ID: acctA, Name: "A"}}})
	must(t, err)
	for _, id := range []cost.ScopeID{payer, acctA} {
		check(t, string(id)+"'s assignments (the loading user as Owner)", assignmentsOn(t, c, id), []string{"ana Owner"})
	}
	if sc := scope(t, c, acctA); sc.Group != cost.RootGroup || sc.Connector != "" || sc.Name != "A" {
		t.Errorf("the account is %+v; want it in the root, with no connector", sc)
	}
	// A second load by someone else changes no owner or place; only a new,
	// non-empty name.
	addScopes(t, c, cost.Scope{ID: groupEU})
	added, err := register(t, c, cost.Registration{Owner: "bo", Group: groupEU, Time: at.Add(time.Hour),
		BillingAccount: cost.Account{ID: payer, Name: ""}, Accounts: []cost.Account{{ID: acctA, Name: "Analytics"}}})
	must(t, err)
	sc := scope(t, c, acctA)
	if len(added) != 0 || sc.Group != cost.RootGroup || sc.Name != "Analytics" || slices.Contains(assignmentsOn(t, c, acctA), "bo Owner") {
		t.Errorf("after a second load: added %v, account %+v, assignments %v", added, sc, assignmentsOn(t, c, acctA))
	}
	_, err = register(t, c, cost.Registration{Owner: "ana", Group: "mg/nope", BillingAccount: cost.Account{ID: payer}})
	code(t, "an unknown group", err, cost.ENotFound)
	audit := read(t, c, func(r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(t.Context()) })
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action+" "+string(e.Scope))
	}
	check(t, "the audit log", actions, []string{"scope.discover " + string(payer), "scope.discover " + string(acctA),
		"scope.update " + string(acctA)})
}
