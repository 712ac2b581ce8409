package api

import (
	"strings"
	"testing"
)

// TestNoSecretInAnyResponseOrLogLine creates, reads, edits and audits a
// connector through the API and scans every response body and log line for
// its external IDs and the tokens.
func TestNoSecretInAnyResponseOrLogLine(t *testing.T) {
	h := newHarness(t)
	const first, second = "Qw8eRt5yUi2oPa7sDf4gHj1kLz9xCv3b", "Mn6bVc1xZl4kJh7gFd2sAp9oIu5yTr8e"
	if got := h.do(h.admin, "POST", "/api/v1/connectors", map[string]string{"name": "acme", "roleArn": "arn:aws:iam::012345678901:role/reckon",
		"externalId": first, "reportName": "reckon"}, nil); got != 201 {
		t.Fatalf("create: %d", got)
	}
	// A bad external ID is refused without echoing it.
	h.do(h.admin, "POST", "/api/v1/connectors", map[string]string{"name": "bad", "roleArn": "arn:aws:iam::012345678902:role/reckon",
		"externalId": "short-" + second[:4], "reportName": "reckon"}, nil)
	h.do(h.admin, "PATCH", "/api/v1/connectors/acme", map[string]string{"externalId": second}, nil)
	for _, path := range []string{"/api/v1/connectors", "/api/v1/connectors/acme", "/api/v1/auditLog", "/api/v1/scopes", "/api/v1/me", "/api/v1/users"} {
		if got := h.do(h.admin, "GET", path, nil, nil); got != 200 {
			t.Errorf("GET %s: %d", path, got)
		}
	}
	h.do("", "GET", "/metrics", nil, nil)
	seen := h.seen.String() + h.logs.String()
	for name, secret := range map[string]string{"the first external ID": first, "the second external ID": second,
		"a bad external ID": "short-" + second[:4], "the admin token": h.admin} {
		if strings.Contains(seen, secret) {
			t.Errorf("%s appears in a response or the log", name)
		}
	}
	if !strings.Contains(h.seen.String(), `"roleArn": "arn:aws:iam::012345678901:role/reckon"`) {
		t.Error("the scan saw no connector: it would pass vacuously")
	}
}
