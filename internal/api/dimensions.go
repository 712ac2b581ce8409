package api

import (
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// dimensionParams are the query parameters GET /api/v1/dimensions reads.
var dimensionParams = []string{"scope", "from", "to", "timeframe", "type", "search", "limit", "dimension"}

// DimensionsAnswer is the answer of GET /api/v1/dimensions: the range the
// values come from and, per dimension, its values with their cost.
type DimensionsAnswer struct {
	Scope      cost.ScopeID     `json:"scope"`
	From       string           `json:"from"` // YYYY-MM-DD, inclusive
	To         string           `json:"to"`   // YYYY-MM-DD, exclusive
	Period     cost.Period      `json:"period,omitempty"`
	Type       cost.CostType    `json:"type"`
	Dimensions []cost.ValueList `json:"dimensions"`
	TagKeys    *cost.TagKeyList `json:"tagKeys,omitempty"`
}

// dimensions lists, for a caller with Reader on the scope, the values each
// dimension takes in the scope's rows over the period, with their cost,
// largest first. The values come only from the rows the scope's view
// covers (overView), so a Reader of one account learns nothing of another.
func (s *Server) dimensions(c *call) (any, error) {
	params := c.r.URL.Query()
	for name, vs := range params {
		if !slices.Contains(dimensionParams, name) {
			return nil, cost.Errorf(cost.EInvalid, "unknown parameter %s: use %s", cost.Quote(name), strings.Join(dimensionParams, ", "))
		}
		if len(vs) > 1 && name != "dimension" {
			return nil, cost.Errorf(cost.EInvalid, "parameter %s is given %d times: give it once", name, len(vs))
		}
	}
	if params.Get("scope") == "" {
		return nil, cost.Errorf(cost.EInvalid, "give ?scope=, the scope whose dimension values to list, e.g. aws/accounts/123456789012")
	}
	scope, err := cost.ParseScopeID(params.Get("scope"))
	if err != nil {
		return nil, err
	}
	q, vq, err := cost.ValueSpec{From: params.Get("from"), To: params.Get("to"), Timeframe: params.Get("timeframe"),
		Type: params.Get("type"), Dimensions: params["dimension"], Search: params.Get("search"), Limit: params.Get("limit"),
	}.Build(s.clock.Now())
	if err != nil {
		return nil, err
	}
	var values *cost.Values
	err = s.overView(c, scope, q, func(on *cost.Query) error {
		if on == nil { // nothing below it yet
			values = vq.None()
			return nil
		}
		values, err = s.costs.Values(c.ctx(), on, vq)
		return err
	})
	if err != nil {
		return nil, err
	}
	return DimensionsAnswer{Scope: scope, From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly),
		Period: q.Period, Type: q.Type, Dimensions: values.Dimensions, TagKeys: values.TagKeys}, nil
}
