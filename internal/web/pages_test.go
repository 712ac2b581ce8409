package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestEveryUIAnswerCarriesTheSecurityHeaders(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	signedOut := map[string]response{"the sign-in page": h.get(c, "/signin"), "a redirect to sign in": h.get(c, "/analysis")}
	h.signIn(c)
	pages := map[string]response{"cost analysis": h.get(c, "/analysis"), "the groups page": h.get(c, "/groups")}
	prefix := staticPrefix(t, pages["cost analysis"].body)
	pages["a script"] = h.get(c, prefix+"/js/analysis.js")
	for k, v := range signedOut {
		pages[k] = v
	}
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"X-Frame-Options":         "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
	}
	for name, res := range pages {
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
	}
}

var inline = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle=|\son[a-z]+=`)

func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	bodies := []string{h.get(c, "/signin").body}
	h.signIn(c)
	for _, p := range []string{"/analysis", "/connectors", "/groups", "/access", "/budgets"} {
		res := h.get(c, p)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", p, res.StatusCode)
		}
		bodies = append(bodies, res.body)
	}
	for _, b := range bodies {
		if m := inline.FindString(b); m != "" {
			t.Errorf("a page has inline script or style, which the CSP refuses: %q", m)
		}
	}
}

func TestTheAnalysisPageHasItsTestHooks(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	body := h.get(c, "/analysis").body
	for _, id := range []string{"preset", "granularity", "cost-type", "group-by", "add-filter", "chart", "donut", "table",
		"csv-table", "csv-rows", "kpi-total", "scope-picker", "view-select", "view-save", "view-save-as", "view-rename", "signout"} {
		if !strings.Contains(body, `data-testid="`+id+`"`) {
			t.Errorf("no data-testid=%q", id)
		}
	}
	for _, id := range []string{`id="scope-picker"`, `id="total"`, `id="table"`, `id="main"`, `class="skip" href="#main"`,
		`<option value="ServiceName">`, `<meta name="reckon-today" content="2026-11-25">`} {
		if !strings.Contains(body, id) {
			t.Errorf("the page lacks %s", id)
		}
	}
}

var staticRe = regexp.MustCompile(`"(/static/[0-9a-f]{12})/css/base.css"`)

func staticPrefix(t *testing.T, page string) string {
	t.Helper()
	m := staticRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page names no hashed static prefix")
	}
	return m[1]
}

func TestStaticAssetsHaveTheirTypeAndAreCachedForAYear(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	prefix := staticPrefix(t, h.get(c, "/signin").body)
	for path, ctype := range map[string]string{
		"/js/analysis.js": "text/javascript; charset=utf-8", "/css/base.css": "text/css; charset=utf-8",
		"/vendor/echarts/echarts.min.js": "text/javascript; charset=utf-8", "/vendor/echarts/LICENSE": "text/plain; charset=utf-8",
		"/img/icon.svg": "image/svg+xml",
	} {
		res := h.get(c, prefix+path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != ctype {
			t.Errorf("%s: %d, %q, want 200 %q", path, res.StatusCode, res.Header.Get("Content-Type"), ctype)
		}
		if res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("ETag") == "" {
			t.Errorf("%s: Cache-Control %q, ETag %q", path, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
		}
		again := h.do(c, "GET", prefix+path, nil, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		if again.StatusCode != http.StatusNotModified || again.body != "" {
			t.Errorf("%s with its ETag: %d, want 304", path, again.StatusCode)
		}
	}
	if res := h.get(c, "/static/000000000000/js/analysis.js"); res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("an asset under another build's prefix: %d, Cache-Control %q, want 200 no-cache", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res := h.get(c, prefix+"/js/nothing.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a missing asset: %d", res.StatusCode)
	}
	if res := h.get(c, prefix+"/vendor/echarts/echarts.min.js"); !strings.Contains(res.body, "Apache") || len(res.body) < 500_000 {
		t.Errorf("echarts.min.js is %d bytes", len(res.body))
	}
}

func TestScriptsAreSentGzippedToBrowsersThatTakeIt(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	prefix := staticPrefix(t, h.get(c, "/signin").body)
	plain := h.get(c, prefix+"/vendor/echarts/echarts.min.js")
	req, _ := http.NewRequest("GET", h.srv.URL+prefix+"/vendor/echarts/echarts.min.js", nil)
	req.Header.Set("Accept-Encoding", "gzip") // set by hand, so the client does not inflate it
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil || string(b) != plain.body {
		t.Errorf("the gzipped script inflates to %d bytes, the plain one has %d (%v)", len(b), len(plain.body), err)
	}
}

func TestEveryOtherPathIsTheAPIsUntouched(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	// An Azure SDK puts the scope's own leading slash after the endpoint's.
	res := h.do(c, "POST", "//subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CostManagement/query?api-version=2023-03-01",
		strings.NewReader("{}"), nil)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, `"code": "Unauthenticated"`) {
		t.Errorf("the Azure door's path with two slashes: %d %s, want the API's 401", res.StatusCode, res.body)
	}
	for _, path := range []string{"/healthz", "/api/v1/openapi.json"} {
		if res := h.get(c, path); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", path, res.StatusCode)
		}
	}
	if res := h.get(c, "/nothing"); res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" {
		t.Errorf("GET /nothing = %d with CSP %q, want the API's 404", res.StatusCode, res.Header.Get("Content-Security-Policy"))
	}
}
