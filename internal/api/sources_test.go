package api

import (
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestASourceShowsNoSecretEvenWhenOneIsPastedIn creates Azure export and
// FOCUS sources and checks their answers: the kind and storage are shown,
// active at once without a trial; a SAS token pasted where it does not
// belong (the URL's query, the credential's variable name, an edit) is
// refused without being echoed in any answer or log line.
func TestASourceShowsNoSecretEvenWhenOneIsPastedIn(t *testing.T) {
	h := newHarness(t)
	const sasToken = "sv=2024-08-04&se=2099-01-01T00%3A00%3A00Z&sr=c&sp=rl&sig=Zx9wV8uT7sR6qP5oN4mL3kJ2iH1gF0eD9cB8aZ7yX6w%3D"
	source := map[string]string{"name": "trey", "kind": "azure-export", "storageUrl": "https://treyexports.blob.core.windows.net",
		"container": "cost-exports", "prefix": "exports/reckon", "credentialEnv": "RECKON_TREY_SAS", "defaultManagementGroup": "mg/root"}
	var created struct {
		cost.Connector
		TrialDaysLeft int
	}
	if got := h.do(h.admin, "POST", "/api/v1/connectors", source, &created); got != 201 {
		t.Fatalf("create: %d", got)
	}
	if created.Kind != cost.ConnectorAzureExport || created.State != cost.StateActive || created.TrialDaysLeft != 0 || created.CredentialType != "sas" {
		t.Errorf("created %+v, want an active azure-export source with a SAS credential", created)
	}
	for name, change := range map[string]map[string]string{
		"a SAS in the URL":             {"name": "leak1", "storageUrl": "https://treyexports.blob.core.windows.net/?" + sasToken},
		"a SAS as the variable's name": {"name": "leak2", "credentialEnv": sasToken},
		"an external ID on a source":   {"name": "leak3", "externalId": sasToken},
		"the same storage and prefix":  {"name": "twin"},
	} {
		body := map[string]string{}
		for k, v := range source {
			body[k] = v
		}
		for k, v := range change {
			body[k] = v
		}
		if got := h.do(h.admin, "POST", "/api/v1/connectors", body, nil); got != 400 && got != 409 {
			t.Errorf("%s: %d, want it refused", name, got)
		}
	}
	if got := h.do(h.admin, "PATCH", "/api/v1/connectors/trey", map[string]string{"credentialEnv": sasToken}, nil); got != 400 {
		t.Errorf("an edit pasting the SAS: %d, want 400", got)
	}
	if got := h.do(h.admin, "PATCH", "/api/v1/connectors/trey", map[string]string{"storageUrl": "https://other.blob.core.windows.net"}, nil); got != 400 {
		t.Errorf("an edit moving the source to another account: %d, want 400", got)
	}
	focus := map[string]string{"name": "focus", "kind": "focus", "storageUrl": "http://127.0.0.1:10000/devstoreaccount1",
		"container": "focus-files", "credentialEnv": "RECKON_FOCUS_KEY", "credentialType": "key"}
	if got := h.do(h.admin, "POST", "/api/v1/connectors", focus, nil); got != 201 {
		t.Errorf("a FOCUS source on Azurite with an account key: %d", got)
	}
	for _, path := range []string{"/api/v1/connectors", "/api/v1/connectors/trey", "/api/v1/connectors/focus", "/api/v1/auditLog", "/api/v1/scopes"} {
		if got := h.do(h.admin, "GET", path, nil, nil); got != 200 {
			t.Errorf("GET %s: %d", path, got)
		}
	}
	seen := h.seen.String() + h.logs.String()
	for _, secret := range []string{sasToken, "Zx9wV8uT7sR6qP5oN4mL3kJ2iH1gF0eD9cB8aZ7yX6w", "sig="} {
		if strings.Contains(seen, secret) {
			t.Errorf("%q appears in an answer or the log", secret)
		}
	}
	for _, want := range []string{`"kind": "azure-export"`, `"credentialEnv": "RECKON_TREY_SAS"`, `"kind": "focus"`, `"container": "cost-exports"`} {
		if !strings.Contains(h.seen.String(), want) {
			t.Errorf("no answer shows %s", want)
		}
	}
}
