package api

import (
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/forecast"
)

// forecastRequest asks for a forecast of a scope's cost to the end of the
// current month, quarter or year.
type forecastRequest struct {
	Scope   string   `json:"scope" doc:"the scope whose costs to forecast"`
	Type    string   `json:"type,omitempty" doc:"actual (default), amortized or unblended"`
	Measure string   `json:"measure,omitempty" doc:"instead of type: BilledCost, EffectiveCost, ListCost or x_UnblendedCost"`
	Filter  string   `json:"filter,omitempty" doc:"a filter expression: ServiceName in (EC2, S3) and not tag:env = dev"`
	Filters []string `json:"filters,omitempty" doc:"COL=VALUE or tag:KEY=VALUE; all must hold"`
	Horizon string   `json:"horizon,omitempty" doc:"month (default), quarter or year: forecast to the end of the current one (UTC)"`
}

// forecastSpec is what to forecast: the measure and filters of Query (its
// Type or one cost measure; its range, granularity and grouping are
// ignored) over Period. Horizon names the period in the answer; it is ""
// for a period given by its days.
type forecastSpec struct {
	Query   *cost.Query
	Period  forecast.Period
	Horizon forecast.Horizon
}

// forecast answers POST /api/v1/forecast: the scope's daily actual cost
// from the start of the period to today and the forecast to its end.
func (s *Server) forecast(c *call) (any, error) {
	var req forecastRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	h, err := forecast.ParseHorizon(req.Horizon)
	if err != nil {
		return nil, err
	}
	if req.Type != "" && req.Measure != "" {
		return nil, cost.Errorf(cost.EInvalid, "give a type or a measure, not both")
	}
	spec := cost.QuerySpec{Type: req.Type, Filter: req.Filter, Filters: req.Filters}
	if req.Measure != "" {
		spec.Measures = []string{req.Measure}
	}
	now := s.clock.Now()
	q, err := spec.Build(now)
	if err != nil {
		return nil, err
	}
	return s.forecastScope(c, scope, forecastSpec{Query: q, Period: forecast.PeriodOf(h, now), Horizon: h})
}

// forecastScope is the whole of a forecast, for every door (this API's and
// the Azure-compatible one): it reads the scope's daily history through
// runQuery, so the caller's scope view and rights apply exactly as to a
// query, and forecasts each currency.
func (s *Server) forecastScope(c *call, scope cost.ScopeID, spec forecastSpec) (*forecast.Answer, error) {
	q, err := forecast.HistoryQuery(spec.Query, spec.Period)
	if err != nil {
		return nil, err
	}
	res, err := s.runQuery(c, scope, q)
	if err != nil {
		return nil, err
	}
	return forecast.Build(res, spec.Period, spec.Horizon)
}
