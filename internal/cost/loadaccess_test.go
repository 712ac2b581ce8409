package cost

import (
	"context"
	"strings"
	"testing"
)

// TestALoadNeedsContributorOnEveryScopeItsRowsName: a load adds to and
// replaces the costs of each billing account and account its rows name.
func TestALoadNeedsContributorOnEveryScopeItsRowsName(t *testing.T) {
	const guid = "00000000-0000-0000-0000-00000000000a"
	h := NewHierarchy()
	for _, s := range []Scope{{ID: "mg/a"}, {ID: "aws/billing/111111111111"}, {ID: "aws/accounts/222222222222", Group: "mg/a", BillingAccount: "aws/billing/111111111111"},
		{ID: "aws/accounts/444444444444", BillingAccount: "aws/billing/111111111111"}, {ID: "azure/subscriptions/" + guid, Group: "mg/a"},
		{ID: "connectors/acme"}, {ID: "aws/billing/999999999999", Connector: "connectors/acme"}} {
		if err := h.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	r := rowsOf{h.Rows(), []Assignment{
		{User: "root", Role: RoleOwner, Scope: RootGroup},
		{User: "alice", Role: RoleOwner, Scope: "aws/billing/111111111111"},
		{User: "alice", Role: RoleContributor, Scope: "mg/a"},
		{User: "bob", Role: RoleContributor, Scope: "mg/a"},
		{User: "carol", Role: RoleReader, Scope: RootGroup},
		{User: "dave", Role: RoleReader, Scope: "mg/a"},
		{User: "alice", Role: RoleOwner, Scope: "aws/billing/999999999999"},
	}}
	aws := func(billing, sub string) LoadedAccount {
		return LoadedAccount{Provider: "AWS", BillingAccountID: billing, SubAccountID: sub}
	}
	for _, c := range []struct {
		name  string
		user  string
		group ScopeID
		found []LoadedAccount
		want  string // the refusal's text; "" when allowed
	}{
		{"a Contributor of the group loads a new payer and accounts", "bob", "mg/a", []LoadedAccount{aws("333333333333", "333333333333"), aws("333333333333", "555555555555")}, ""},
		{"accounts that exist in the group are the Contributor's to add to", "bob", "mg/a", []LoadedAccount{aws("333333333333", "222222222222")}, ""},
		{"nobody loads into a group they do not contribute to", "bob", RootGroup, []LoadedAccount{aws("333333333333", "")}, "bob may not load costs into mg/root"},
		{"a Reader loads nothing", "dave", "mg/a", nil, "dave may not load costs into mg/a"},
		{"a Reader at the root loads nothing", "carol", RootGroup, nil, "carol may not load costs into mg/root"},
		{"another's billing account is refused", "bob", "mg/a", []LoadedAccount{aws("111111111111", "555555555555")},
			"bob may not load costs of aws/billing/111111111111: the rows name billing account 111111111111"},
		{"an account outside the caller's groups is refused", "bob", "mg/a", []LoadedAccount{aws("333333333333", "444444444444")},
			"bob may not load costs of aws/accounts/444444444444: the rows name account 444444444444"},
		{"the billing account's Owner loads its accounts in a group they contribute to", "alice", "mg/a", []LoadedAccount{aws("111111111111", "222222222222")}, ""},
		{"but not an account of theirs outside it: linked accounts do not inherit from the payer", "alice", "mg/a", []LoadedAccount{aws("111111111111", "444444444444")},
			"alice may not load costs of aws/accounts/444444444444"},
		{"a billing account that cannot be a scope needs the root", "bob", "mg/a", []LoadedAccount{aws("6838635603105", "6838635603105")},
			`bob may not load costs of mg/root: the rows name billing account "6838635603105", which cannot be a scope`},
		{"which its Owner has", "root", "mg/a", []LoadedAccount{aws("6838635603105", "6838635603105")}, ""},
		{"another provider's billing account whose ID cannot be a scope needs the root", "bob", "mg/a",
			[]LoadedAccount{{Provider: "Google Cloud", BillingAccountID: "billingAccounts/01A2B3", SubAccountID: "my-project"}},
			`bob may not load costs of mg/root: the rows name billing account "billingAccounts/01A2B3", which cannot be a scope`},
		{"a new Google billing account and project become the loader's", "bob", "mg/a",
			[]LoadedAccount{{Provider: "Google Cloud", BillingAccountID: "01A2B3-C4D5E6", SubAccountID: "my-project"}}, ""},
		{"a new Azure billing account and subscription become the loader's", "bob", "mg/a", []LoadedAccount{{Provider: "Microsoft", BillingAccountID: "ea-1", SubAccountID: guid}}, ""},
		{"a Reader at the root loads none of them", "carol", RootGroup, []LoadedAccount{{Provider: "Microsoft", BillingAccountID: "ea-1", SubAccountID: guid}},
			"carol may not load costs into mg/root"},
		{"the root's Owner loads them", "root", RootGroup, []LoadedAccount{{Provider: "Microsoft", BillingAccountID: "ea-1", SubAccountID: guid}}, ""},
		{"a billing account a connector collects is the connector's to load, whoever owns it", "alice", "mg/a", []LoadedAccount{aws("999999999999", "")},
			"billing account 999999999999 is collected by connectors/acme, which is the authority for its costs"},
		{"which a caller without rights on it is not told", "bob", "mg/a", []LoadedAccount{aws("999999999999", "")}, "bob may not load costs of aws/billing/999999999999"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := AuthorizeLoad(context.Background(), r, c.user, c.group, c.found)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (!strings.HasPrefix(ErrorMessage(err), c.want) || ErrorCode(err) != EForbidden && ErrorCode(err) != EConflict):
				t.Errorf("got %v (%s), want a refusal %q", err, ErrorCode(err), c.want)
			}
		})
	}
}
