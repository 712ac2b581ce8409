package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestServeServesTheWebUIBesideTheAPI signs in to reckon serve's web UI
// with the printed token and reads the API with the session's cookie.
func TestServeServesTheWebUIBesideTheAPI(t *testing.T) {
	base, token, stop := startServe(t, t.TempDir(), nil)
	defer stop()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next=%2F" {
		t.Fatalf("GET / signed out = %d to %q, want 303 to the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}
	req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cookies := res.Cookies()
	if res.StatusCode != http.StatusSeeOther || len(cookies) != 1 || cookies[0].Name != "reckon_session" {
		t.Fatalf("sign-in = %d with %d cookies", res.StatusCode, len(cookies))
	}
	req, _ = http.NewRequest("GET", base+"/api/v1/me", nil)
	req.AddCookie(cookies[0])
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"name": "admin"`) {
		t.Errorf("GET /api/v1/me with the session cookie = %d %s", res.StatusCode, body)
	}
	if code := get(t, base+"/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz beside the UI = %d", code)
	}
}
