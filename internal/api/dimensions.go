package api

import "github.com/reckon-finops/reckon/internal/cost"

func (s *Server) dimensions(*call) (any, error) {
	return nil, cost.Errorf(cost.EInternal, "dimensions are being built")
}
