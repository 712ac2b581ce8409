package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// rootARM is the root group, which holds every fixture account.
const rootARM = "providers/Microsoft.Management/managementGroups/root"

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func tagIs(key string, values ...string) func(*cost.Row) bool {
	return func(r *cost.Row) bool {
		v, ok := r.Tag(key)
		return ok && slices.Contains(values, v)
	}
}

func hasTag(key string) func(*cost.Row) bool {
	return func(r *cost.Row) bool { _, ok := r.Tag(key); return ok }
}

func not(k func(*cost.Row) bool) func(*cost.Row) bool { return func(r *cost.Row) bool { return !k(r) } }

func or(keeps ...func(*cost.Row) bool) func(*cost.Row) bool {
	return func(r *cost.Row) bool {
		return slices.ContainsFunc(keeps, func(k func(*cost.Row) bool) bool { return k(r) })
	}
}

func field(get func(*cost.Row) string, values ...string) func(*cost.Row) bool {
	return func(r *cost.Row) bool { return slices.Contains(values, get(r)) }
}

func dims(name, op string, values ...string) map[string]any {
	return map[string]any{"dimensions": map[string]any{"name": name, "operator": op, "values": values}}
}

func tags(name, op string, values ...string) map[string]any {
	return map[string]any{"tags": map[string]any{"name": name, "operator": op, "values": values}}
}

// filterCases are Azure filters with the rows each keeps, written apart
// from the door's mapping.
var filterCases = []struct {
	name   string
	filter any
	keep   func(*cost.Row) bool
}{
	{"ResourceLocation is the region id", dims("ResourceLocation", "In", "us-east-1", "eastus"),
		field(func(r *cost.Row) string { return r.RegionID }, "us-east-1", "eastus")},
	{"dimension names match whatever their case", dims("resourcelocation", "in", "eu-west-1"),
		field(func(r *cost.Row) string { return r.RegionID }, "eu-west-1")},
	{"SubscriptionId is the sub-account", dims("SubscriptionId", "In", fxSub),
		field(func(r *cost.Row) string { return r.SubAccountID }, fxSub)},
	{"SubscriptionName is the sub-account's name", dims("SubscriptionName", "In", "Contoso Prod", "acct-3333"),
		field(func(r *cost.Row) string { return r.SubAccountName }, "Contoso Prod", "acct-3333")},
	{"ChargeType Refund is an Adjustment", dims("ChargeType", "In", "Refund"),
		field(func(r *cost.Row) string { return r.ChargeCategory }, cost.ChargeAdjustment)},
	{"ChargeType NotIn Usage keeps the rest", dims("ChargeType", "NotIn", "usage"),
		not(field(func(r *cost.Row) string { return r.ChargeCategory }, cost.ChargeUsage))},
	{"ChargeType Purchase and Tax, and FOCUS's Credit", dims("ChargeType", "In", "Purchase", "Tax", "Credit"),
		field(func(r *cost.Row) string { return r.ChargeCategory }, cost.ChargePurchase, cost.ChargeTax, cost.ChargeCredit)},
	{"PricingModel Reservation is Committed", dims("PricingModel", "In", "Reservation"),
		field(func(r *cost.Row) string { return r.PricingCategory }, "Committed")},
	{"PricingModel OnDemand and Spot are Standard and Dynamic", dims("PricingModel", "In", "OnDemand", "Spot"),
		field(func(r *cost.Row) string { return r.PricingCategory }, "Standard", "Dynamic")},
	{"Frequency OneTime is One-Time", dims("Frequency", "In", "OneTime"),
		field(func(r *cost.Row) string { return r.ChargeFrequency }, "One-Time")},
	{"ResourceGroupName is the group in the resource ID, whatever its case", dims("ResourceGroupName", "In", "rg-data"),
		func(r *cost.Row) bool { return containsFold(r.ResourceID, "/resourceGroups/rg-data/") }},
	{"ResourceGroup NotIn keeps rows of other groups and none", dims("ResourceGroup", "NotIn", "RG-API"),
		func(r *cost.Row) bool { return !containsFold(r.ResourceID, "/resourcegroups/rg-api/") }},
	{"MeterCategory is the service", dims("MeterCategory", "In", "Virtual Machines"),
		field(func(r *cost.Row) string { return r.ServiceName }, "Virtual Machines")},
	{"Contains ignores case", dims("ServiceName", "Contains", "STORAGE", "database"),
		func(r *cost.Row) bool {
			return containsFold(r.ServiceName, "storage") || containsFold(r.ServiceName, "database")
		}},
	{"a FOCUS column under its own name", dims("RegionId", "In", "eu-west-1", "westeurope"),
		field(func(r *cost.Row) string { return r.RegionID }, "eu-west-1", "westeurope")},
	{"PublisherType is the publisher", dims("PublisherType", "In", "Microsoft"),
		field(func(r *cost.Row) string { return r.PublisherName }, "Microsoft")},
	{"Provider is the provider", dims("Provider", "In", "AWS"), field(func(r *cost.Row) string { return r.ProviderName }, "AWS")},
	{"BillingAccountId", dims("BillingAccountId", "In", fxAzureBA), field(func(r *cost.Row) string { return r.BillingAccountID }, fxAzureBA)},
	{"a tag In", tags("env", "In", "prod"), tagIs("env", "prod")},
	{"a tag NotIn keeps rows without the tag", tags("env", "NotIn", "prod"), not(tagIs("env", "prod"))},
	{"a tag exists", tags("team", "Exists"), hasTag("team")},
	{"a tag does not exist", tags("env", "NotExists"), not(hasTag("env"))},
	{"nested and, or, not", map[string]any{"and": []any{
		map[string]any{"or": []any{dims("ResourceLocation", "In", "eastus", "us-east-1"), tags("env", "In", "prod")}},
		map[string]any{"not": dims("ChargeType", "In", "Purchase")},
	}}, and(or(field(func(r *cost.Row) string { return r.RegionID }, "eastus", "us-east-1"), tagIs("env", "prod")),
		not(field(func(r *cost.Row) string { return r.ChargeCategory }, cost.ChargePurchase)))},
	{"not of an or of ands", map[string]any{"not": map[string]any{"or": []any{
		map[string]any{"and": []any{dims("SubscriptionId", "In", fxSub), tags("env", "In", "dev")}},
		map[string]any{"and": []any{dims("ServiceName", "Contains", "elastic"), tags("team", "Exists")}},
	}}}, not(or(and(field(func(r *cost.Row) string { return r.SubAccountID }, fxSub), tagIs("env", "dev")),
		and(func(r *cost.Row) bool { return containsFold(r.ServiceName, "elastic") }, hasTag("team"))))},
	{"keys in any case, as Azure reads them", json.RawMessage(`{"Or": [{"Dimensions": {"Name": "ChargeType", "Operator": "In",
		"Values": ["Tax"]}}, {"Tags": {"Name": "team", "Operator": "In", "Values": ["data"]}}]}`),
		or(field(func(r *cost.Row) string { return r.ChargeCategory }, cost.ChargeTax), tagIs("team", "data"))},
}

// TestAzureFiltersKeepTheRowsTheySay runs each filter at the root group and
// compares the total with the rows it keeps.
func TestAzureFiltersKeepTheRowsTheySay(t *testing.T) {
	fx := newAzureFixture(t)
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			want := sumRows(tc.keep, billed)
			status, a, e := fx.post(fx.admin, queryPath(rootARM), custom("ActualCost", map[string]any{"filter": tc.filter}))
			if status != 200 {
				t.Fatalf("%d %+v", status, e)
			}
			if got := a.sum(t, "Cost"); got.Cmp(want) != 0 {
				t.Errorf("total %s, want %s", got, want)
			}
		})
	}
}

// TestAzureGroupingsAreNamedAsAzureNamesThem groups by Azure dimension
// names: the column keeps Azure's name, the values are the FOCUS column's.
func TestAzureGroupingsAreNamedAsAzureNamesThem(t *testing.T) {
	fx := newAzureFixture(t)
	for _, g := range []struct {
		name, column string
		of           func(*cost.Row) string
	}{
		{"SubscriptionId", "SubscriptionId", func(r *cost.Row) string { return r.SubAccountID }},
		{"chargetype", "ChargeType", func(r *cost.Row) string { return r.ChargeCategory }},
		{"ResourceLocation", "ResourceLocation", func(r *cost.Row) string { return r.RegionID }},
		{"ServiceName", "ServiceName", func(r *cost.Row) string { return r.ServiceName }},
		{"x_servicecode", "x_ServiceCode", func(r *cost.Row) string { return r.ServiceCode }},
	} {
		t.Run(g.name, func(t *testing.T) {
			status, a, e := fx.post(fx.admin, queryPath(rootARM), custom("AmortizedCost", map[string]any{
				"grouping": []map[string]string{{"type": "Dimension", "name": g.name}}}))
			if status != 200 {
				t.Fatalf("%d %+v", status, e)
			}
			col := a.column(t, g.column)
			want := map[string]decimal.Decimal{}
			for _, f := range fxRows {
				r := f.row()
				want[g.of(r)] = want[g.of(r)].Add(r.EffectiveCost)
			}
			if len(a.Properties.Rows) != len(want) {
				t.Errorf("%d groups, want %d", len(a.Properties.Rows), len(want))
			}
			for _, row := range a.Properties.Rows {
				v := str(t, row[col])
				if got, _ := decimal.ParseBytes(row[0]); got.Cmp(want[v]) != 0 {
					t.Errorf("%s %q: %s, want %s", g.column, v, got, want[v])
				}
			}
		})
	}
}
