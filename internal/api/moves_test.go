package api

import (
	"context"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

func TestMovesAndAssignments(t *testing.T) {
	h := newHarness(t)
	admin := h.admin
	for _, g := range []map[string]string{{"id": "a"}, {"id": "b"}, {"id": "a1", "parent": "mg/a"}} {
		if got := h.do(admin, "POST", "/api/v1/managementGroups", g, nil); got != 201 {
			t.Fatalf("create %v: %d", g, got)
		}
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "connectors/x", Name: "x"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "aws/billing/111111111111", Name: "payer", Connector: "connectors/x"}))
		for _, id := range []cost.ScopeID{"aws/accounts/011111111111", "aws/accounts/222222222222"} {
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: id, Name: id.Key(), BillingAccount: "aws/billing/111111111111", Connector: "connectors/x"}))
		}
	})
	var e ErrorBody
	// A cycle is refused with a message; a valid move happens.
	if got := h.do(admin, "POST", "/api/v1/managementGroups/a/move", map[string]string{"parent": "mg/a1"}, &e); got != 400 || e.Error.Code != cost.EInvalid {
		t.Errorf("move a under its child: %d %+v", got, e)
	}
	if got := h.do(admin, "POST", "/api/v1/managementGroups/b/move", map[string]string{"parent": "mg/a"}, nil); got != 200 {
		t.Errorf("move b under a: %d", got)
	}
	// Moving accounts is all or nothing.
	body := map[string][]string{"scopes": {"aws/accounts/011111111111", "aws/accounts/999999999999"}}
	if got := h.do(admin, "POST", "/api/v1/managementGroups/b/children", body, &e); got != 403 {
		// An unknown scope has no path to the root, so no one has rights on
		// it: 403, which also keeps from telling what exists.
		t.Errorf("move with an unknown account: %d %+v", got, e)
	}
	if s := read(t, h.store, func(ctx context.Context, r cost.CatalogReader) (cost.Scope, error) {
		s, _, err := r.Scope(ctx, "aws/accounts/011111111111")
		return s, err
	}); s.Group != cost.RootGroup {
		t.Errorf("a refused move moved %s to %s", s.ID, s.Group)
	}
	body["scopes"] = body["scopes"][:1]
	if got := h.do(admin, "POST", "/api/v1/managementGroups/b/children", body, nil); got != 200 {
		t.Errorf("move the account: %d", got)
	}
	// Assignments: list on a scope, remove, and a missing one is 404.
	h.do(admin, "POST", "/api/v1/users", map[string]string{"name": "bo"}, nil)
	h.do(admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": "bo", "role": "Reader", "scope": "mg/b"}, nil)
	var list struct{ Value []assignmentView }
	if got := h.do(admin, "GET", "/api/v1/roleAssignments?scope=mg/b", nil, &list); got != 200 || len(list.Value) != 1 || list.Value[0].User != "bo" {
		t.Errorf("list on mg/b: %d %+v", got, list)
	}
	if got := h.do(admin, "DELETE", "/api/v1/roleAssignments?user=bo&role=reader&scope=mg/b", nil, nil); got != 200 {
		t.Errorf("remove: %d", got)
	}
	if got := h.do(admin, "DELETE", "/api/v1/roleAssignments?user=bo&role=reader&scope=mg/b", nil, &e); got != 404 {
		t.Errorf("remove again: %d %+v", got, e)
	}
	if got := h.do(admin, "GET", "/api/v1/roleAssignments?scope=nowhere", nil, &e); got != 400 {
		t.Errorf("a bad scope ID: %d %+v", got, e)
	}
}
