package api

import (
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
)

func (s *Server) listUsers(c *call) (any, error) {
	var users []cost.User
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if err := cost.Authorize(ctx, r, c.user, cost.ActionManageAccess, cost.RootGroup); err != nil {
			return err
		}
		var err error
		users, err = r.Users(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"value": users}, nil
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
	u := cost.User{Name: req.Name, Created: s.clock.Now()}
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionManageAccess, cost.RootGroup); err != nil {
			return err
		}
		if _, ok, err := tx.User(ctx, u.Name); err != nil || ok {
			if err != nil {
				return err
			}
			return cost.Errorf(cost.EConflict, "user %s already exists", u.Name)
		}
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "user.create", cost.RootGroup, u.Name)
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
	plain, t := cost.NewToken(name, s.clock.Now())
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if name != c.user {
			if err := cost.Authorize(ctx, tx, c.user, cost.ActionManageAccess, cost.RootGroup); err != nil {
				return err
			}
		}
		if _, ok, err := tx.User(ctx, name); err != nil || !ok {
			if err != nil {
				return err
			}
			return cost.Errorf(cost.ENotFound, "user %s does not exist", cost.Quote(name))
		}
		if err := tx.PutToken(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "token.create", cost.RootGroup, "token "+t.ID+" for "+name)
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
	a := cost.Assignment{User: req.User, Role: role, Scope: scope}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionManageAccess, scope); err != nil {
			return err
		}
		if _, ok, err := tx.User(ctx, a.User); err != nil || !ok {
			if err != nil {
				return err
			}
			return cost.Errorf(cost.ENotFound, "user %s does not exist", cost.Quote(a.User))
		}
		if err := tx.AddAssignment(ctx, a); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "access.assign", scope, string(role)+" to "+a.User)
	})
	return assignmentView(a), err
}

// listAssignments lists the role assignments made directly on a scope, for
// a caller who can read it.
func (s *Server) listAssignments(c *call) (any, error) {
	scope, err := cost.ParseScopeID(c.r.URL.Query().Get("scope"))
	if err != nil {
		return nil, err
	}
	out := []assignmentView{}
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, scope); err != nil {
			return err
		}
		as, err := r.Assignments(ctx, cost.AssignmentFilter{Scope: scope})
		out = append(out, views(as)...)
		return err
	})
	return map[string]any{"value": out}, err
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
	a := cost.Assignment{User: q.Get("user"), Role: role, Scope: scope}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionManageAccess, scope); err != nil {
			return err
		}
		removed, err := tx.RemoveAssignment(ctx, a)
		if err != nil {
			return err
		}
		if !removed {
			return cost.Errorf(cost.ENotFound, "%s has no %s assignment on %s", cost.Quote(a.User), role, scope)
		}
		return s.audit(ctx, tx, c, "access.remove", scope, string(role)+" from "+a.User)
	})
	return map[string]any{"removed": assignmentView(a)}, err
}
