package api

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// newConnector creates the connector acme through the API.
func newConnector(t *testing.T, h *harness) {
	t.Helper()
	if got := h.do(h.admin, "POST", "/api/v1/connectors", map[string]string{"name": "acme", "roleArn": "arn:aws:iam::012345678901:role/reckon",
		"externalId": "Qw8eRt5yUi2oPa7sDf4gHj1kLz9xCv3b", "reportName": "reckon"}, nil); got != 201 {
		t.Fatalf("create the connector: %d", got)
	}
}

func TestNamesWithControlCharactersOrTooLongAreRefused(t *testing.T) {
	h := newHarness(t)
	newConnector(t, h)
	if got := h.do(h.admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "prod"}, nil); got != 201 {
		t.Fatalf("create prod: %d", got)
	}
	const sub = "0b1f6471-1bf0-4dda-aec3-111122223333"
	for _, bad := range []struct{ name, value, want string }{
		{"a newline", "Prod\nmg/root  Tenant Root Group  Owner", "U+000A at character 5"},
		{"an ANSI escape", "\x1b[2J\x1b[31mProd", "U+001B at character 1"},
		{"a NUL", "Prod\x00", "U+0000 at character 5"},
		{"a C1 control", "Prod\u009b", "U+009B"},
		{"257 characters", strings.Repeat("a", 257), "has 257 characters; the most is 256"},
		{"500 KB", strings.Repeat("a", 500<<10), "has 512000 characters"},
	} {
		for _, call := range []struct {
			what, method, path string
			body               map[string]string
		}{
			{"create a group", "POST", "/api/v1/managementGroups", map[string]string{"id": "g", "name": bad.value}},
			{"rename a group", "PATCH", "/api/v1/managementGroups/prod", map[string]string{"name": bad.value}},
			{"create a subscription", "POST", "/api/v1/subscriptions", map[string]string{"id": sub, "name": bad.value}},
			{"create a connector", "POST", "/api/v1/connectors", map[string]string{"name": "other", "displayName": bad.value,
				"roleArn": "arn:aws:iam::012345678902:role/reckon", "externalId": "Qw8eRt5yUi2oPa7sDf4gHj1kLz9xCv3b", "reportName": "reckon"}},
			{"edit a connector", "PATCH", "/api/v1/connectors/acme", map[string]string{"displayName": bad.value}},
		} {
			t.Run(call.what+" with "+bad.name+" is refused", func(t *testing.T) {
				var e ErrorBody
				if got := h.do(h.admin, call.method, call.path, call.body, &e); got != 400 || e.Error.Code != cost.EInvalid ||
					!strings.Contains(e.Error.Message, "display name") || !strings.Contains(e.Error.Message, bad.want) {
					t.Errorf("%d %+v, want 400 Invalid about the display name with %q", got, e, bad.want)
				}
			})
		}
	}
	var e ErrorBody
	if got := h.do(h.admin, "PATCH", "/api/v1/connectors/acme", map[string]string{"displayName": ""}, &e); got != 400 {
		t.Errorf("an empty display name: %d %+v, want 400", got, e)
	}
	var scopes struct{ Value []ScopeView }
	h.do(h.admin, "GET", "/api/v1/scopes", nil, &scopes)
	if len(scopes.Value) != 3 { // acme, mg/prod, mg/root
		t.Errorf("refused names left scopes: %+v", scopes.Value)
	}
	for _, s := range scopes.Value {
		if s.Name != strings.TrimPrefix(string(s.ID), "connectors/") && s.Name != "prod" && s.Name != cost.RootGroupName {
			t.Errorf("%s is named %.40q", s.ID, s.Name)
		}
	}
	// A good display name reaches the connector's scope too.
	if got := h.do(h.admin, "PATCH", "/api/v1/connectors/acme", map[string]string{"displayName": "Acme – AWS 🌍"}, nil); got != 200 {
		t.Fatalf("rename the connector: %d", got)
	}
	h.do(h.admin, "GET", "/api/v1/scopes", nil, &scopes)
	if scopes.Value[0].ID != "connectors/acme" || scopes.Value[0].Name != "Acme – AWS 🌍" {
		t.Errorf("the connector's scope after the rename: %+v", scopes.Value[0])
	}
}

func TestManagementGroupIDsDifferingOnlyInCaseConflict(t *testing.T) {
	h := newHarness(t)
	if got := h.do(h.admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "PROD"}, nil); got != 201 {
		t.Fatalf("create PROD: %d", got)
	}
	var e ErrorBody
	for _, id := range []string{"prod", "Prod", "ROOT"} {
		got := h.do(h.admin, "POST", "/api/v1/managementGroups", map[string]string{"id": id}, &e)
		want := "mg/PROD"
		if id == "ROOT" {
			want = "mg/root"
		}
		if got != 409 || e.Error.Code != cost.EConflict || !strings.Contains(e.Error.Message, want) {
			t.Errorf("create mg/%s: %d %+v, want 409 naming %s", id, got, e, want)
		}
	}
	var scopes struct{ Value []ScopeView }
	if h.do(h.admin, "GET", "/api/v1/scopes", nil, &scopes); len(scopes.Value) != 2 || scopes.Value[0].ID != "mg/PROD" {
		t.Errorf("scopes: %+v, want mg/PROD (its case kept) and mg/root", scopes.Value)
	}
}

// A 900 KB input is quoted in its error by a short prefix, wherever it goes.
func TestErrorsEchoABoundedPrefixOfTheInput(t *testing.T) {
	h := newHarness(t)
	newConnector(t, h)
	h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": "bo"}, nil)
	huge := strings.Repeat("A", 900<<10)
	for _, call := range []struct {
		what, method, path string
		body               any
	}{
		{"a group id", "POST", "/api/v1/managementGroups", map[string]string{"id": huge}},
		{"a parent", "POST", "/api/v1/managementGroups", map[string]string{"id": "g", "parent": "mg/" + huge}},
		{"a group id in the path", "PATCH", "/api/v1/managementGroups/" + strings.Repeat("A", 60<<10), map[string]string{"name": "x"}},
		{"a new parent", "POST", "/api/v1/managementGroups/root/move", map[string]string{"parent": huge}},
		{"a scope to move", "POST", "/api/v1/managementGroups/root/children", map[string][]string{"scopes": {huge}}},
		{"a subscription id", "POST", "/api/v1/subscriptions", map[string]string{"id": huge}},
		{"a subscription's group", "POST", "/api/v1/subscriptions", map[string]string{"id": "0b1f6471-1bf0-4dda-aec3-111122223333", "group": huge}},
		{"a user name", "POST", "/api/v1/users", map[string]string{"name": huge}},
		{"an assignment's scope", "POST", "/api/v1/roleAssignments", map[string]string{"user": "bo", "role": "Reader", "scope": huge}},
		{"an assignment's user", "POST", "/api/v1/roleAssignments", map[string]string{"user": huge, "role": "Reader", "scope": "mg/root"}},
		{"a removed assignment's user", "DELETE", "/api/v1/roleAssignments?" + url.Values{"user": {strings.Repeat("u", 60<<10)},
			"role": {"Reader"}, "scope": {"mg/root"}}.Encode(), nil},
		{"a scope to list", "GET", "/api/v1/roleAssignments?scope=" + strings.Repeat("s", 60<<10), nil},
		{"an unknown field", "POST", "/api/v1/managementGroups", map[string]string{"id": "g", huge: "x"}},
		{"a role ARN", "POST", "/api/v1/connectors", map[string]string{"name": "c", "roleArn": huge, "externalId": "Qw8eRt5yUi2oPa7sDf4gHj1kLz9xCv3b", "reportName": "r"}},
		{"a default group", "PATCH", "/api/v1/connectors/acme", map[string]string{"defaultManagementGroup": huge}},
		{"a billing subscription", "PATCH", "/api/v1/connectors/acme", map[string]string{"billingSubscription": huge}},
		{"a report name", "PATCH", "/api/v1/connectors/acme", map[string]string{"reportName": huge}},
	} {
		t.Run(call.what, func(t *testing.T) {
			var e ErrorBody
			before := h.seen.Len()
			got := h.do(h.admin, call.method, call.path, call.body, &e)
			if got < 400 || got >= 500 {
				t.Errorf("%d %+v, want a 4xx", got, e)
			}
			if n := h.seen.Len() - before; n > 1024 {
				t.Errorf("the %d answer has %d bytes: %.200s…", got, n, e.Error.Message)
			}
		})
	}
}

// Names from AWS (Organizations, CUR rows) are cleaned, not refused: a
// collection must not fail over an account's name.
func TestAccountNamesFromAWSAreCleaned(t *testing.T) {
	h := newHarness(t)
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		_, err := cost.RegisterAccounts(ctx, tx, cost.Registration{
			BillingAccount: cost.Account{ID: "aws/billing/111111111111", Name: "Payer\x1b]0;owned\x07"},
			Accounts: []cost.Account{
				{ID: "aws/accounts/222222222222", Name: "dev\r\nmg/root  Tenant Root Group  Owner"},
				{ID: "aws/accounts/333333333333", Name: strings.Repeat("long", 1000), Status: "ACTIVE\x00"},
			}})
		must(t, err)
	})
	var scopes struct{ Value []ScopeView }
	h.do(h.admin, "GET", "/api/v1/scopes", nil, &scopes)
	want := map[cost.ScopeID]string{
		"aws/billing/111111111111":  "Payer\ufffd]0;owned\ufffd",
		"aws/accounts/222222222222": "dev  mg/root  Tenant Root Group  Owner",
		"aws/accounts/333333333333": strings.Repeat("long", 64),
	}
	for _, s := range scopes.Value {
		if w, ok := want[s.ID]; ok && s.Name != w {
			t.Errorf("%s is named %.80q, want %.80q", s.ID, s.Name, w)
		}
		if s.ID == "aws/accounts/333333333333" && s.Status != "ACTIVE\ufffd" {
			t.Errorf("%s has the status %q", s.ID, s.Status)
		}
	}
}
