package api

import "github.com/reckon-finops/reckon/internal/cost"

// viewRequest is a saved view. (Being built: issue 9.)
type viewRequest struct {
	Name string `json:"name" doc:"the view's name"`
}

func (s *Server) createView(*call) (any, error) { return nil, building() }
func (s *Server) listViews(*call) (any, error)  { return nil, building() }
func (s *Server) showView(*call) (any, error)   { return nil, building() }
func (s *Server) updateView(*call) (any, error) { return nil, building() }
func (s *Server) deleteView(*call) (any, error) { return nil, building() }

func building() error { return cost.Errorf(cost.EInternal, "views are being built") }
