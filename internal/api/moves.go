package api

import (
	"cmp"
	"slices"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

type moveGroupRequest struct {
	Parent string `json:"parent" doc:"the new parent group's scope ID"`
}

// moveGroup moves a group, with everything in it, under another group. The
// caller needs Contributor on the group and on the new parent.
func (s *Server) moveGroup(c *call) (any, error) {
	var req moveGroupRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.ManagementGroupID(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	parent, err := cost.ParseScopeID(req.Parent)
	if err != nil {
		return nil, err
	}
	for _, scope := range []cost.ScopeID{id, parent} {
		if err := c.require(cost.ActionWrite, scope); err != nil {
			return nil, err
		}
	}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if err := cat.Hierarchy.MoveGroup(id, parent); err != nil {
			return nil, err
		}
		return s.audit(c, "managementGroup.move", id, "to "+string(parent)), nil
	})
	return map[string]any{"moved": []cost.ScopeID{id}, "to": parent}, err
}

type moveScopesRequest struct {
	Scopes []string `json:"scopes" doc:"subscriptions and linked accounts to move into the group"`
}

// moveScopes moves subscriptions and linked accounts into a group, all or
// nothing. The caller needs Contributor on each and on the group.
func (s *Server) moveScopes(c *call) (any, error) {
	var req moveScopesRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	group, err := cost.ManagementGroupID(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if len(req.Scopes) == 0 {
		return nil, cost.Errorf(cost.EInvalid, "name at least one scope to move")
	}
	ids := []cost.ScopeID{group}
	for _, raw := range req.Scopes {
		id, err := cost.ParseScopeID(raw)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if err := c.require(cost.ActionWrite, id); err != nil {
			return nil, err
		}
	}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if err := cat.Hierarchy.Move(ids[1:], group); err != nil {
			return nil, err
		}
		var audit []cost.AuditEntry
		for _, id := range ids[1:] {
			audit = append(audit, s.audit(c, "scope.move", id, "to "+string(group))...)
		}
		return audit, nil
	})
	return map[string]any{"moved": ids[1:], "to": group}, err
}

// listAssignments lists the role assignments made directly on a scope, for
// a caller who can read it.
func (s *Server) listAssignments(c *call) (any, error) {
	scope, err := cost.ParseScopeID(c.r.URL.Query().Get("scope"))
	if err != nil {
		return nil, err
	}
	if err := c.require(cost.ActionRead, scope); err != nil {
		return nil, err
	}
	out := []assignmentView{}
	for _, a := range c.catalog.Assignments {
		if a.Scope == scope {
			out = append(out, assignmentView(a))
		}
	}
	return map[string]any{"value": out}, nil
}

// removeAssignment removes one role assignment; the caller needs Owner on
// its scope.
func (s *Server) removeAssignment(c *call) (any, error) {
	q := c.r.URL.Query()
	scope, err := cost.ParseScopeID(q.Get("scope"))
	if err != nil {
		return nil, err
	}
	role, err := cost.ParseRole(q.Get("role"))
	if err != nil {
		return nil, err
	}
	if err := c.require(cost.ActionManageAccess, scope); err != nil {
		return nil, err
	}
	a := cost.Assignment{User: q.Get("user"), Role: role, Scope: scope}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		i := slices.Index(cat.Assignments, a)
		if i < 0 {
			return nil, cost.Errorf(cost.ENotFound, "%s has no %s assignment on %s", a.User, role, scope)
		}
		cat.Assignments = slices.Delete(cat.Assignments, i, i+1)
		return s.audit(c, "access.remove", scope, string(role)+" from "+a.User), nil
	})
	return map[string]any{"removed": assignmentView(a)}, err
}

type subscriptionRequest struct {
	ID    string `json:"id" doc:"the subscription's GUID"`
	Name  string `json:"name,omitempty" doc:"display name; the GUID when empty"`
	Group string `json:"group,omitempty" doc:"the management group; mg/root when empty"`
}

// createSubscription adds an Azure subscription scope to a group.
func (s *Server) createSubscription(c *call) (any, error) {
	var req subscriptionRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.SubscriptionID(req.ID)
	if err != nil {
		return nil, err
	}
	return s.addScope(c, "subscription.create", cost.Scope{ID: id, Name: cmp.Or(req.Name, req.ID), Group: cost.ScopeID(req.Group)})
}

type renameRequest struct {
	Name string `json:"name" doc:"the new display name"`
}

// renameGroup changes a group's display name (Contributor on it).
func (s *Server) renameGroup(c *call) (any, error) {
	var req renameRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.ManagementGroupID(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := c.require(cost.ActionWrite, id); err != nil {
		return nil, err
	}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if err := cat.Hierarchy.Rename(id, req.Name); err != nil {
			return nil, err
		}
		return s.audit(c, "managementGroup.rename", id, req.Name), nil
	})
	return map[string]any{"id": id, "name": req.Name}, err
}
