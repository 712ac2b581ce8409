package notify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxURLLength is the longest webhook URL ValidateURL accepts, in bytes.
const MaxURLLength = 2048

// ValidateURL checks that s can be a webhook URL: absolute http or https,
// with a host, at most MaxURLLength bytes, and no userinfo (a password in
// a URL is shown wherever the URL is). Its errors never quote the query
// string, which may hold a token.
func ValidateURL(s string) error {
	_, err := parseURL(s)
	return err
}

func parseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("webhook URL is empty")
	}
	if len(s) > MaxURLLength {
		return nil, fmt.Errorf("webhook URL is %d bytes, more than %d", len(s), MaxURLLength)
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Error quotes the whole URL, query included: keep only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("webhook URL does not parse: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("webhook URL must start with https:// or http://, not %q", clip(u.Scheme))
	}
	if u.User != nil {
		return nil, errors.New("webhook URL has a user name or password before the host: remove it (it would be shown wherever the URL is), and authenticate by the signature or a token in the query string")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, errors.New("webhook URL has no host: write it as https://host/path")
	}
	return u, nil
}

// redactURL is u without userinfo, query string or fragment: what
// Delivery.URL and error texts show.
func redactURL(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}

// redactText replaces the raw URL, and its query string, wherever they
// appear in s (as net/http's errors quote the URL).
func redactText(s, raw string, u *url.URL) string {
	red := redactURL(u)
	s = strings.ReplaceAll(s, raw, red)
	if u.RawQuery != "" {
		s = strings.ReplaceAll(s, "?"+u.RawQuery, "")
	}
	return s
}
