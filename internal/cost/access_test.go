package cost

import (
	"fmt"
	"slices"
	"testing"
)

// discover runs Discover and applies its result, as the control plane will.
func discover(t *testing.T, h *Hierarchy, as []Assignment, d Discovery) []Assignment {
	t.Helper()
	scopes, grants, err := Discover(h, d, as)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scopes {
		if err := h.Add(s); err != nil {
			t.Fatalf("Add(%s): %v", s.ID, err)
		}
	}
	return append(as, grants...)
}

func accounts(ids ...string) []Account {
	var out []Account
	for _, id := range ids {
		out = append(out, Account{ID: ScopeID("aws/accounts/" + id), Name: "account " + id})
	}
	return out
}

// connectorTree returns a hierarchy with root → finance → eu, a
// subscription in eu and connector prod created by alice, whose first
// collection found the payer and account 000000000002 (into mg/eu).
func connectorTree(t *testing.T) (*Hierarchy, []Assignment) {
	t.Helper()
	h := NewHierarchy()
	for _, s := range []Scope{{ID: "mg/finance"}, {ID: "mg/eu", Group: "mg/finance"}, {ID: sub1, Group: "mg/eu"}} {
		if err := h.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	c, owner := ConnectorCreated(prod, "Production AWS", "alice")
	if err := h.Add(c); err != nil {
		t.Fatal(err)
	}
	as := discover(t, h, []Assignment{owner}, Discovery{Connector: prod, Creator: "alice",
		BillingAccount: Account{ID: payer, Name: "payer"}, Accounts: accounts("000000000002"), DefaultGroup: "mg/eu"})
	return h, as
}

var allActions = []Action{ActionRead, ActionWrite, ActionVerify, ActionManageAccess}

// TestAccessRules has one test for each rule of product.md §6.
func TestAccessRules(t *testing.T) {
	t.Run("the connector's creator owns the connector, the consolidated account and every linked account it discovers", func(t *testing.T) {
		h, as := connectorTree(t)
		as = discover(t, h, as, Discovery{Connector: prod, Creator: "alice",
			BillingAccount: Account{ID: payer}, Accounts: accounts("000000000002", "000000000003")})
		for _, id := range []ScopeID{prod, payer, acct2, acct3} {
			if r, _ := EffectiveRole("alice", id, h, as); r != RoleOwner {
				t.Errorf("alice is %q on %s, want Owner", r, id)
			}
		}
		if Can("alice", ActionRead, "mg/eu", h, as) {
			t.Error("the creator may read the group the accounts went into")
		}
	})

	t.Run("linked accounts do not inherit from the consolidated account", func(t *testing.T) {
		h, as := connectorTree(t)
		as = append(as, Assignment{User: "bob", Role: RoleOwner, Scope: payer})
		if !Can("bob", ActionManageAccess, payer, h, as) {
			t.Fatal("bob cannot manage his own billing account")
		}
		for _, a := range allActions {
			if Can("bob", a, acct2, h, as) {
				t.Errorf("Owner on the consolidated account may %s the linked account", a)
			}
		}
	})

	t.Run("linked accounts and subscriptions inherit from their management group and its ancestors", func(t *testing.T) {
		h, as := connectorTree(t)
		for _, g := range []ScopeID{"mg/eu", "mg/finance", RootGroup} {
			as := append(slices.Clone(as), Assignment{User: "bob", Role: RoleReader, Scope: g})
			for _, id := range []ScopeID{acct2, sub1, "mg/eu"} {
				if !Can("bob", ActionRead, id, h, as) {
					t.Errorf("Reader on %s cannot read %s", g, id)
				}
				if Can("bob", ActionWrite, id, h, as) {
					t.Errorf("Reader on %s may write %s", g, id)
				}
			}
		}
	})

	t.Run("an assignment made on a connector after discovery reaches only linked accounts discovered later", func(t *testing.T) {
		h, as := connectorTree(t)
		as = append(as, Assignment{User: "bob", Role: RoleContributor, Scope: prod})
		as = discover(t, h, as, Discovery{Connector: prod, Creator: "alice",
			BillingAccount: Account{ID: payer}, Accounts: accounts("000000000002", "000000000003")})
		if Can("bob", ActionRead, acct2, h, as) {
			t.Error("bob reached the account discovered before his assignment")
		}
		if !Can("bob", ActionWrite, acct3, h, as) {
			t.Error("bob did not reach the account discovered after his assignment")
		}
		// Removing the connector assignment later leaves the copy alone.
		as = slices.DeleteFunc(as, func(a Assignment) bool { return a.Scope == prod && a.User == "bob" })
		if !Can("bob", ActionWrite, acct3, h, as) || Can("bob", ActionRead, prod, h, as) {
			t.Error("removing bob from the connector changed the copy on the account")
		}
	})

	t.Run("verify needs Contributor; managing access needs Owner", func(t *testing.T) {
		h, _ := connectorTree(t)
		for _, tt := range []struct {
			role                  Role
			verify, manage, reads bool
		}{
			{RoleReader, false, false, true},
			{RoleContributor, true, false, true},
			{RoleOwner, true, true, true},
		} {
			as := []Assignment{{User: "bob", Role: tt.role, Scope: prod}}
			if got := Can("bob", ActionVerify, prod, h, as); got != tt.verify {
				t.Errorf("%s may verify = %v, want %v", tt.role, got, tt.verify)
			}
			if got := Can("bob", ActionManageAccess, prod, h, as); got != tt.manage {
				t.Errorf("%s may manage access = %v, want %v", tt.role, got, tt.manage)
			}
			if got := Can("bob", ActionRead, prod, h, as); got != tt.reads {
				t.Errorf("%s may read = %v, want %v", tt.role, got, tt.reads)
			}
		}
	})
}

// TestAccessDetails covers what the rules above imply.
func TestAccessDetails(t *testing.T) {
	t.Run("roles allow what their names say", func(t *testing.T) {
		want := map[Role][]Action{
			RoleOwner:       allActions,
			RoleContributor: {ActionRead, ActionWrite, ActionVerify},
			RoleReader:      {ActionRead},
			"Admin":         nil,
		}
		for r, acts := range want {
			for _, a := range allActions {
				if got := r.Allows(a); got != slices.Contains(acts, a) {
					t.Errorf("%q.Allows(%s) = %v", r, a, got)
				}
			}
		}
	})
	t.Run("connectors and consolidated accounts take only their own assignments", func(t *testing.T) {
		h, _ := connectorTree(t)
		as := []Assignment{{User: "bob", Role: RoleOwner, Scope: RootGroup}}
		for _, id := range []ScopeID{prod, payer} {
			if Can("bob", ActionRead, id, h, as) {
				t.Errorf("Owner of the root may read %s", id)
			}
		}
	})
	t.Run("linked accounts do not inherit from the connector", func(t *testing.T) {
		h, as := connectorTree(t)
		as = append(as, Assignment{User: "bob", Role: RoleOwner, Scope: prod})
		if Can("bob", ActionRead, acct2, h, as) {
			t.Error("a connector Owner reads an account discovered before")
		}
	})
	t.Run("a group's assignment does not reach the groups above it", func(t *testing.T) {
		h, _ := connectorTree(t)
		as := []Assignment{{User: "bob", Role: RoleOwner, Scope: "mg/eu"}}
		if Can("bob", ActionRead, "mg/finance", h, as) {
			t.Error("Owner of eu reads finance")
		}
	})
	t.Run("the strongest role wins", func(t *testing.T) {
		h, _ := connectorTree(t)
		as := []Assignment{{User: "bob", Role: RoleReader, Scope: acct2}, {User: "bob", Role: RoleContributor, Scope: "mg/finance"}}
		if r, _ := EffectiveRole("bob", acct2, h, as); r != RoleContributor {
			t.Errorf("role = %q, want Contributor", r)
		}
	})
	t.Run("an unknown scope grants nothing", func(t *testing.T) {
		as := []Assignment{{User: "bob", Role: RoleOwner, Scope: "mg/gone"}}
		if Can("bob", ActionRead, "mg/gone", NewHierarchy(), as) {
			t.Error("bob reads a scope that does not exist")
		}
	})
	t.Run("a user sees the scopes he may read and no more", func(t *testing.T) {
		h, as := connectorTree(t)
		as = append(as, Assignment{User: "bob", Role: RoleReader, Scope: "mg/eu"})
		if got, want := VisibleScopes("bob", h, as), []ScopeID{acct2, sub1, "mg/eu"}; !slices.Equal(got, want) {
			t.Errorf("bob sees %v, want %v", got, want)
		}
		if got, want := VisibleScopes("alice", h, as), []ScopeID{acct2, payer, prod}; !slices.Equal(got, want) {
			t.Errorf("alice sees %v, want %v", got, want)
		}
	})
	t.Run("new linked accounts go into the default group, or the root", func(t *testing.T) {
		h, as := connectorTree(t)
		discover(t, h, as, Discovery{Connector: prod, Creator: "alice", BillingAccount: Account{ID: payer},
			Accounts: accounts("000000000003")})
		for id, g := range map[ScopeID]ScopeID{acct2: "mg/eu", acct3: RootGroup} {
			if s, _ := h.Scope(id); s.Group != g || s.BillingAccount != payer || s.Connector != prod {
				t.Errorf("%s = %+v, want in %s under %s", id, s, g, payer)
			}
		}
	})
	t.Run("rediscovering an account changes nothing", func(t *testing.T) {
		h, as := connectorTree(t)
		as = append(as, Assignment{User: "bob", Role: RoleReader, Scope: prod})
		scopes, grants, err := Discover(h, Discovery{Connector: prod, Creator: "alice",
			BillingAccount: Account{ID: payer}, Accounts: accounts("000000000002")}, as)
		if err != nil || len(scopes) != 0 || len(grants) != 0 {
			t.Errorf("Discover = %v, %v, %v; want nothing", scopes, grants, err)
		}
	})
	t.Run("discovery refuses bad input", func(t *testing.T) {
		h, as := connectorTree(t)
		for _, d := range []Discovery{
			{Connector: "connectors/none", BillingAccount: Account{ID: payer}},
			{Connector: prod, BillingAccount: Account{ID: "aws/billing/1"}},
			{Connector: prod, BillingAccount: Account{ID: payer}, Accounts: []Account{{ID: payer}}},
			{Connector: prod, BillingAccount: Account{ID: payer}, DefaultGroup: "mg/none"},
		} {
			if _, _, err := Discover(h, d, as); err == nil {
				t.Errorf("Discover(%+v) succeeded", d)
			}
		}
	})
	t.Run("roles parse in any case", func(t *testing.T) {
		for _, s := range []string{"owner", "Contributor", "READER"} {
			if _, err := ParseRole(s); err != nil {
				t.Error(err)
			}
		}
		if _, err := ParseRole("admin"); ErrorCode(err) != EInvalid {
			t.Errorf("ParseRole(admin) = %v", err)
		}
	})
}

func ExampleCan() {
	h := NewHierarchy()
	_ = h.Add(Scope{ID: "mg/finance"})
	_ = h.Add(Scope{ID: "azure/subscriptions/00000000-0000-0000-0000-000000000001", Group: "mg/finance"})
	as := []Assignment{{User: "bob", Role: RoleReader, Scope: "mg/finance"}}
	fmt.Println(Can("bob", ActionRead, "azure/subscriptions/00000000-0000-0000-0000-000000000001", h, as))
	fmt.Println(Can("bob", ActionWrite, "azure/subscriptions/00000000-0000-0000-0000-000000000001", h, as))
	// Output:
	// true
	// false
}
