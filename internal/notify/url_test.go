package notify

import (
	"net/url"
	"strings"
	"testing"
)

func TestValidateURL(t *testing.T) {
	for _, tc := range []struct {
		name, url, want string // want "" for valid
	}{
		{"an https URL is valid", "https://hooks.example.com/reckon", ""},
		{"an http URL with a port and a query is valid", "http://127.0.0.1:8080/hook?token=abc", ""},
		{"an empty URL is named", "", "webhook URL is empty"},
		{"another scheme is refused", "ftp://example.com/hook", `not "ftp"`},
		{"a URL without a scheme is refused", "hooks.example.com/reckon", "https:// or http://"},
		{"a URL without a host is refused", "https:///hook", "no host"},
		{"an opaque URL is refused", "https:hooks.example.com", "no host"},
		{"userinfo is refused", "https://user:pw@example.com/hook", "user name or password"},
		{"a user name alone is refused", "https://user@example.com/hook", "user name or password"},
		{"a URL over 2048 bytes is refused", "https://example.com/" + strings.Repeat("a", 2048), "more than 2048"},
		{"a parse error does not quote the query", "https://example.com/\x7f?token=abc-secret", "does not parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateURL(tc.url)
			if tc.want == "" {
				if err != nil {
					t.Errorf("ValidateURL: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "abc-secret") {
				t.Errorf("ValidateURL: %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"https://example.com/a?token=x", "http://u:p@h/", "http://[::1]:80/%zz", "https://h/p#f?x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateURL(s)
		if err != nil {
			if _, q, ok := strings.Cut(s, "?"); ok && q != "" && strings.Contains(err.Error(), "?"+q) {
				t.Errorf("error %q quotes the query", err)
			}
			return
		}
		u, _ := url.Parse(s)
		red := redactURL(u)
		if err := ValidateURL(red); err != nil {
			t.Errorf("redacted %q of %q is not valid: %v", red, s, err)
		}
		if r, err := url.Parse(red); err != nil || r.RawQuery != "" || r.Fragment != "" || r.User != nil || r.Host != u.Host {
			t.Errorf("redacted %q of %q keeps a query, fragment or userinfo, or loses the host", red, s)
		}
	})
}
