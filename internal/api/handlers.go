package api

import (
	"cmp"
	"context"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

func (s *Server) healthz(*call) (any, error) { return map[string]string{"status": "ok"}, nil }

// readyTimeout bounds the readiness checks: a load balancer asks often.
const readyTimeout = 2 * time.Second

// readyz answers 200 when the catalog and the cost store answer, and 503
// with the first that does not: a load balancer sends requests only to
// replicas that can serve them.
func (s *Server) readyz(c *call) (any, error) {
	ctx, cancel := context.WithTimeout(c.r.Context(), readyTimeout)
	defer cancel()
	err := s.opts.Catalog.View(ctx, func(r cost.CatalogReader) error {
		_, _, err := r.Scope(ctx, cost.RootGroup)
		return err
	})
	if err == nil && s.opts.Ready != nil {
		err = s.opts.Ready(ctx)
	}
	if err != nil {
		s.log.Warn("not ready", "err", err)
		return nil, cost.Errorf(cost.EUnavailable, "not ready: the catalog or the cost store does not answer")
	}
	return map[string]string{"status": "ready"}, nil
}

func (s *Server) metricsText(*call) (any, error) {
	return rawBody{contentType: "text/plain; version=0.0.4", data: s.metrics.text()}, nil
}

func (s *Server) openAPI(*call) (any, error) {
	return rawBody{contentType: "application/json", data: OpenAPI()}, nil
}

// assignmentView is a role assignment as the API shows it.
type assignmentView struct {
	User  string       `json:"user"`
	Role  cost.Role    `json:"role"`
	Scope cost.ScopeID `json:"scope"`
}

func views(as []cost.Assignment) []assignmentView {
	out := make([]assignmentView, len(as))
	for i, a := range as {
		out[i] = assignmentView(a)
	}
	return out
}

func (s *Server) me(c *call) (any, error) {
	var mine []cost.Assignment
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		mine, err = r.Assignments(ctx, cost.AssignmentFilter{User: c.user})
		return err
	})
	var out []assignmentView
	if len(mine) > 0 {
		out = views(mine)
	}
	return map[string]any{"name": c.user, "roleAssignments": out}, err
}

// ScopeView is a scope as the API shows it, with the caller's role on it.
type ScopeView struct {
	ID             cost.ScopeID   `json:"id"`
	Kind           cost.ScopeKind `json:"kind"`
	Name           string         `json:"name"`
	Group          cost.ScopeID   `json:"group,omitempty"`
	BillingAccount cost.ScopeID   `json:"billingAccount,omitempty"`
	Connector      cost.ScopeID   `json:"connector,omitempty"`
	Status         string         `json:"status,omitempty"`
	Role           cost.Role      `json:"role"`
}

// listScopes is a listing: it reads every scope and the caller's
// assignments, and works out the roles in memory.
func (s *Server) listScopes(c *call) (any, error) {
	out := []ScopeView{}
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		scopes, roles, err := s.rolesOver(ctx, r, c.user)
		for _, sc := range scopes {
			if role, ok := roles[sc.ID]; ok {
				out = append(out, ScopeView{ID: sc.ID, Kind: sc.ID.Kind(), Name: sc.Name, Group: sc.Group,
					BillingAccount: sc.BillingAccount, Connector: sc.Connector, Status: sc.Status, Role: role})
			}
		}
		return err
	})
	return map[string]any{"value": out}, err
}

// rolesOver reads every scope and the user's roles on them.
func (s *Server) rolesOver(ctx context.Context, r cost.CatalogReader, user string) ([]cost.Scope, map[cost.ScopeID]cost.Role, error) {
	scopes, err := r.Scopes(ctx)
	if err != nil {
		return nil, nil, err
	}
	mine, err := r.Assignments(ctx, cost.AssignmentFilter{User: user})
	if err != nil {
		return nil, nil, err
	}
	return scopes, cost.RolesOver(user, scopes, mine), nil
}

type groupRequest struct {
	ID     string `json:"id" doc:"the group's ID, without the mg/ prefix"`
	Name   string `json:"name,omitempty" doc:"display name; the ID when empty"`
	Parent string `json:"parent,omitempty" doc:"the parent group's scope ID; mg/root when empty"`
}

func (s *Server) createGroup(c *call) (any, error) {
	var req groupRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.ManagementGroupID(req.ID)
	if err != nil {
		return nil, err
	}
	parent, err := optionalScope(req.Parent)
	if err != nil {
		return nil, err
	}
	return s.addScope(c, "managementGroup.create", cost.Scope{ID: id, Name: cmp.Or(req.Name, req.ID), Group: parent})
}

// optionalScope parses a scope ID the caller may leave empty, so that no
// message quotes more of it than cost.Quote does.
func optionalScope(s string) (cost.ScopeID, error) {
	if s == "" {
		return "", nil
	}
	return cost.ParseScopeID(s)
}

// addScope adds a group or subscription to its group (the root when
// empty), for a caller with Contributor there.
func (s *Server) addScope(c *call, action string, sc cost.Scope) (any, error) {
	sc.Group = cmp.Or(sc.Group, cost.RootGroup)
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, sc.Group); err != nil {
			return err
		}
		if err := cost.AddScope(ctx, tx, sc); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, action, sc.ID, "in "+string(sc.Group))
	})
	if err != nil {
		return nil, err
	}
	return ScopeView{ID: sc.ID, Kind: sc.ID.Kind(), Name: sc.Name, Group: sc.Group}, nil
}

func (s *Server) deleteGroup(c *call) (any, error) {
	id, err := cost.ManagementGroupID(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, id); err != nil {
			return err
		}
		if err := cost.DeleteGroup(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "managementGroup.delete", id, "")
	})
	return map[string]any{"deleted": id}, err
}

func (s *Server) auditLog(c *call) (any, error) {
	out := []cost.AuditEntry{}
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		_, roles, err := s.rolesOver(ctx, r, c.user)
		if err != nil {
			return err
		}
		entries, err := r.AuditLog(ctx)
		for _, e := range entries {
			if roles[cmp.Or(e.Scope, cost.RootGroup)].Allows(cost.ActionManageAccess) {
				out = append(out, e)
			}
		}
		return err
	})
	return map[string]any{"value": out}, err
}

// audit records a change the caller made, in the change's transaction.
func (s *Server) audit(ctx context.Context, tx cost.CatalogTx, c *call, action string, scope cost.ScopeID, detail string) error {
	return tx.Audit(ctx, cost.AuditEntry{Time: s.clock.Now(), User: c.user, Action: action, Scope: scope, Detail: detail})
}
