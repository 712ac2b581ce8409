package api

import (
	"github.com/reckon-finops/reckon/internal/cost"
)

// queryRequest is a cost query on one scope.
type queryRequest struct {
	Scope string `json:"scope" doc:"the scope whose costs to sum"`
	cost.QuerySpec
}

// query sums the costs a scope's view covers, for a caller with Reader on
// it: a billing account its whole bill, a linked account or subscription
// its own costs, and a management group everything below it.
func (s *Server) query(c *call) (any, error) {
	var req queryRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	if err := c.require(cost.ActionRead, scope); err != nil {
		return nil, err
	}
	q, err := req.QuerySpec.Build()
	if err != nil {
		return nil, err
	}
	h := c.catalog.Hierarchy
	if _, ok := h.Scope(scope); !ok {
		return nil, cost.Errorf(cost.ENotFound, "scope %s does not exist", scope)
	}
	switch scope.Kind() {
	case cost.KindConnector:
		return nil, cost.Errorf(cost.EInvalid, "a connector has no costs of its own; query its billing account")
	case cost.KindBillingAccount:
		q.Filters = append(q.Filters, cost.Filter{Dimension: cost.Dimension{Column: "BillingAccountId"}, Values: []string{scope.Key()}})
	default:
		covered := h.Covered(scope)
		if len(covered) == 0 {
			return &cost.Result{Columns: q.Columns(), Rows: [][]any{}}, nil // nothing below it yet
		}
		accounts := make([]string, len(covered))
		for i, id := range covered {
			accounts[i] = id.Key()
		}
		q.Filters = append(q.Filters, cost.Filter{Dimension: cost.Dimension{Column: "SubAccountId"}, Values: accounts})
	}
	return s.store.Query(c.r.Context(), q)
}
