package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

//go:embed templates
var templateFS embed.FS

// pageData is what every template reads.
type pageData struct {
	Title      string
	Nav        string // the nav link of this page
	User       string
	CSRF       string
	Today      string // YYYY-MM-DD on the injected clock, UTC: the date presets count from it
	Static     string // the prefix of this build's assets
	Next       string // where sign-in goes after
	Error      string
	Dimensions []string
	Page       placeholder
}

// pageNames are the templates that are pages, each with the layout.
var pageNames = []string{"signin", "analysis", "placeholder", "message", "connectors", "groups", "access", "budgets"}

func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		out[name] = template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}

// pageData is the data of a signed-in page.
func (s *Server) pageData(r *http.Request, sess *cost.WebSession) *pageData {
	return &pageData{User: sess.User, CSRF: sess.CSRF, Today: s.clock.Now().UTC().Format(time.DateOnly), Static: staticPrefix}
}

// render writes a page; the template is executed into a buffer first, so
// that a failure is a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, p *pageData) int {
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, p); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "the page could not be rendered; the server log has the details", http.StatusInternalServerError)
		return http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	return status
}

func (s *Server) analysis(w http.ResponseWriter, r *http.Request, p *pageData) {
	p.Title, p.Nav, p.Dimensions = "Cost analysis", "analysis", cost.Dimensions
	s.render(w, http.StatusOK, "analysis", p)
}

// placeholder is a page of the nav whose UI is still to come: it says so,
// and what to use meanwhile, rather than answer 404.
type placeholder struct {
	Path, Nav, Title, Meanwhile string
}

// placeholders is empty now that every page of the nav is built; a page
// still to come is added here.
var placeholders = []placeholder{}

func (s *Server) placeholder(ph placeholder) func(http.ResponseWriter, *http.Request, *pageData) {
	return func(w http.ResponseWriter, r *http.Request, p *pageData) {
		p.Title, p.Nav, p.Page = ph.Title, ph.Nav, ph
		s.render(w, http.StatusOK, "placeholder", p)
	}
}
