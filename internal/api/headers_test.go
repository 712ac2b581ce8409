package api

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	}
	for _, tt := range []struct {
		name, method, path, token string
		status                    int
		noStore                   bool
	}{
		{"a public route", "GET", "/healthz", "", 200, false},
		{"an authenticated answer", "GET", "/api/v1/me", h.admin, 200, true},
		{"a refused token", "GET", "/api/v1/me", "rkn_0123456789abcdef_" + strings.Repeat("0", 64), 401, true},
		{"an unknown path", "GET", "/nowhere", "", 404, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, h.srv.URL+tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if got := resp.Header.Get("Cache-Control"); (got == "no-store") != tt.noStore {
				t.Errorf("Cache-Control: %q (no-store wanted: %v)", got, tt.noStore)
			}
		})
	}
}

func TestARequestBodyOverOneMegabyteIsRefused(t *testing.T) {
	h := newHarness(t)
	big := bytes.Repeat([]byte(" "), 2<<20)
	big = append(append([]byte(`{"id": "x"`), big...), '}')
	for _, path := range []string{"/api/v1/managementGroups", "/api/v1/query"} {
		req, _ := http.NewRequest("POST", h.srv.URL+path, bytes.NewReader(big))
		req.Header.Set("Authorization", "Bearer "+h.admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("POST %s with 2 MB: %d, want 400", path, resp.StatusCode)
		}
	}
}
