package api

import (
	"context"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// listBudgets lists the budgets of ?scope=, each with where it stands this
// period, for a Reader of it.
func (s *Server) listBudgets(c *call) (any, error) {
	scope, err := cost.ParseScopeID(c.r.URL.Query().Get("scope"))
	if err != nil {
		return nil, err
	}
	var bs []cost.Budget
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, scope); err != nil {
			return s.budgetAccess(c, err, scope, cost.ActionRead)
		}
		bs, err = r.Budgets(ctx, scope)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*budgetAnswer, len(bs))
	for i, b := range bs {
		out[i] = s.budgetAnswer(c, b, false)
	}
	return map[string]any{"value": out}, nil
}

// showBudget answers one budget with its status and the history of its
// periods, for a Reader of its scope.
func (s *Server) showBudget(c *call) (any, error) {
	var b cost.Budget
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		b, err = c.budget(ctx, r, s, cost.ActionRead)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.budgetAnswer(c, b, true), nil
}

// updateBudget changes the fields the body gives, for a Contributor on the
// budget's scope.
func (s *Server) updateBudget(c *call) (any, error) {
	var req budgetRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	var b cost.Budget
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		b, err = c.budget(ctx, r, s, cost.ActionWrite)
		return err
	})
	if err != nil {
		return nil, err
	}
	if req.Scope != "" && req.Scope != string(b.Scope) {
		return nil, cost.Errorf(cost.EInvalid, "a budget's scope cannot change: create the budget on %s and delete this one", req.Scope)
	}
	changed, err := req.apply(&b)
	if err != nil {
		return nil, err
	}
	if changed == nil {
		return nil, cost.Errorf(cost.EInvalid, "give what to change: name, amount, currency, measure, timeGrain, startDate, endDate, filter or notifications")
	}
	b.Updated, b.UpdatedBy = s.clock.Now(), c.user
	return s.saveBudget(c, b, "budget.update", ": "+strings.Join(changed, ", "))
}

// deleteBudget deletes a budget, for a Contributor on its scope; its
// alerts stay as history.
func (s *Server) deleteBudget(c *call) (any, error) {
	var b cost.Budget
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) (err error) {
		if b, err = c.budget(ctx, tx, s, cost.ActionWrite); err != nil {
			return err
		}
		if _, err := tx.DeleteBudget(ctx, b.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "budget.delete", b.Scope, b.ID+" "+b.Name)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": b.ID}, nil
}

// budget reads the budget the path names, for a caller allowed action on
// its scope. A budget the caller cannot read is NotFound.
func (c *call) budget(ctx context.Context, r cost.CatalogReader, s *Server, action cost.Action) (cost.Budget, error) {
	id, err := cost.ParseBudgetID(c.r.PathValue("id"))
	if err != nil {
		return cost.Budget{}, err
	}
	b, ok, err := r.Budget(ctx, id)
	if err != nil {
		return b, err
	}
	return b, c.mayOwned(ctx, r, s, ok, b.Scope, action,
		cost.Errorf(cost.ENotFound, "budget %s does not exist, or its scope is not one you can read: GET /api/v1/budgets?scope= lists a scope's budgets", id))
}

// mayOwned checks the caller's right to something found (ok) on a scope:
// NotFound when it is missing or the caller cannot read the scope, so that
// an ID reveals nothing; Forbidden when the caller reads but may not act.
func (c *call) mayOwned(ctx context.Context, r cost.AccessReader, s *Server, ok bool, scope cost.ScopeID, action cost.Action, notFound error) error {
	if !ok {
		return notFound
	}
	if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, scope); err != nil {
		if cost.ErrorCode(err) == cost.EForbidden {
			return notFound
		}
		return err
	}
	if err := cost.Authorize(ctx, r, c.user, action, scope); err != nil {
		return s.budgetAccess(c, err, scope, action)
	}
	return nil
}
