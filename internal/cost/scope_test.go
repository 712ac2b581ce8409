package cost

import (
	"slices"
	"strings"
	"testing"
)

func TestParseScopeID(t *testing.T) {
	tests := []struct {
		name, in string
		want     ScopeID // "" when the ID is refused
		kind     ScopeKind
	}{
		{"the root group parses", "mg/root", RootGroup, KindManagementGroup},
		{"a group with Azure's punctuation parses", "mg/Finance_(EU)-2.0", "mg/Finance_(EU)-2.0", KindManagementGroup},
		{"a subscription GUID parses", "azure/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333",
			"azure/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333", KindSubscription},
		{"an upper-case subscription GUID is lowered", "azure/subscriptions/0B1F6471-1BF0-4DDA-AEC3-111122223333",
			"azure/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333", KindSubscription},
		{"a payer account parses", "aws/billing/123456789012", "aws/billing/123456789012", KindBillingAccount},
		{"a linked account keeps its leading zeros", "aws/accounts/000123456789", "aws/accounts/000123456789", KindLinkedAccount},
		{"a payer account keeps its leading zeros", "aws/billing/000000000001", "aws/billing/000000000001", KindBillingAccount},
		{"a connector parses", "connectors/prod-aws", "connectors/prod-aws", KindConnector},

		{"an empty ID is refused", "", "", ""},
		{"an unknown prefix is refused", "gcp/projects/x", "", ""},
		{"a bare prefix is refused", "mg/", "", ""},
		{"a group with a slash is refused", "mg/a/b", "", ""},
		{"a group ending in a dot is refused", "mg/a.", "", ""},
		{"a group of 91 characters is refused", "mg/" + strings.Repeat("a", 91), "", ""},
		{"a short GUID is refused", "azure/subscriptions/0b1f6471", "", ""},
		{"a GUID with a non-hex digit is refused", "azure/subscriptions/0b1f6471-1bf0-4dda-aec3-11112222333g", "", ""},
		{"an 11-digit account is refused", "aws/accounts/12345678901", "", ""},
		{"a 13-digit account is refused", "aws/accounts/1234567890123", "", ""},
		{"an account with a letter is refused", "aws/accounts/12345678901a", "", ""},
		{"an account number written as a number loses its zeros and is refused", "aws/accounts/123456789", "", ""},
		{"a connector with upper case is refused", "connectors/Prod", "", ""},
		{"a connector starting with a hyphen is refused", "connectors/-prod", "", ""},
		{"a connector with a space is refused", "connectors/prod aws", "", ""},
		{"a leading slash is refused", "/mg/root", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScopeID(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseScopeID(%q) = %q, want an error", tt.in, got)
				}
				if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "aws/accounts/<12-digit account id>") {
					t.Errorf("error %q is not an Invalid that names the expected forms", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || got.Kind() != tt.kind {
				t.Errorf("ParseScopeID(%q) = %q (%s), want %q (%s)", tt.in, got, got.Kind(), tt.want, tt.kind)
			}
		})
	}
}

func TestScopeConstructors(t *testing.T) {
	mustID := func(id ScopeID, err error) ScopeID {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for _, tt := range []struct {
		got, want ScopeID
		key       string
	}{
		{mustID(ManagementGroupID("root")), RootGroup, "root"},
		{mustID(SubscriptionID("0b1f6471-1bf0-4dda-aec3-111122223333")), "azure/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333", "0b1f6471-1bf0-4dda-aec3-111122223333"},
		{mustID(BillingAccountID("012345678901")), "aws/billing/012345678901", "012345678901"},
		{mustID(LinkedAccountID("000000000042")), "aws/accounts/000000000042", "000000000042"},
		{mustID(ConnectorID("prod")), "connectors/prod", "prod"},
	} {
		if tt.got != tt.want || tt.got.Key() != tt.key {
			t.Errorf("got %q key %q, want %q key %q", tt.got, tt.got.Key(), tt.want, tt.key)
		}
	}
	if _, err := LinkedAccountID("42"); ErrorCode(err) != EInvalid {
		t.Errorf("LinkedAccountID(42) error = %v, want Invalid", err)
	}
}

// testTree builds root → finance → {eu, us}, a subscription in eu, and a
// connector whose payer has linked accounts in us and at the root.
func testTree(t *testing.T) *Hierarchy {
	t.Helper()
	h := NewHierarchy()
	for _, s := range []Scope{
		{ID: "mg/finance"},
		{ID: "mg/eu", Group: "mg/finance"},
		{ID: "mg/us", Group: "mg/finance"},
		{ID: "azure/subscriptions/00000000-0000-0000-0000-000000000001", Group: "mg/eu"},
		{ID: "connectors/prod"},
		{ID: "aws/billing/000000000001", Connector: "connectors/prod"},
		{ID: "aws/accounts/000000000002", Group: "mg/us", BillingAccount: "aws/billing/000000000001", Connector: "connectors/prod"},
		{ID: "aws/accounts/000000000003", BillingAccount: "aws/billing/000000000001", Connector: "connectors/prod"},
	} {
		if err := h.Add(s); err != nil {
			t.Fatalf("Add(%s): %v", s.ID, err)
		}
	}
	return h
}

const (
	sub1  ScopeID = "azure/subscriptions/00000000-0000-0000-0000-000000000001"
	payer ScopeID = "aws/billing/000000000001"
	acct2 ScopeID = "aws/accounts/000000000002"
	acct3 ScopeID = "aws/accounts/000000000003"
	prod  ScopeID = "connectors/prod"
)

func TestHierarchy(t *testing.T) {
	t.Run("a new hierarchy holds the Tenant Root Group", func(t *testing.T) {
		s, ok := NewHierarchy().Scope(RootGroup)
		if !ok || s.Name != RootGroupName {
			t.Errorf("root = %+v, %v", s, ok)
		}
	})
	t.Run("a scope without a group goes to the root", func(t *testing.T) {
		if s, _ := testTree(t).Scope(acct3); s.Group != RootGroup {
			t.Errorf("group = %q, want the root", s.Group)
		}
	})
	t.Run("adding a group under a missing parent is refused", func(t *testing.T) {
		err := testTree(t).Add(Scope{ID: "mg/x", Group: "mg/nope"})
		if ErrorCode(err) != ENotFound {
			t.Errorf("error = %v, want NotFound", err)
		}
	})
	t.Run("adding a scope twice is refused", func(t *testing.T) {
		if err := testTree(t).Add(Scope{ID: "mg/eu"}); ErrorCode(err) != EConflict {
			t.Errorf("error = %v, want Conflict", err)
		}
	})
	t.Run("accounts loaded from files need no connector", func(t *testing.T) {
		h := testTree(t)
		if err := h.Add(Scope{ID: "aws/billing/000000000008"}); err != nil {
			t.Errorf("a billing account without a connector: %v", err)
		}
		if err := h.Add(Scope{ID: "aws/accounts/000000000009", BillingAccount: "aws/billing/000000000008"}); err != nil {
			t.Errorf("a linked account without a connector: %v", err)
		}
		if err := h.Add(Scope{ID: "aws/accounts/000000000010", BillingAccount: payer, Connector: "connectors/nope"}); ErrorCode(err) != ENotFound {
			t.Errorf("naming a connector that does not exist: %v, want NotFound", err)
		}
	})
	t.Run("a linked account needs its billing account, and a named connector must be one", func(t *testing.T) {
		h := testTree(t)
		if err := h.Add(Scope{ID: "aws/accounts/000000000009", Connector: prod}); ErrorCode(err) != ENotFound {
			t.Errorf("without billing account: %v, want NotFound", err)
		}
		if err := h.Add(Scope{ID: "aws/accounts/000000000009", BillingAccount: payer, Connector: "mg/eu"}); ErrorCode(err) != EInvalid {
			t.Errorf("with a group as connector: %v, want Invalid", err)
		}
	})
	t.Run("a group cannot move below itself", func(t *testing.T) {
		h := testTree(t)
		for _, parent := range []ScopeID{"mg/finance", "mg/eu"} {
			err := h.MoveGroup("mg/finance", parent)
			if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "cycle") {
				t.Errorf("MoveGroup(finance, %s) = %v, want an Invalid that says cycle", parent, err)
			}
		}
		if s, _ := h.Scope("mg/finance"); s.Group != RootGroup {
			t.Errorf("finance moved to %s", s.Group)
		}
	})
	t.Run("the root cannot move", func(t *testing.T) {
		if err := testTree(t).MoveGroup(RootGroup, "mg/eu"); ErrorCode(err) != EInvalid {
			t.Errorf("error = %v, want Invalid", err)
		}
	})
	t.Run("a group moves with what it holds", func(t *testing.T) {
		h := testTree(t)
		if err := h.MoveGroup("mg/eu", "mg/us"); err != nil {
			t.Fatal(err)
		}
		if got := h.Covered("mg/us"); !slices.Equal(got, []ScopeID{acct2, sub1}) {
			t.Errorf("us covers %v", got)
		}
	})
	t.Run("a bulk move with one bad ID moves nothing", func(t *testing.T) {
		h := testTree(t)
		for _, bad := range []ScopeID{"aws/accounts/999999999999", payer, "mg/us"} {
			err := h.Move([]ScopeID{acct3, sub1, bad}, "mg/us")
			if err == nil || !strings.Contains(err.Error(), "nothing was moved") {
				t.Errorf("Move with %s: %v, want an error saying nothing moved", bad, err)
			}
			for _, id := range []ScopeID{acct3, sub1} {
				if s, _ := h.Scope(id); s.Group == "mg/us" {
					t.Errorf("%s moved despite %s", id, bad)
				}
			}
		}
	})
	t.Run("a bulk move moves every scope", func(t *testing.T) {
		h := testTree(t)
		if err := h.Move([]ScopeID{acct3, sub1}, "mg/us"); err != nil {
			t.Fatal(err)
		}
		if got := h.Children("mg/us"); !slices.Equal(got, []ScopeID{acct2, acct3, sub1}) {
			t.Errorf("us holds %v", got)
		}
	})
	t.Run("a group that is not empty cannot be deleted", func(t *testing.T) {
		h := testTree(t)
		for _, g := range []ScopeID{"mg/finance", "mg/eu"} {
			if err := h.DeleteGroup(g); ErrorCode(err) != EConflict {
				t.Errorf("DeleteGroup(%s) = %v, want Conflict", g, err)
			}
		}
	})
	t.Run("an empty group is deleted", func(t *testing.T) {
		h := testTree(t)
		if err := h.Move([]ScopeID{sub1}, RootGroup); err != nil {
			t.Fatal(err)
		}
		if err := h.DeleteGroup("mg/eu"); err != nil {
			t.Fatal(err)
		}
		if _, ok := h.Scope("mg/eu"); ok {
			t.Error("mg/eu still exists")
		}
	})
	t.Run("the root cannot be deleted", func(t *testing.T) {
		if err := NewHierarchy().DeleteGroup(RootGroup); ErrorCode(err) != EInvalid {
			t.Errorf("error = %v, want Invalid", err)
		}
	})
}

func TestCovered(t *testing.T) {
	h := testTree(t)
	tests := []struct {
		name  string
		scope ScopeID
		want  []ScopeID
	}{
		{"a leaf covers itself", acct2, []ScopeID{acct2}},
		{"a subscription covers itself", sub1, []ScopeID{sub1}},
		{"a consolidated account covers all its linked accounts, wherever they sit", payer, []ScopeID{acct2, acct3}},
		{"a group covers everything below it", "mg/finance", []ScopeID{acct2, sub1}},
		{"the root covers every leaf", RootGroup, []ScopeID{acct2, acct3, sub1}},
		{"a connector is not a cost view", prod, nil},
		{"an unknown scope covers nothing", "mg/nope", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.Covered(tt.scope); !slices.Equal(got, tt.want) {
				t.Errorf("Covered(%s) = %v, want %v", tt.scope, got, tt.want)
			}
		})
	}
}

func FuzzParseScopeID(f *testing.F) {
	for _, s := range []string{"mg/root", "mg/a.b", "azure/subscriptions/0B1F6471-1BF0-4DDA-AEC3-111122223333",
		"aws/billing/000000000001", "aws/accounts/123456789012", "connectors/prod", "aws/accounts/1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseScopeID(s)
		if err != nil {
			if ErrorCode(err) != EInvalid {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		if id.Kind() == "" || id.Key() == "" {
			t.Fatalf("%q parsed to %q with no kind or key", s, id)
		}
		if again, err := ParseScopeID(string(id)); err != nil || again != id {
			t.Fatalf("canonical %q does not parse to itself: %q, %v", id, again, err)
		}
		if !strings.EqualFold(string(id), s) {
			t.Fatalf("%q became %q", s, id)
		}
	})
}
