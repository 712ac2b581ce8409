package api

import (
	"cmp"
	"slices"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

func (s *Server) healthz(*call) (any, error) { return map[string]string{"status": "ok"}, nil }

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

func (s *Server) me(c *call) (any, error) {
	var mine []assignmentView
	for _, a := range c.catalog.Assignments {
		if a.User == c.user {
			mine = append(mine, assignmentView(a))
		}
	}
	return map[string]any{"name": c.user, "roleAssignments": mine}, nil
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

func (s *Server) listScopes(c *call) (any, error) {
	h := c.catalog.Hierarchy
	out := []ScopeView{}
	for _, id := range cost.VisibleScopes(c.user, h, c.catalog.Assignments) {
		sc, _ := h.Scope(id)
		role, _ := cost.EffectiveRole(c.user, id, h, c.catalog.Assignments)
		out = append(out, ScopeView{ID: id, Kind: id.Kind(), Name: sc.Name, Group: sc.Group,
			BillingAccount: sc.BillingAccount, Connector: sc.Connector, Status: sc.Status, Role: role})
	}
	return map[string]any{"value": out}, nil
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
	return s.addScope(c, "managementGroup.create", cost.Scope{ID: id, Name: cmp.Or(req.Name, req.ID), Group: cost.ScopeID(req.Parent)})
}

// addScope adds a group or subscription to its group (the root when
// empty), for a caller with Contributor there.
func (s *Server) addScope(c *call, action string, sc cost.Scope) (any, error) {
	sc.Group = cmp.Or(sc.Group, cost.RootGroup)
	if err := c.require(cost.ActionWrite, sc.Group); err != nil {
		return nil, err
	}
	err := s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if err := cat.Hierarchy.Add(sc); err != nil {
			return nil, err
		}
		return s.audit(c, action, sc.ID, "in "+string(sc.Group)), nil
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
	if err := c.require(cost.ActionWrite, id); err != nil {
		return nil, err
	}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if err := cat.Hierarchy.DeleteGroup(id); err != nil {
			return nil, err
		}
		cat.Assignments = slices.DeleteFunc(cat.Assignments, func(a cost.Assignment) bool { return a.Scope == id })
		return s.audit(c, "managementGroup.delete", id, ""), nil
	})
	return map[string]any{"deleted": id}, err
}

func (s *Server) listUsers(c *call) (any, error) {
	if err := c.require(cost.ActionManageAccess, cost.RootGroup); err != nil {
		return nil, err
	}
	return map[string]any{"value": c.catalog.Users}, nil
}

type userRequest struct {
	Name string `json:"name" doc:"1-64 of a-z, 0-9 and . _ @ -"`
}

func (s *Server) createUser(c *call) (any, error) {
	var req userRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	if err := cost.ValidUserName(req.Name); err != nil {
		return nil, err
	}
	if err := c.require(cost.ActionManageAccess, cost.RootGroup); err != nil {
		return nil, err
	}
	u := cost.User{Name: req.Name, Created: s.clock.Now()}
	err := s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if slices.ContainsFunc(cat.Users, func(x cost.User) bool { return x.Name == u.Name }) {
			return nil, cost.Errorf(cost.EConflict, "user %s already exists", u.Name)
		}
		cat.Users = append(cat.Users, u)
		return s.audit(c, "user.create", cost.RootGroup, u.Name), nil
	})
	return u, err
}

// tokenView is a new token: the only time its secret is shown.
type tokenView struct {
	ID      string `json:"id"`
	User    string `json:"user"`
	Created string `json:"created"`
	Token   string `json:"token"`
}

func (s *Server) createToken(c *call) (any, error) {
	name := c.r.PathValue("name")
	if name != c.user {
		if err := c.require(cost.ActionManageAccess, cost.RootGroup); err != nil {
			return nil, err
		}
	}
	plain, t := cost.NewToken(name, s.clock.Now())
	err := s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if !slices.ContainsFunc(cat.Users, func(x cost.User) bool { return x.Name == name }) {
			return nil, cost.Errorf(cost.ENotFound, "user %s does not exist", name)
		}
		cat.Tokens = append(cat.Tokens, t)
		return s.audit(c, "token.create", cost.RootGroup, "token "+t.ID+" for "+name), nil
	})
	if err != nil {
		return nil, err
	}
	return tokenView{ID: t.ID, User: t.User, Created: t.Created.Format("2006-01-02T15:04:05Z"), Token: plain}, nil
}

type assignmentRequest struct {
	User  string `json:"user" doc:"an existing user's name"`
	Role  string `json:"role" doc:"Owner, Contributor or Reader"`
	Scope string `json:"scope" doc:"a scope ID, e.g. aws/accounts/123456789012"`
}

func (s *Server) assignRole(c *call) (any, error) {
	var req assignmentRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	role, err := cost.ParseRole(req.Role)
	if err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	if err := c.require(cost.ActionManageAccess, scope); err != nil {
		return nil, err
	}
	a := cost.Assignment{User: req.User, Role: role, Scope: scope}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if !slices.ContainsFunc(cat.Users, func(x cost.User) bool { return x.Name == a.User }) {
			return nil, cost.Errorf(cost.ENotFound, "user %s does not exist", a.User)
		}
		if _, ok := cat.Hierarchy.Scope(scope); !ok {
			return nil, cost.Errorf(cost.ENotFound, "scope %s does not exist", scope)
		}
		if !slices.Contains(cat.Assignments, a) {
			cat.Assignments = append(cat.Assignments, a)
		}
		return s.audit(c, "access.assign", scope, string(role)+" to "+a.User), nil
	})
	return assignmentView(a), err
}

func (s *Server) auditLog(c *call) (any, error) {
	all, err := s.store.AuditLog(c.r.Context())
	if err != nil {
		return nil, err
	}
	out := []cost.AuditEntry{}
	for _, e := range all {
		scope := e.Scope
		if scope == "" {
			scope = cost.RootGroup
		}
		if c.can(cost.ActionManageAccess, scope) {
			out = append(out, e)
		}
	}
	return map[string]any{"value": out}, nil
}

// audit returns the entry for a change the caller made.
func (s *Server) audit(c *call, action string, scope cost.ScopeID, detail string) []cost.AuditEntry {
	return []cost.AuditEntry{{Time: s.clock.Now(), User: c.user, Action: action, Scope: scope, Detail: detail}}
}
