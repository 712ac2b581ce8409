package web

import "net/http"

// admin serves a page that manages the server, or a scope's budgets:
// connectors, management groups, access, budgets. The template is the
// page's shell; its script reads the API, and shows only the changes the
// user's roles allow (the API refuses the others in words, which the page
// shows).
func (s *Server) admin(name, nav, title string) func(http.ResponseWriter, *http.Request, *pageData) {
	return func(w http.ResponseWriter, r *http.Request, p *pageData) {
		p.Title, p.Nav = title, nav
		s.render(w, http.StatusOK, name, p)
	}
}
