package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestAzureDoorRefusesBadInputPrecisely sends bad URLs and bodies; each gets
// its status and an Azure error body that says what to fix.
func TestAzureDoorRefusesBadInputPrecisely(t *testing.T) {
	fx := newAzureFixture(t)
	good := custom("ActualCost", map[string]any{"granularity": "None"})
	with := func(key string, value any) map[string]any {
		b := custom("ActualCost", map[string]any{"granularity": "None"})
		b[key] = value
		return b
	}
	dataset := func(ds map[string]any) map[string]any { return custom("ActualCost", ds) }
	period := func(from, to string) map[string]any {
		return with("timePeriod", map[string]string{"from": from, "to": to})
	}
	root := queryPath(rootARM)
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		want       []string
	}{
		{"no api-version", "/" + rootARM + "/providers/Microsoft.CostManagement/query", good, 400, []string{"api-version", "required"}},
		{"an api-version that is no date", "/" + rootARM + "/providers/Microsoft.CostManagement/query?api-version=latest", good, 400,
			[]string{`"latest"`, "2022-10-01"}},
		{"an unknown dimension in a filter lists the valid ones", root, dataset(map[string]any{"filter": dims("Colour", "In", "red")}), 400,
			[]string{`"Colour"`, "ResourceLocation", "SubscriptionId", "SubAccountId", "x_UsageType", "TagKey"}},
		{"an unknown grouping lists the valid ones", root, dataset(map[string]any{"grouping": []map[string]string{{"type": "Dimension", "name": "Colour"}}}),
			400, []string{"dataset.grouping", `"Colour"`, "ServiceName", "MeterCategory"}},
		{"BillingMonth says how to slice by month", root, dataset(map[string]any{"grouping": []map[string]string{{"type": "Dimension", "name": "BillingMonth"}}}),
			400, []string{"granularity Monthly", "TheLastBillingMonth"}},
		{"a resource group cannot be grouped by", root, dataset(map[string]any{"grouping": []map[string]string{{"type": "Dimension", "name": "ResourceGroupName"}}}),
			400, []string{"ResourceGroupName", "group by ResourceId"}},
		{"a grouping of an unknown type", root, dataset(map[string]any{"grouping": []map[string]string{{"type": "Tag", "name": "env"}}}),
			400, []string{`"Tag"`, "Dimension or TagKey"}},
		{"three groupings", root, dataset(map[string]any{"grouping": []map[string]string{{"type": "Dimension", "name": "ServiceName"},
			{"type": "Dimension", "name": "ResourceId"}, {"type": "TagKey", "name": "env"}}}), 400, []string{"3 groupings", "at most 2"}},
		{"a bad operator", root, dataset(map[string]any{"filter": dims("ServiceName", "Eq", "x")}), 400,
			[]string{`"Eq"`, "In, NotIn, Contains"}},
		{"Exists on a dimension", root, dataset(map[string]any{"filter": dims("ServiceName", "Exists")}), 400,
			[]string{`"Exists"`, "In, NotIn, Contains"}},
		{"In without values", root, dataset(map[string]any{"filter": dims("ServiceName", "In")}), 400, []string{"no values"}},
		{"a filter node with two conditions", root, dataset(map[string]any{"filter": map[string]any{
			"dimensions": map[string]any{"name": "ServiceName", "operator": "In", "values": []string{"x"}},
			"tags":       map[string]any{"name": "env", "operator": "In", "values": []string{"x"}}}}), 400, []string{"exactly one", "dimensions, tags"}},
		{"an empty and", root, dataset(map[string]any{"filter": map[string]any{"and": []any{}}}), 400, []string{"empty and"}},
		{"a date that is no date", root, period("2026-13-01T00:00:00Z", "2026-11-30T00:00:00Z"), 400,
			[]string{"timePeriod.from", `"2026-13-01T00:00:00Z"`, "ISO 8601"}},
		{"a word for a date", root, period("2026-11-01", "yesterday"), 400, []string{"timePeriod.to", `"yesterday"`}},
		{"to before from", root, period("2026-11-05T00:00:00Z", "2026-11-04T23:59:59Z"), 400,
			[]string{"timePeriod.to 2026-11-04 is before timePeriod.from 2026-11-05"}},
		{"Custom without timePeriod", root, map[string]any{"type": "Usage", "timeframe": "Custom", "dataset": map[string]any{}}, 400,
			[]string{"Custom needs a timePeriod"}},
		{"a timePeriod with another timeframe", root, with("timeframe", "MonthToDate"), 400, []string{"timePeriod goes with timeframe Custom"}},
		{"an unknown timeframe", root, with("timeframe", "Yesterday"), 400, []string{`"Yesterday"`, "TheLastBillingMonth"}},
		{"an unknown type", root, with("type", "Bogus"), 400, []string{`"Bogus"`, "ActualCost, AmortizedCost, Usage"}},
		{"no dataset", root, map[string]any{"type": "Usage", "timeframe": "MonthToDate"}, 400, []string{"no dataset"}},
		{"an unknown granularity", root, dataset(map[string]any{"granularity": "Hourly"}), 400, []string{`"Hourly"`, "None, Daily, Monthly"}},
		{"a function other than Sum", root, dataset(map[string]any{"aggregation": map[string]any{"avg": map[string]string{"name": "Cost", "function": "Avg"}}}),
			400, []string{`"Avg"`, "use Sum"}},
		{"an unknown aggregated column", root, dataset(map[string]any{"aggregation": map[string]any{"t": map[string]string{"name": "Colour", "function": "Sum"}}}),
			400, []string{`"Colour"`, "PreTaxCost", "UsageQuantity", "EffectiveCost"}},
		{"the same column summed twice", root, dataset(map[string]any{"aggregation": json.RawMessage(`{"a": {"name": "Cost", "function": "Sum"}, "b": {"name": "cost", "function": "Sum"}}`)}),
			400, []string{"sums Cost twice"}},
		{"sorting by a column the answer lacks", root, dataset(map[string]any{"sorting": []map[string]string{{"direction": "Descending", "name": "ServiceName"}}}),
			400, []string{`"ServiceName"`, "Cost"}},
		{"an unknown field", root, with("colour", "red"), 400, []string{`"colour"`}},
		{"raw columns", root, dataset(map[string]any{"configuration": map[string]any{"columns": []string{"ResourceId"}}}), 400, []string{"configuration.columns"}},
		{"a page of no rows", root + "&$top=0", good, 400, []string{"$top", "1 to 5000"}},
		{"a page too large", root + "&$top=5001", good, 400, []string{"1 to 5000"}},
		{"a page token Reckon did not write", root + "&$skiptoken=garbage", good, 400, []string{"page token", "nextLink"}},
		{"a subscription that is no GUID", queryPath("subscriptions/not-a-guid"), good, 400, []string{"GUID"}},
		{"an account that is no account", queryPath("providers/Microsoft.CostManagement/externalSubscriptions/12"), good, 400, []string{"12 digits"}},
		// As at /api/v1/query, a scope the caller cannot read is Forbidden whether or not it exists.
		{"an unknown group", queryPath("providers/Microsoft.Management/managementGroups/nope"), good, 403, []string{"mg/nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, e := fx.post(fx.admin, tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("%d %+v, want %d", status, e, tc.status)
			}
			if tc.status == 400 && e.Error.Code != cost.EInvalid {
				t.Errorf("code %q, want %s", e.Error.Code, cost.EInvalid)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Error.Message, w) {
					t.Errorf("the message %q does not say %q", e.Error.Message, w)
				}
			}
		})
	}
	t.Run("no token", func(t *testing.T) {
		if status, _, e := fx.post("", root, good); status != 401 || e.Error.Code != cost.EUnauthenticated {
			t.Errorf("%d %+v, want 401 Unauthenticated", status, e)
		}
	})
}
