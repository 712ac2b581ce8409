package api

import (
	"context"
	"errors"
	"slices"

	"github.com/reckon-finops/reckon/internal/cost"
)

// queryRequest is a cost query on one scope.
type queryRequest struct {
	Scope string `json:"scope" doc:"the scope whose costs to sum"`
	cost.QuerySpec
}

// query sums the costs a scope's view covers (cost.ViewOf), for a caller
// with Reader on it.
func (s *Server) query(c *call) (_ any, err error) {
	defer func() {
		// A request cancelled for a reason (the server shutting down) says
		// so, whichever step it was in.
		if cause := context.Cause(c.ctx()); err != nil && cause != nil {
			if _, ok := errors.AsType[*cost.Error](cause); ok {
				err = cause
			}
		}
	}()
	var req queryRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	q, err := req.QuerySpec.Build()
	if err != nil {
		return nil, err
	}
	// The catalog and the cost rows are read apart (they may live in
	// different stores). A load commits an account's rows and scope
	// together, so a view read again after the query that has not changed
	// covers exactly the rows the query saw.
	for range 3 {
		before, err := s.costView(c, scope)
		if err != nil {
			return nil, err
		}
		if before.Empty {
			return &cost.Result{Columns: q.Columns(), Rows: []cost.ResultRow{}}, nil // nothing below it yet
		}
		// The view goes in View, not Filters: the limits on a caller's
		// filters do not count a group's thousands of accounts.
		on := *q
		on.View = before.Filters
		res, err := s.costs.Query(c.ctx(), &on)
		if err != nil {
			return nil, err
		}
		after, err := s.costView(c, scope)
		if err != nil || sameView(before, after) {
			return res, err
		}
	}
	return nil, cost.Errorf(cost.EConflict, "the accounts of %s changed during the query three times; try again", scope)
}

// costView reads which rows the scope's view covers, for a caller who may
// read it.
func (s *Server) costView(c *call, scope cost.ScopeID) (v cost.CostView, err error) {
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, scope); err != nil {
			return err
		}
		v, err = cost.ViewIn(ctx, r, scope)
		return err
	})
	return v, err
}

func sameView(a, b cost.CostView) bool {
	return slices.EqualFunc(a.Filters, b.Filters, func(x, y cost.Filter) bool {
		return x.Dimension == y.Dimension && slices.Equal(x.Values, y.Values)
	})
}
