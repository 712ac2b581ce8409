package catalogtest

import (
	"slices"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The scopes the tests use.
const (
	payer    cost.ScopeID = "aws/billing/012345678901"
	acctA    cost.ScopeID = "aws/accounts/045678901234"
	acctB    cost.ScopeID = "aws/accounts/056789012345"
	connID   cost.ScopeID = "connectors/acme"
	groupEU  cost.ScopeID = "mg/eu"
	groupUS  cost.ScopeID = "mg/us"
	subEU    cost.ScopeID = "azure/subscriptions/00000000-0000-0000-0000-000000000001"
	eurozone cost.ScopeID = "mg/eurozone"
)

var scopeTests = []test{
	{"a new catalog holds only the root group", func(t *testing.T, c cost.Catalog) {
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(t.Context()) })
		check(t, "the scopes", got, []cost.Scope{{ID: cost.RootGroup, Name: cost.RootGroupName}})
		path := read(t, c, func(r cost.CatalogReader) ([]cost.ScopeID, error) { return r.GroupPath(t.Context(), cost.RootGroup) })
		check(t, "the root's group path", path, []cost.ScopeID{cost.RootGroup})
	}},
	{"a scope is put whole and put again replaces the one with its ID", func(t *testing.T, c cost.Catalog) {
		billing := cost.Scope{ID: payer, Name: "Payer", Connector: connID, Status: "ACTIVE"}
		linked := cost.Scope{ID: acctA, Name: "Data", Group: cost.RootGroup, BillingAccount: payer, Connector: connID,
			Status: "SUSPENDED", NamedBy: "alice"}
		update(t, c, func(tx cost.CatalogTx) error {
			for _, s := range []cost.Scope{{ID: connID, Name: "connectors/acme"}, billing, linked} {
				must(t, tx.PutScope(t.Context(), s))
			}
			return nil
		})
		for _, want := range []cost.Scope{billing, linked} {
			got, ok := found(t, c, func(r cost.CatalogReader) (cost.Scope, bool, error) { return r.Scope(t.Context(), want.ID) })
			check(t, "scope "+string(want.ID), got, want)
			check(t, "found", ok, true)
		}
		linked.Name, linked.Status, linked.NamedBy = "Analytics", "ACTIVE", ""
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutScope(t.Context(), linked) })
		got, _ := found(t, c, func(r cost.CatalogReader) (cost.Scope, bool, error) { return r.Scope(t.Context(), acctA) })
		check(t, "the replaced scope", got, linked)
		all := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(t.Context()) })
		check(t, "the scopes after the replacement", scopeIDs(all), []cost.ScopeID{acctA, payer, connID, cost.RootGroup})
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.Scope, bool, error) { return r.Scope(t.Context(), acctB) }); ok {
			t.Error("a scope never put was found")
		}
	}},
	{"scopes are listed by ID, byte by byte", func(t *testing.T, c cost.Catalog) {
		// A locale's collation would ignore the punctuation and the case.
		ids := []cost.ScopeID{"mg/ab", "mg/a-c", "mg/Zed", "mg/a_b", "mg/a.b", "mg/a(1)", "mg/a"}
		for _, id := range ids {
			addScopes(t, c, cost.Scope{ID: id})
		}
		want := append([]cost.ScopeID{cost.RootGroup}, ids...)
		slices.Sort(want)
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(t.Context()) })
		check(t, "Scopes", scopeIDs(got), want)
		want = slices.DeleteFunc(want, func(id cost.ScopeID) bool { return id == cost.RootGroup })
		children := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Children(t.Context(), cost.RootGroup) })
		check(t, "Children", scopeIDs(children), want)
		below := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Descendants(t.Context(), cost.RootGroup) })
		check(t, "Descendants", scopeIDs(below), want)
	}},
	{"a group path runs from the scope up to the root", func(t *testing.T, c cost.Catalog) {
		addScopes(t, c, cost.Scope{ID: groupEU}, cost.Scope{ID: eurozone, Group: groupEU}, cost.Scope{ID: subEU, Group: eurozone},
			cost.Scope{ID: payer})
		for _, tt := range []struct {
			id   cost.ScopeID
			want []cost.ScopeID
		}{
			{subEU, []cost.ScopeID{subEU, eurozone, groupEU, cost.RootGroup}},
			{eurozone, []cost.ScopeID{eurozone, groupEU, cost.RootGroup}},
			{payer, []cost.ScopeID{payer}},
			{"mg/gone", nil},
		} {
			got := read(t, c, func(r cost.CatalogReader) ([]cost.ScopeID, error) { return r.GroupPath(t.Context(), tt.id) })
			check(t, "the group path of "+string(tt.id), got, tt.want)
		}
	}},
	{"children are the scopes directly in a group and descendants all below it", func(t *testing.T, c cost.Catalog) {
		addScopes(t, c, cost.Scope{ID: groupEU}, cost.Scope{ID: eurozone, Group: groupEU}, cost.Scope{ID: subEU, Group: eurozone},
			cost.Scope{ID: groupUS}, cost.Scope{ID: payer}, cost.Scope{ID: acctA, Group: groupEU, BillingAccount: payer})
		for _, tt := range []struct {
			group             cost.ScopeID
			children, descend []cost.ScopeID
		}{
			{cost.RootGroup, []cost.ScopeID{groupEU, groupUS}, []cost.ScopeID{acctA, subEU, groupEU, eurozone, groupUS}},
			{groupEU, []cost.ScopeID{acctA, eurozone}, []cost.ScopeID{acctA, subEU, eurozone}},
			{eurozone, []cost.ScopeID{subEU}, []cost.ScopeID{subEU}},
			{groupUS, nil, nil},
			{payer, nil, nil},
			{"mg/gone", nil, nil},
		} {
			children := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Children(t.Context(), tt.group) })
			check(t, "the children of "+string(tt.group), scopeIDs(children), tt.children)
			below := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Descendants(t.Context(), tt.group) })
			check(t, "the descendants of "+string(tt.group), scopeIDs(below), tt.descend)
		}
	}},
	{"moving a group moves everything below it", func(t *testing.T, c cost.Catalog) {
		addScopes(t, c, cost.Scope{ID: groupEU}, cost.Scope{ID: eurozone, Group: groupEU}, cost.Scope{ID: "mg/euro-prod", Group: eurozone},
			cost.Scope{ID: subEU, Group: "mg/euro-prod"}, cost.Scope{ID: groupUS})
		moveTo := func(parent cost.ScopeID) {
			update(t, c, func(tx cost.CatalogTx) error {
				s, _, err := tx.Scope(t.Context(), eurozone)
				must(t, err)
				s.Group = parent
				return tx.PutScope(t.Context(), s)
			})
		}
		moveTo(groupUS)
		path := read(t, c, func(r cost.CatalogReader) ([]cost.ScopeID, error) { return r.GroupPath(t.Context(), subEU) })
		check(t, "the subscription's path after the move", path, []cost.ScopeID{subEU, "mg/euro-prod", eurozone, groupUS, cost.RootGroup})
		below := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Descendants(t.Context(), groupUS) })
		check(t, "below the new parent", scopeIDs(below), []cost.ScopeID{subEU, "mg/euro-prod", eurozone})
		below = read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Descendants(t.Context(), groupEU) })
		check(t, "below the old parent", scopeIDs(below), []cost.ScopeID(nil))
		moveTo(cost.RootGroup)
		path = read(t, c, func(r cost.CatalogReader) ([]cost.ScopeID, error) { return r.GroupPath(t.Context(), subEU) })
		check(t, "the subscription's path after a move to the root", path, []cost.ScopeID{subEU, "mg/euro-prod", eurozone, cost.RootGroup})
	}},
	{"a connector's scopes are the accounts it discovered", func(t *testing.T, c cost.Catalog) {
		addScopes(t, c, cost.Scope{ID: connID}, cost.Scope{ID: "connectors/other"},
			cost.Scope{ID: payer, Connector: connID}, cost.Scope{ID: acctB, BillingAccount: payer, Connector: connID},
			cost.Scope{ID: acctA, BillingAccount: payer, Connector: connID},
			cost.Scope{ID: "aws/billing/111122223333", Connector: "connectors/other"}, cost.Scope{ID: "aws/billing/999988887777"})
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.ConnectorScopes(t.Context(), connID) })
		check(t, "the connector's scopes", scopeIDs(got), []cost.ScopeID{acctA, acctB, payer})
		got = read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) {
			return r.ConnectorScopes(t.Context(), "connectors/none")
		})
		check(t, "an unknown connector's scopes", scopeIDs(got), []cost.ScopeID(nil))
	}},
	{"deleting a scope deletes what was on it and nothing else", testDeleteScope},
}

// testDeleteScope puts one of everything on two accounts and deletes one.
func testDeleteScope(t *testing.T, c cost.Catalog) {
	addScopes(t, c, cost.Scope{ID: payer}, cost.Scope{ID: acctA, BillingAccount: payer}, cost.Scope{ID: acctB, BillingAccount: payer})
	views, budgets, subs, alerts := map[cost.ScopeID]string{}, map[cost.ScopeID]string{}, map[cost.ScopeID]string{}, map[cost.ScopeID]string{}
	update(t, c, func(tx cost.CatalogTx) error {
		for _, s := range []cost.ScopeID{acctA, acctB} {
			must(t, tx.AddAssignment(t.Context(), cost.Assignment{User: "ana", Role: cost.RoleOwner, Scope: s}))
			views[s], budgets[s], subs[s], alerts[s] = cost.NewViewID(), cost.NewBudgetID(), cost.NewBudgetID(), cost.NewAlertID()
			must(t, tx.PutSavedView(t.Context(), savedView(views[s], s, "by service")))
			must(t, tx.PutBudget(t.Context(), budget(budgets[s], s, "monthly", "100")))
			must(t, tx.PutAnomalySubscription(t.Context(), cost.AnomalySubscription{ID: subs[s], Scope: s, Name: "spikes",
				MinImpact: decimal.FromInt(10), Created: at}))
			must(t, tx.PutAlert(t.Context(), alert(alerts[s], s, cost.AlertAnomaly, cost.AlertActive, "k/"+string(s), at)))
		}
		return nil
	})
	update(t, c, func(tx cost.CatalogTx) error { return tx.DeleteScope(t.Context(), acctA) })
	for _, s := range []cost.ScopeID{acctA, acctB} {
		want := s == acctB
		has := read(t, c, func(r cost.CatalogReader) (map[string]bool, error) {
			ctx := t.Context()
			out := map[string]bool{}
			var err error
			_, out["the scope"], err = r.Scope(ctx, s)
			must(t, err)
			as, err := r.Assignments(ctx, cost.AssignmentFilter{Scope: s})
			out["its assignment"] = len(as) == 1
			must(t, err)
			_, out["its saved view"], err = r.SavedView(ctx, views[s])
			must(t, err)
			vs, err := r.SavedViews(ctx, s)
			out["its saved views"] = len(vs) == 1
			must(t, err)
			_, out["its budget"], err = r.Budget(ctx, budgets[s])
			must(t, err)
			bs, err := r.Budgets(ctx, s)
			out["its budgets"] = len(bs) == 1
			must(t, err)
			ss, err := r.AnomalySubscriptions(ctx, s)
			out["its anomaly subscriptions"] = len(ss) == 1
			must(t, err)
			_, out["its alert"], err = r.Alert(ctx, alerts[s])
			must(t, err)
			as2, err := r.Alerts(ctx, cost.AlertFilter{Scope: s})
			out["its alerts"] = len(as2) == 1
			return out, err
		})
		for what, ok := range has {
			if ok != want {
				t.Errorf("%s of %s exists: %v, want %v", what, s, ok, want)
			}
		}
	}
}

// treeTests check the tree rules (cost.AddScope, MoveGroup, MoveScopes,
// DeleteGroup, RemoveScope) run over a catalog transaction.
var treeTests = []test{
	{"what the tree rules refuse is refused and changes nothing", testTreeRefusals},
	{"random histories of the tree agree with the in-memory hierarchy", testRandomTrees},
}

func testTreeRefusals(t *testing.T, c cost.Catalog) {
	addScopes(t, c, cost.Scope{ID: groupEU, Name: "EU"}, cost.Scope{ID: eurozone, Group: groupEU}, cost.Scope{ID: subEU, Group: eurozone},
		cost.Scope{ID: payer}, cost.Scope{ID: acctA, BillingAccount: payer}, cost.Scope{ID: groupUS})
	before := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(t.Context()) })
	for _, tt := range []struct {
		name string
		op   func(tx cost.CatalogTx) error
		want string
	}{
		{"a scope that exists is a conflict", func(tx cost.CatalogTx) error {
			return cost.AddScope(t.Context(), tx, cost.Scope{ID: acctA, BillingAccount: payer})
		}, cost.EConflict},
		{"a group whose ID differs only in case is a conflict", func(tx cost.CatalogTx) error {
			return cost.AddScope(t.Context(), tx, cost.Scope{ID: "mg/EU"})
		}, cost.EConflict},
		{"a scope in a group that does not exist is not found", func(tx cost.CatalogTx) error {
			return cost.AddScope(t.Context(), tx, cost.Scope{ID: "mg/new", Group: "mg/gone"})
		}, cost.ENotFound},
		{"a group moved below itself is invalid", func(tx cost.CatalogTx) error {
			return cost.MoveGroup(t.Context(), tx, groupEU, eurozone)
		}, cost.EInvalid},
		{"the root cannot move", func(tx cost.CatalogTx) error { return cost.MoveGroup(t.Context(), tx, cost.RootGroup, groupUS) }, cost.EInvalid},
		{"a group that is not empty cannot be deleted", func(tx cost.CatalogTx) error {
			return cost.DeleteGroup(t.Context(), tx, groupEU)
		}, cost.EConflict},
		{"the root cannot be deleted", func(tx cost.CatalogTx) error { return cost.DeleteGroup(t.Context(), tx, cost.RootGroup) }, cost.EInvalid},
		{"a group is not removed as a scope", func(tx cost.CatalogTx) error { return cost.RemoveScope(t.Context(), tx, groupUS) }, cost.EInvalid},
		{"an unknown scope is not removed", func(tx cost.CatalogTx) error { return cost.RemoveScope(t.Context(), tx, acctB) }, cost.ENotFound},
		{"moving scopes moves all or nothing", func(tx cost.CatalogTx) error {
			return cost.MoveScopes(t.Context(), tx, []cost.ScopeID{acctA, acctB}, groupUS)
		}, cost.ENotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code(t, tt.name, c.Update(t.Context(), tt.op), tt.want)
			after := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(t.Context()) })
			check(t, "the scopes after the refusal", after, before)
		})
	}
	t.Run("what the rules allow is done", func(t *testing.T) {
		update(t, c, func(tx cost.CatalogTx) error {
			ctx := t.Context()
			must(t, cost.MoveScopes(ctx, tx, []cost.ScopeID{subEU, acctA}, groupUS))
			must(t, cost.DeleteGroup(ctx, tx, eurozone))
			must(t, cost.MoveGroup(ctx, tx, groupUS, groupEU))
			return cost.RemoveScope(ctx, tx, payer)
		})
		after := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Descendants(t.Context(), groupEU) })
		check(t, "below mg/eu", scopeIDs(after), []cost.ScopeID{acctA, subEU, groupUS})
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.Scope, bool, error) { return r.Scope(t.Context(), payer) }); ok {
			t.Error("the removed billing account is still there")
		}
	})
}
