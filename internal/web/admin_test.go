package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestTheManagementPagesHaveTheirShellAndTestHooks(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	for _, tc := range []struct {
		path, title, script string
		hooks               []string
	}{
		{"/connectors", "Connectors and sources", "connectors.js", []string{"connector-list", "connector-new", "connector-form", "f-external", "checks", "error"}},
		{"/connectors/demo", "Connector", "connectors.js", []string{"connector-props", "connector-verify", "connector-collect", "connector-edit", "connector-delete", "policy-form", "copy-permissions", "copy-trust", "reconcile-form", "reconcile-table"}},
		{"/groups", "Management groups", "groups.js", []string{"group-tree", "move-target", "move", "move-rule", "group-new", "rename-name"}},
		{"/access?scope=mg/root", "Access", "access.js", []string{"access-scope", "direct-assignments", "inherited-assignments", "access-rules", "assign-form"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := h.get(c, tc.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d", tc.path, res.StatusCode)
			}
			for _, want := range append([]string{"<title>" + tc.title + " · Reckon</title>", "/js/" + tc.script + `"`, "/js/layout.js", "/css/admin.css", `id="main"`},
				hookAttrs(tc.hooks)...) {
				if !strings.Contains(res.body, want) {
					t.Errorf("the page lacks %s", want)
				}
			}
			if strings.Contains(res.body, "not built yet") {
				t.Error("the page still says it is not built")
			}
		})
	}
}

func hookAttrs(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = `data-testid="` + id + `"`
	}
	return out
}

func TestTheNavMarksTheManagementPageOpen(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	for path, nav := range map[string]string{"/connectors": "connectors", "/connectors/x": "connectors", "/groups": "groups", "/access": "access"} {
		if body := h.get(c, path).body; !strings.Contains(body, `data-testid="nav-`+nav+`" aria-current="page"`) {
			t.Errorf("%s does not mark the %s link as the page open", path, nav)
		}
	}
}

func TestTheManagementPagesNeedASession(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	for _, path := range []string{"/connectors", "/connectors/demo", "/groups", "/access?scope=mg/root"} {
		res := h.get(c, path)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
			t.Errorf("GET %s without a session = %d to %q, want 303 to /signin", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestPathsBelowAConnectorAreTheAPIs(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	// Only /connectors/{name} is a page; a deeper path is not the UI's.
	if res := h.get(c, "/connectors/demo/verify"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("GET /connectors/demo/verify = %d, CSP %q: want the API's 404", res.StatusCode, res.Header.Get("Content-Security-Policy"))
	}
}
