package cost

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestViewOf(t *testing.T) {
	h := testTree(t)
	filter := func(col string, values ...string) []Filter {
		return []Filter{{Dimension: Dimension{Column: col}, Values: values}}
	}
	tests := []struct {
		name  string
		scope ScopeID
		want  []Filter
		empty bool
		code  string
	}{
		{"a billing account covers its whole bill", payer, filter("BillingAccountId", "000000000001"), false, ""},
		{"a linked account covers its own rows", acct2, filter("SubAccountId", "000000000002"), false, ""},
		{"a subscription covers its own rows", sub1, filter("SubAccountId", "00000000-0000-0000-0000-000000000001"), false, ""},
		{"a group covers the accounts and subscriptions below it", "mg/finance", filter("SubAccountId", "000000000002", "00000000-0000-0000-0000-000000000001"), false, ""},
		{"the root covers every account", RootGroup, filter("SubAccountId", "000000000002", "000000000003", "00000000-0000-0000-0000-000000000001"), false, ""},
		{"a group with nothing below covers nothing", "mg/us2", nil, true, ""},
		{"a connector is not a cost view", prod, nil, false, EInvalid},
		{"an unknown scope is not found", "mg/nope", nil, false, ENotFound},
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.Add(Scope{ID: "mg/us2"}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ViewIn(context.Background(), h.Rows(), tt.scope)
			if ErrorCode(err) != tt.code {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if err != nil {
				return
			}
			if v.Empty != tt.empty || !reflect.DeepEqual(v.Filters, tt.want) {
				t.Errorf("view %+v, want %v (empty %v)", v, tt.want, tt.empty)
			}
		})
	}
	q := &Query{Filters: filter("ServiceName", "Amazon S3")}
	v, _ := ViewIn(context.Background(), h.Rows(), acct2)
	if r := v.Restrict(q); len(r.Filters) != 1 || len(r.View) != 1 || len(q.View) != 0 {
		t.Errorf("Restrict gave filters %v and view %v, and left the query with view %v; want the view apart", r.Filters, r.View, q.View)
	}
}

func TestAResultKeepsItsWireShape(t *testing.T) {
	day := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	for _, res := range []*Result{
		{Columns: (&Query{Granularity: GranularityMonthly, GroupBy: []Dimension{{Column: "ServiceName"}}}).Columns(),
			Rows: []ResultRow{{Cost: decimal.MustParse("1.000000000000000001"), Currency: "USD", Date: day, Groups: []string{"Amazon S3"}}}},
		{Columns: (&Query{Granularity: GranularityNone}).Columns(), Rows: []ResultRow{{Cost: decimal.MustParse("2"), Currency: "EUR", Groups: []string{}}}},
	} {
		data, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var back Result
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, res) {
			t.Errorf("%s came back as %+v", data, back)
		}
	}
	data, _ := json.Marshal(&Result{Columns: (&Query{Granularity: GranularityDaily}).Columns(),
		Rows: []ResultRow{{Cost: decimal.MustParse("0.5"), Currency: "USD", Date: day}}})
	if want := `{"columns":[{"name":"Cost","type":"Number"},{"name":"Currency","type":"String"},{"name":"Date","type":"Datetime"}],"rows":[[0.5000000000,"USD","2026-08-01"]]}`; string(data) != want {
		t.Errorf("wire shape %s, want %s", data, want)
	}
}

func TestRegistrationsGroupALoadsAccountsByPayer(t *testing.T) {
	regs, skipped := Registrations([]LoadedAccount{
		{Provider: "AWS", BillingAccountID: "000000000001", BillingAccountName: "Payer", SubAccountID: "000000000002", SubAccountName: "Web"},
		{Provider: "AWS", BillingAccountID: "000000000001", SubAccountID: "000000000003"},
		{Provider: "AWS", BillingAccountID: "000000000001", SubAccountID: "12345"},
		{Provider: "AWS", BillingAccountID: "0099999999999", SubAccountID: "0099999999999"},
		{Provider: "AWS", BillingAccountID: "0099999999999", SubAccountID: "000000000004"},
		{Provider: "Reckon", BillingAccountID: "00000000-0000-0000-0000-000000000001", SubAccountID: "00000000-0000-0000-0000-000000000001"},
	}, Registration{Owner: "ana", Group: "mg/eu"})
	if len(regs) != 1 || !slices.Equal(skipped, []string{"12345", "0099999999999", "000000000004"}) {
		t.Fatalf("%+v, skipped %v", regs, skipped)
	}
	r := regs[0]
	if r.BillingAccount.ID != payer || r.Owner != "ana" || r.Group != "mg/eu" ||
		!slices.Equal([]ScopeID{r.Accounts[0].ID, r.Accounts[1].ID}, []ScopeID{acct2, acct3}) || r.Accounts[0].Name != "Web" {
		t.Errorf("registration %+v", r)
	}
}

func TestRegistrationsGiveAzureRowsABillingAccountAndSubscriptions(t *testing.T) {
	const sub1, sub2 = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	regs, skipped := Registrations([]LoadedAccount{
		{Provider: "Microsoft", BillingAccountID: "12345678", BillingAccountName: "Contoso EA", SubAccountID: sub1, SubAccountName: "prod"},
		{Provider: "Microsoft", BillingAccountID: "12345678", SubAccountID: sub2},
		{Provider: "Microsoft", BillingAccountID: "12345678", SubAccountID: "not-a-guid"},
		{Provider: "AWS", BillingAccountID: "000000000001", SubAccountID: "000000000002"},
		{Provider: "Google Cloud", BillingAccountID: "01A2B3-C4D5E6", SubAccountID: "my-project"},
		{Provider: "Google Cloud", BillingAccountID: "01A2B3-C4D5E6", SubAccountID: "projects/x"},
	}, Registration{Owner: "ana"})
	if len(regs) != 3 || !slices.Equal(skipped, []string{"not-a-guid", "projects/x"}) {
		t.Fatalf("%+v, skipped %v", regs, skipped)
	}
	az := regs[0]
	if az.BillingAccount.ID != "azure/billingAccounts/12345678" || az.BillingAccount.Name != "Contoso EA" ||
		len(az.Accounts) != 2 || az.Accounts[0].ID != "azure/subscriptions/"+sub1 || az.Accounts[1].ID != "azure/subscriptions/"+sub2 {
		t.Errorf("Azure registration %+v", az)
	}
	if regs[1].BillingAccount.ID != payer {
		t.Errorf("AWS registration %+v", regs[1])
	}
	if g := regs[2]; g.BillingAccount.ID != "providers/google-cloud/billingAccounts/01A2B3-C4D5E6" || len(g.Accounts) != 1 ||
		g.Accounts[0].ID != "providers/google-cloud/accounts/my-project" || g.Accounts[0].ID.Kind() != KindLinkedAccount ||
		g.Accounts[0].ID.Key() != "my-project" || g.Accounts[0].ID.Provider() != "google-cloud" {
		t.Errorf("Google registration %+v", g)
	}
	for _, bad := range []string{"providers/Google/accounts/x", "providers/google/things/x", "providers//accounts/x", "providers/google/accounts/a/b"} {
		if _, err := ParseScopeID(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if got := ProviderSlug("Example Data Inc."); got != "example-data-inc" {
		t.Errorf("slug %q", got)
	}
	if id := ScopeID("azure/billingAccounts/12345678"); id.Kind() != KindBillingAccount || id.Provider() != "Microsoft" || id.Key() != "12345678" {
		t.Errorf("%s: kind %s, provider %s, key %s", id, id.Kind(), id.Provider(), id.Key())
	}
	for _, bad := range []string{"azure/billingAccounts/", "azure/billingAccounts/a b", "azure/billingAccounts/x/y"} {
		if _, err := ParseScopeID(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if id, err := ParseScopeID("azure/billingAccounts/aaaa-bb:cc_2019-05-31"); err != nil || id.Key() != "aaaa-bb:cc_2019-05-31" {
		t.Errorf("MCA id: %s, %v", id, err)
	}
}
