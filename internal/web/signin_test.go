package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/web"
)

func TestTheSignInPageHasTheFormThePagesDriveAndNoToken(t *testing.T) {
	h := newHarness(t, false)
	res := h.get(h.browser(), "/signin")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /signin = %d", res.StatusCode)
	}
	for _, want := range []string{`<form method="post" action="/signin">`,
		`<input type="password" name="token" id="token" autocomplete="off"`, `<button id="signin" type="submit"`,
		`<meta name="csrf-token" content="">`, `<main id="main"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the sign-in page lacks %s", want)
		}
	}
}

func TestSigningInSetsAnHttpOnlyStrictSessionCookie(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(map[bool]string{false: "over HTTP, not Secure", true: "over TLS, Secure"}[tls], func(t *testing.T) {
			h := newHarness(t, tls)
			c := h.browser()
			res := h.form(c, "/signin", url.Values{"token": {adminToken}, "next": {"/analysis?scope=mg%2Froot"}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/analysis?scope=mg%2Froot" {
				t.Fatalf("sign-in = %d to %q, want 303 to the page asked for", res.StatusCode, res.Header.Get("Location"))
			}
			cookies := res.Cookies()
			if len(cookies) != 1 {
				t.Fatalf("sign-in set %d cookies, want 1", len(cookies))
			}
			ck := cookies[0]
			if ck.Name != "reckon_session" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure != tls {
				t.Errorf("cookie %s: HttpOnly %v, SameSite %v, Path %q, Secure %v", ck.Name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure)
			}
			if len(ck.Value) != 43 { // 256 bits, base64url
				t.Errorf("the session ID has %d characters, want 43 (256 bits)", len(ck.Value))
			}
			page := h.get(c, "/analysis")
			if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `data-testid="user-name" title="Signed in as admin">admin<`) {
				t.Errorf("GET /analysis signed in = %d without the user's name", page.StatusCode)
			}
			if strings.Contains(page.body, ck.Value) {
				t.Error("the page shows the session ID")
			}
		})
	}
}

func TestAWrongTokenIsRefusedInWordsAndThrottledWithTheAPI(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	wrong := "rkn_0123456789abcdef_" + strings.Repeat("00", 32)
	for i := range 20 {
		res := h.form(c, "/signin", url.Values{"token": {wrong}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, `role="alert"`) ||
			!strings.Contains(res.body, "That token is not valid") {
			t.Fatalf("wrong token %d: %d, %s", i+1, res.StatusCode, res.body)
		}
		if len(res.Cookies()) != 0 {
			t.Fatal("a refused sign-in set a cookie")
		}
	}
	res := h.form(c, "/signin", url.Values{"token": {wrong}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.body, "Too many failed sign-ins") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("the 21st wrong token: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), res.body)
	}
	// The limit is the API's own: its bearer door is throttled too.
	api := h.do(c, "GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + wrong})
	if api.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the API after 21 failed sign-ins = %d, want 429", api.StatusCode)
	}
	h.clock.advance(time.Minute) // one failure's worth of wait, and more
	h.signIn(c)
}

func TestASessionEndsAfterEightIdleHoursOrADayInAll(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		h := newHarness(t, false)
		c := h.browser()
		h.signIn(c)
		h.clock.advance(web.IdleTimeout - time.Minute)
		if res := h.get(c, "/analysis"); res.StatusCode != http.StatusOK {
			t.Fatalf("a minute before the idle expiry: %d", res.StatusCode)
		}
		h.clock.advance(web.IdleTimeout)
		if res := h.get(c, "/analysis"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Fatalf("after 8 idle hours: %d to %q, want 303 to /signin", res.StatusCode, res.Header.Get("Location"))
		}
		if res := h.get(c, "/api/v1/me"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "session has ended") {
			t.Errorf("the API with the ended session's cookie: %d %s", res.StatusCode, res.body)
		}
	})
	t.Run("in use, for a day at most", func(t *testing.T) {
		h := newHarness(t, false)
		c := h.browser()
		h.signIn(c)
		for range 3 {
			h.clock.advance(7 * time.Hour)
			if res := h.get(c, "/api/v1/me"); res.StatusCode != http.StatusOK {
				t.Fatalf("a session used every 7 h, at %s: %d", h.clock.Now(), res.StatusCode)
			}
		}
		h.clock.advance(3 * time.Hour) // 24 h after sign-in
		if res := h.get(c, "/analysis"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("24 h after sign-in: %d, want 303 to /signin", res.StatusCode)
		}
	})
}

func TestSigningOutNeedsTheFormsCSRFTokenAndEndsTheSession(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	csrf := h.csrf(c)
	res := h.form(c, "/signout", url.Values{"csrf": {"not-the-token"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, `role="alert"`) {
		t.Fatalf("sign-out with a wrong CSRF token: %d %s", res.StatusCode, res.body)
	}
	if res := h.form(c, "/signout", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without a CSRF token: %d", res.StatusCode)
	}
	if res := h.get(c, "/api/v1/me"); res.StatusCode != http.StatusOK {
		t.Fatalf("after refused sign-outs the session should live: %d", res.StatusCode)
	}
	old := h.cookie(c)
	res = h.form(c, "/signout", url.Values{"csrf": {csrf}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("sign-out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if h.cookie(c) != "" {
		t.Error("sign-out left the cookie")
	}
	replay := h.do(h.browser(), "GET", "/api/v1/me", nil, map[string]string{"Cookie": web.CookieName + "=" + old})
	if replay.StatusCode != http.StatusUnauthorized {
		t.Errorf("the signed-out session's cookie, replayed: %d, want 401", replay.StatusCode)
	}
}

func TestTheAPITakesTheCookieButNoChangeWithoutTheCSRFHeader(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.signIn(c)
	csrf := h.csrf(c)
	if res := h.get(c, "/api/v1/me"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, `"name": "admin"`) {
		t.Fatalf("GET /api/v1/me with the cookie: %d %s", res.StatusCode, res.body)
	}
	body := `{"id":"eu","name":"Europe"}`
	for name, header := range map[string]map[string]string{
		"without X-CSRF-Token":     {},
		"with another's token":     {"X-CSRF-Token": strings.Repeat("A", 43)},
		"with the token in a form": {"Content-Type": "application/x-www-form-urlencoded"},
	} {
		res := h.do(c, "POST", "/api/v1/managementGroups", strings.NewReader(body), header)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "CSRF token in the X-CSRF-Token header") {
			t.Errorf("a change %s: %d %s", name, res.StatusCode, res.body)
		}
	}
	if res := h.get(c, "/api/v1/scopes"); strings.Contains(res.body, "mg/eu") {
		t.Fatal("a refused change was made")
	}
	res := h.do(c, "POST", "/api/v1/managementGroups", strings.NewReader(body), map[string]string{"X-CSRF-Token": csrf})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("a change with the CSRF header: %d %s", res.StatusCode, res.body)
	}
	if res := h.get(c, "/api/v1/scopes"); !strings.Contains(res.body, `"id": "mg/eu"`) {
		t.Errorf("the group made with the session is not listed: %s", res.body)
	}
	// A bearer token still works beside the cookie, and needs no CSRF token.
	res = h.do(h.browser(), "POST", "/api/v1/managementGroups", strings.NewReader(`{"id":"us"}`), map[string]string{"Authorization": "Bearer " + adminToken})
	if res.StatusCode != http.StatusCreated {
		t.Errorf("a change with the bearer token: %d %s", res.StatusCode, res.body)
	}
}

func TestAPageWithoutASessionGoesToSignInAndBack(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	for _, path := range []string{"/", "/analysis?scope=mg%2Froot&groupBy=ServiceName", "/connectors"} {
		res := h.get(c, path)
		want := "/signin?next=" + url.QueryEscape(path)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("GET %s signed out: %d to %q, want 303 to %q", path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	bogus := h.do(c, "GET", "/analysis", nil, map[string]string{"Cookie": web.CookieName + "=" + strings.Repeat("x", 43)})
	if bogus.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /analysis with an unknown session: %d", bogus.StatusCode)
	}
	for next, want := range map[string]string{"//elsewhere.example/x": "/analysis", "https://elsewhere.example/": "/analysis",
		"/analysis?scope=mg%2Fprod": "/analysis?scope=mg%2Fprod"} {
		res := h.form(h.browser(), "/signin", url.Values{"token": {adminToken}, "next": {next}})
		if res.Header.Get("Location") != want {
			t.Errorf("sign-in with next %q went to %q, want %q", next, res.Header.Get("Location"), want)
		}
	}
}

func TestASignInFromAnotherSiteIsRefused(t *testing.T) {
	h := newHarness(t, false)
	res := h.do(h.browser(), "POST", "/signin", strings.NewReader(url.Values{"token": {adminToken}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://elsewhere.example"})
	if res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 || !strings.Contains(res.body, "another site") {
		t.Errorf("a cross-site sign-in: %d, %d cookies, %s", res.StatusCode, len(res.Cookies()), res.body)
	}
}

func TestTheTokenAndSessionIDAreNeverInAPageAURLOrTheLog(t *testing.T) {
	h := newHarness(t, false)
	c := h.browser()
	h.form(c, "/signin", url.Values{"token": {adminToken + "x"}}) // wrong: the page is shown again
	h.form(c, "/signin", url.Values{"token": {adminToken}, "next": {"/analysis"}})
	for _, path := range []string{"/analysis", "/connectors", "/groups", "/access", "/api/v1/me", "/signin"} {
		h.get(c, path)
	}
	session := h.cookie(c)
	if session == "" {
		t.Fatal("no session")
	}
	for what, text := range map[string]string{"a response": h.seen.String(), "the log": h.logs.String()} {
		if strings.Contains(text, adminToken[:40]) {
			t.Errorf("%s holds the token", what)
		}
	}
	if strings.Contains(h.logs.String(), session) {
		t.Error("the log holds the session ID")
	}
	if !strings.Contains(h.logs.String(), "path=/signin") {
		t.Error("the log has no line for the sign-in: the scan looked at nothing")
	}
}
