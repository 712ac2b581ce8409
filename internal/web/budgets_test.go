package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestTheBudgetsPageRendersForASignedInUser(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	res := h.get(c, "/budgets?scope=mg/root")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /budgets = %d", res.StatusCode)
	}
	for _, want := range append([]string{"<title>Budgets · Reckon</title>", "/js/budgets.js\"", "/css/budgets.css\"", "/css/admin.css\"",
		`id="main"`, `id="scope-picker"`, `data-testid="nav-budgets" aria-current="page"`, `id="notification-template"`, `id="confirm-dialog"`, "/vendor/echarts/echarts.min.js\""},
		hookAttrs([]string{"budget-list", "budget-empty", "budget-new", "budget-form", "b-name", "b-amount", "b-currency", "b-grain", "b-start",
			"b-filter", "b-notifications", "b-add-notification", "budget-save", "form-error", "alert-list", "alert-state", "alert-kind", "alert-where", "error", "status"})...) {
		if !strings.Contains(res.body, want) {
			t.Errorf("the budgets page lacks %s", want)
		}
	}
	// The page runs its own script, which has its own scope picker: the
	// layout's would send a chosen scope to cost analysis.
	if strings.Contains(res.body, "/js/layout.js") {
		t.Error("the budgets page loads layout.js, whose picker opens cost analysis")
	}
	if m := inline.FindString(res.body); m != "" {
		t.Errorf("the budgets page has inline script or style, which the CSP refuses: %q", m)
	}
	if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("CSP %q, Cache-Control %q", res.Header.Get("Content-Security-Policy"), res.Header.Get("Cache-Control"))
	}
}

func TestEveryPageLinksToTheBudgetsPage(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	for _, path := range []string{"/analysis", "/connectors", "/groups", "/access"} {
		body := h.get(c, path).body
		if !strings.Contains(body, `<a href="/budgets" data-testid="nav-budgets">Budgets</a>`) {
			t.Errorf("%s has no Budgets link in its nav, or marks it as the page open", path)
		}
	}
}

func TestTheBudgetsPageNeedsASession(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	res := h.get(c, "/budgets?scope=mg/production")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next=%2Fbudgets%3Fscope%3Dmg%2Fproduction" {
		t.Errorf("GET /budgets without a session = %d to %q, want 303 to /signin with the page as next", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestTheBudgetsScriptsAreServed(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	prefix := staticPrefix(t, h.get(c, "/signin").body)
	for _, f := range []string{"/js/budgets.js", "/js/budgetcalc.js", "/js/budgetform.js", "/js/alertlist.js", "/js/budgetchart.js", "/css/budgets.css"} {
		res := h.get(c, prefix+f)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", f, res.StatusCode)
		}
		// DOM built with textContent: no markup from strings.
		if strings.Contains(res.body, "innerHTML") || strings.Contains(res.body, "insertAdjacentHTML") {
			t.Errorf("%s builds markup from strings", f)
		}
	}
}
