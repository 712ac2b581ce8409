package api

import (
	"cmp"
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
)

type moveGroupRequest struct {
	Parent string `json:"parent" doc:"the new parent group's scope ID"`
}

// authorizeAll checks the caller may do action on every scope.
func authorizeAll(ctx context.Context, r cost.AccessReader, user string, action cost.Action, scopes ...cost.ScopeID) error {
	for _, scope := range scopes {
		if err := cost.Authorize(ctx, r, user, action, scope); err != nil {
			return err
		}
	}
	return nil
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
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := authorizeAll(ctx, tx, c.user, cost.ActionWrite, id, parent); err != nil {
			return err
		}
		if err := cost.MoveGroup(ctx, tx, id, parent); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "managementGroup.move", id, "to "+string(parent))
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
	var ids []cost.ScopeID
	for _, raw := range req.Scopes {
		id, err := cost.ParseScopeID(raw)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := authorizeAll(ctx, tx, c.user, cost.ActionWrite, append([]cost.ScopeID{group}, ids...)...); err != nil {
			return err
		}
		if err := cost.MoveScopes(ctx, tx, ids, group); err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.audit(ctx, tx, c, "scope.move", id, "to "+string(group)); err != nil {
				return err
			}
		}
		return nil
	})
	return map[string]any{"moved": ids, "to": group}, err
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
	group, err := optionalScope(req.Group)
	if err != nil {
		return nil, err
	}
	return s.addScope(c, "subscription.create", cost.Scope{ID: id, Name: cmp.Or(req.Name, req.ID), Group: group})
}

type renameRequest struct {
	Name string `json:"name" doc:"the new display name"`
}

// renameGroup changes a group's display name (Contributor on it).
// renameScope names any scope but a connector, for a Contributor on it;
// an account's or subscription's name given here stays (cost.NameScope).
func (s *Server) renameScope(c *call) (any, error) {
	var req renameRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.ParseScopeID(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := cost.Nameable(id); err != nil {
		return nil, err
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, id); err != nil {
			return err
		}
		if err := cost.NameScope(ctx, tx, id, req.Name, c.user); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "scope.rename", id, req.Name)
	})
	return map[string]any{"id": id, "name": req.Name}, err
}

func (s *Server) renameGroup(c *call) (any, error) {
	var req renameRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.ManagementGroupID(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, id); err != nil {
			return err
		}
		if err := cost.RenameScope(ctx, tx, id, req.Name); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "managementGroup.rename", id, req.Name)
	})
	return map[string]any{"id": id, "name": req.Name}, err
}
