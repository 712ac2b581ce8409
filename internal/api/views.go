package api

import (
	"cmp"
	"context"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Saved views (cost.SavedView): a Reader of a scope lists and reads its
// views, a Contributor saves, edits and deletes them, and every change is
// audited on the view's scope. A view is found by its ID alone, so a view
// on a scope the caller cannot read answers NotFound, as one that does not
// exist: its ID reveals nothing.

// viewRequest is a saved view as the caller writes it: the body of POST
// /api/v1/views, and of PATCH, where the fields given replace the view's
// and those left out stay.
type viewRequest struct {
	Scope string          `json:"scope" doc:"the scope that owns the view: a management group, subscription, billing or linked account; it cannot change"`
	Name  string          `json:"name" doc:"the view's name, unique on its scope whatever its case"`
	Chart string          `json:"chart,omitempty" doc:"table (the default); area, line, column or stackedColumn, for a daily or monthly query; bar or pie, for a query with a group-by and no granularity"`
	Query *cost.QuerySpec `json:"query" doc:"the query, an object as POST /api/v1/query takes it without the scope; a timeframe is resolved each time the view runs"`
}

// createView saves a new view, for a Contributor on its scope.
func (s *Server) createView(c *call) (any, error) {
	var req viewRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	if req.Query == nil {
		return nil, cost.Errorf(cost.EInvalid, `give the view's query: an object as POST /api/v1/query takes it without the scope, such as {"timeframe": "MonthToDate", "groupBy": ["ServiceName"]}`)
	}
	now := s.clock.Now()
	v := cost.SavedView{ID: cost.NewViewID(), Scope: scope, Name: req.Name, Chart: cost.Chart(cmp.Or(req.Chart, string(cost.ChartTable))),
		Query: *req.Query, Created: now, CreatedBy: c.user, Updated: now, UpdatedBy: c.user}
	// The caller's mistakes are answered before the catalog is read.
	if err := v.Validate(now); err != nil {
		return nil, err
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := authorizeViews(ctx, tx, c.user, cost.ActionWrite, scope); err != nil {
			return err
		}
		if v, err = cost.SaveView(ctx, tx, v, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "view.create", scope, v.ID+" "+v.Name)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// listViews lists the views of ?scope=, for a Reader of it.
func (s *Server) listViews(c *call) (any, error) {
	scope, err := cost.ParseScopeID(c.r.URL.Query().Get("scope"))
	if err != nil {
		return nil, err
	}
	out := []cost.SavedView{}
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if err := authorizeViews(ctx, r, c.user, cost.ActionRead, scope); err != nil {
			return err
		}
		vs, err := r.SavedViews(ctx, scope)
		out = append(out, vs...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"value": out}, nil
}

// showView answers one view, for a Reader of its scope.
func (s *Server) showView(c *call) (any, error) {
	var v cost.SavedView
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		v, err = c.savedView(ctx, r, cost.ActionRead)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// updateView changes the fields the body gives, for a Contributor on the
// view's scope.
func (s *Server) updateView(c *call) (any, error) {
	var req viewRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var v cost.SavedView
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) (err error) {
		if v, err = c.savedView(ctx, tx, cost.ActionWrite); err != nil {
			return err
		}
		changed, err := req.apply(&v)
		if err != nil {
			return err
		}
		v.Updated, v.UpdatedBy = now, c.user
		if v, err = cost.SaveView(ctx, tx, v, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "view.update", v.Scope, v.ID+" "+v.Name+": "+strings.Join(changed, ", "))
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// apply puts the fields the request gives in v and names them.
func (req viewRequest) apply(v *cost.SavedView) ([]string, error) {
	var changed []string
	if req.Scope != "" {
		scope, err := cost.ParseScopeID(req.Scope)
		if err != nil {
			return nil, err
		}
		if scope != v.Scope {
			return nil, cost.Errorf(cost.EInvalid, "a view's scope cannot change: save the view on %s and delete this one", scope)
		}
	}
	if req.Name != "" {
		v.Name, changed = req.Name, append(changed, "name")
	}
	if req.Chart != "" {
		v.Chart, changed = cost.Chart(req.Chart), append(changed, "chart")
	}
	if req.Query != nil {
		v.Query, changed = *req.Query, append(changed, "query")
	}
	if changed == nil {
		return nil, cost.Errorf(cost.EInvalid, "give what to change: name, chart or query (the scope cannot change)")
	}
	return changed, nil
}

// deleteView deletes a view, for a Contributor on its scope.
func (s *Server) deleteView(c *call) (any, error) {
	var v cost.SavedView
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) (err error) {
		if v, err = c.savedView(ctx, tx, cost.ActionWrite); err != nil {
			return err
		}
		if _, err := tx.DeleteSavedView(ctx, v.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "view.delete", v.Scope, v.ID+" "+v.Name)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": v.ID}, nil
}

// savedView reads the view the path names, for a caller allowed action on
// its scope. A view the caller cannot read is NotFound.
func (c *call) savedView(ctx context.Context, r cost.CatalogReader, action cost.Action) (cost.SavedView, error) {
	id, err := cost.ParseViewID(c.r.PathValue("id"))
	if err != nil {
		return cost.SavedView{}, err
	}
	notFound := cost.Errorf(cost.ENotFound, "view %s does not exist, or its scope is not one you can read: "+
		"GET /api/v1/views?scope= lists a scope's views", id)
	v, ok, err := r.SavedView(ctx, id)
	if err != nil {
		return cost.SavedView{}, err
	}
	if !ok {
		return cost.SavedView{}, notFound
	}
	if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, v.Scope); err != nil {
		if cost.ErrorCode(err) == cost.EForbidden {
			return cost.SavedView{}, notFound
		}
		return cost.SavedView{}, err
	}
	return v, authorizeViews(ctx, r, c.user, action, v.Scope)
}

// authorizeViews is cost.Authorize with a message that names the role the
// views of a scope need.
func authorizeViews(ctx context.Context, r cost.AccessReader, user string, action cost.Action, scope cost.ScopeID) error {
	err := cost.Authorize(ctx, r, user, action, scope)
	if cost.ErrorCode(err) != cost.EForbidden {
		return err
	}
	if action == cost.ActionRead {
		return cost.Errorf(cost.EForbidden, "%s may not read %s: reading its views needs Reader on it", user, scope)
	}
	return cost.Errorf(cost.EForbidden, "%s may not change the views of %s: that needs Contributor on it", user, scope)
}
