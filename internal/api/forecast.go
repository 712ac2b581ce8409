package api

import "github.com/reckon-finops/reckon/internal/cost"

// forecastRequest asks for a forecast of a scope's cost. (Being built: issue 9.)
type forecastRequest struct {
	Scope string `json:"scope" doc:"the scope whose costs to forecast"`
}

func (s *Server) forecast(*call) (any, error) {
	return nil, cost.Errorf(cost.EInternal, "forecast is being built")
}
