package api

import (
	"strings"
	"testing"
)

// TestSetupPolicyAndReconcileSayWhoMayAndWhatTheServerCannot covers the
// rights on the two routes and their refusals in words, on a server without
// an AWS side (cmd/reckon's tests run them against the emulator).
func TestSetupPolicyAndReconcileSayWhoMayAndWhatTheServerCannot(t *testing.T) {
	h := newHarness(t)
	const ext = "Zx7cVb3nMq9wEr5tYu1iOp6aSd2fGh8j"
	if got := h.do(h.admin, "POST", "/api/v1/connectors", map[string]string{"name": "acme", "roleArn": "arn:aws:iam::012345678901:role/reckon",
		"externalId": ext, "reportName": "reckon"}, nil); got != 201 {
		t.Fatalf("create: %d", got)
	}
	if got := h.do(h.admin, "POST", "/api/v1/connectors", map[string]any{"name": "blobs", "kind": "azure-export",
		"storageUrl": "https://acct.blob.core.windows.net", "container": "exports", "credentialEnv": "RECKON_SAS"}, nil); got != 201 {
		t.Fatalf("create a source: %d", got)
	}
	reader := h.userWith("rita", "Reader", "connectors/acme")
	contributor := h.userWith("carl", "Contributor", "connectors/acme")
	stranger := h.userWith("sam", "Reader", "mg/root") // mg/root does not reach a connector
	for _, tc := range []struct {
		name, token, method, path string
		status                    int
		says                      string
	}{
		{"a Reader of the connector is told the server writes no policies", reader, "GET", "/api/v1/connectors/acme/setupPolicy?bucket=billing", 409, "reckon aws setup-policy"},
		{"a Reader of the connector may not reconcile", reader, "POST", "/api/v1/connectors/acme/reconcile", 403, ""},
		{"a user without a role on the connector may not read its policies", stranger, "GET", "/api/v1/connectors/acme/setupPolicy?bucket=billing", 403, ""},
		{"the administrator is told the server does not reconcile", h.admin, "POST", "/api/v1/connectors/acme/reconcile", 409, "does not reconcile"},
		{"a source has no setup policy", h.admin, "GET", "/api/v1/connectors/blobs/setupPolicy?bucket=billing", 400, "only an AWS connector"},
		{"a source has no Cost Explorer", h.admin, "POST", "/api/v1/connectors/blobs/reconcile", 400, "only an AWS connector"},
		{"a Contributor is told the server does not reconcile", contributor, "POST", "/api/v1/connectors/acme/reconcile", 409, "does not reconcile"},
		{"no token, no answer", "", "GET", "/api/v1/connectors/acme/setupPolicy?bucket=billing", 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body ErrorBody
			if got := h.do(tc.token, tc.method, tc.path, nil, &body); got != tc.status || !strings.Contains(body.Error.Message, tc.says) {
				t.Errorf("%s %s = %d %q, want %d saying %q", tc.method, tc.path, got, body.Error.Message, tc.status, tc.says)
			}
		})
	}
	if strings.Contains(h.seen.String()+h.logs.String(), ext) {
		t.Error("the external ID appears in a response or the log")
	}
}
