package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestAzureQueryAtEachScopeForm asks the Azure door for each ARM scope
// form's actual and amortized cost, and compares it with Reckon's own door
// and with the sum of the fixture's rows.
func TestAzureQueryAtEachScopeForm(t *testing.T) {
	fx := newAzureFixture(t)
	for _, sc := range fxScopes {
		paths := []string{queryPath(sc.arm)}
		if short, ok := strings.CutSuffix(paths[0], "/providers/Microsoft.CostManagement/query?api-version=2022-10-01"); ok &&
			strings.Contains(sc.arm, "/external") {
			paths = append(paths, short+"/query?api-version=2021-10-01") // the SDKs' external form
		}
		for _, path := range paths {
			for _, typ := range []struct {
				azure, reckon string
				measure       func(*cost.Row) decimal.Decimal
			}{{"ActualCost", "actual", billed}, {"Usage", "actual", billed}, {"AmortizedCost", "amortized", effective}} {
				t.Run(typ.azure+" at "+path, func(t *testing.T) {
					want := sumRows(inAccounts(sc.accounts...), typ.measure)
					status, a, e := fx.post(fx.admin, path, custom(typ.azure, map[string]any{"granularity": "None"}))
					if status != 200 {
						t.Fatalf("%d %+v", status, e)
					}
					name := "Cost"
					if typ.azure == "Usage" {
						name = "PreTaxCost"
					}
					if got := a.sum(t, name); got.Cmp(want) != 0 {
						t.Errorf("the Azure door says %s, the rows sum to %s", got, want)
					}
					var own cost.Result
					fx.do(fx.admin, "POST", "/api/v1/query", map[string]any{"scope": sc.reckon, "type": typ.reckon,
						"from": "2026-10-01", "to": "2026-12-01"}, &own)
					if len(own.Rows) != 1 || own.Rows[0].Cost.Cmp(want) != 0 {
						t.Errorf("Reckon's door says %+v, the rows sum to %s", own.Rows, want)
					}
				})
			}
		}
	}
}

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestAzureAnswerIsInAzuresShape checks the resource, the columns in
// Azure's order and names, the dates, tags as TagKey and TagValue, and
// several aggregations at once.
func TestAzureAnswerIsInAzuresShape(t *testing.T) {
	fx := newAzureFixture(t)
	arm := "subscriptions/" + fxSub
	status, a, e := fx.post(fx.admin, queryPath(arm), custom("ActualCost", map[string]any{
		"granularity": "Daily",
		"aggregation": json.RawMessage(`{"totalCost": {"name": "PreTaxCost", "function": "Sum"},
			"qty": {"name": "UsageQuantity", "function": "Sum"}, "totalCostUSD": {"name": "CostUSD", "function": "Sum"}}`),
		"grouping": []map[string]string{{"type": "Dimension", "name": "ServiceName"}, {"type": "TagKey", "name": "env"}},
		"sorting":  []map[string]string{{"direction": "ascending", "name": "UsageDate"}},
	}))
	if status != 200 {
		t.Fatalf("%d %+v", status, e)
	}
	if a.Type != "Microsoft.CostManagement/query" || !guidRE.MatchString(a.Name) ||
		a.ID != arm+"/providers/Microsoft.CostManagement/query/"+a.Name || a.Properties.NextLink != nil {
		t.Errorf("the resource: id %q name %q type %q nextLink %v", a.ID, a.Name, a.Type, a.Properties.NextLink)
	}
	wantCols := []cost.Column{{Name: "PreTaxCost", Type: "Number"}, {Name: "UsageQuantity", Type: "Number"}, {Name: "CostUSD", Type: "Number"},
		{Name: "UsageDate", Type: "Number"}, {Name: "ServiceName", Type: "String"}, {Name: "TagKey", Type: "String"},
		{Name: "TagValue", Type: "String"}, {Name: "Currency", Type: "String"}}
	if !slices.Equal(a.Properties.Columns, wantCols) {
		t.Fatalf("columns %+v, want %+v", a.Properties.Columns, wantCols)
	}
	// One row per fixture row of the subscription, ascending by day.
	var want [][]string
	for _, f := range fxRows {
		if f.account == fxSub {
			key, value := "", f.tags["env"]
			if value != "" {
				key = "env"
			}
			want = append(want, []string{f.billed, f.quantity, f.billed, strings.ReplaceAll(f.day, "-", ""), f.service, key, value, "USD"})
		}
	}
	slices.SortFunc(want, func(x, y []string) int { return strings.Compare(x[3], y[3]) })
	if len(a.Properties.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %s", len(a.Properties.Rows), len(want), fx.seen.String())
	}
	for i, row := range a.Properties.Rows {
		for j, cell := range row {
			if j < 4 { // numbers: exact, whatever the trailing zeros
				if d, err := decimal.ParseBytes(cell); err != nil || d.Cmp(decimal.MustParse(want[i][j])) != 0 {
					t.Errorf("row %d %s = %s, want %s", i, wantCols[j].Name, cell, want[i][j])
				}
				continue
			}
			if got := str(t, cell); got != want[i][j] {
				t.Errorf("row %d %s = %q, want %q", i, wantCols[j].Name, got, want[i][j])
			}
		}
	}
	if !strings.Contains(fx.seen.String(), "20.123456789012345678") {
		t.Errorf("the answer lost decimal places of 20.123456789012345678")
	}
}

// TestAzureMonthlyAnswerHasBillingMonth checks the monthly date column and
// an aggregation by a FOCUS measure's own name.
func TestAzureMonthlyAnswerHasBillingMonth(t *testing.T) {
	fx := newAzureFixture(t)
	status, a, e := fx.post(fx.admin, queryPath(fxScopes[2].arm), custom("AmortizedCost", map[string]any{
		"granularity": "Monthly", "aggregation": map[string]any{"t": map[string]string{"name": "ListCost", "function": "Sum"}}}))
	if status != 200 {
		t.Fatalf("%d %+v", status, e)
	}
	if got := a.Properties.Columns; len(got) != 3 || got[0].Name != "ListCost" || got[1] != (cost.Column{Name: "BillingMonth", Type: "Datetime"}) {
		t.Fatalf("columns %+v", got)
	}
	month := a.column(t, "BillingMonth")
	for _, m := range []string{"2026-10", "2026-11"} {
		want := sumRows(and(inAccounts(fxWeb, fxData), func(r *cost.Row) bool { return strings.HasPrefix(r.ChargePeriodStart.Format("2006-01"), m) }),
			func(r *cost.Row) decimal.Decimal { return r.ListCost })
		found := false
		for _, row := range a.Properties.Rows {
			if str(t, row[month]) == m+"-01T00:00:00" {
				found = true
				if got, _ := decimal.ParseBytes(row[0]); got.Cmp(want) != 0 {
					t.Errorf("%s: ListCost %s, want %s", m, got, want)
				}
			}
		}
		if !found {
			t.Errorf("no row for %s in %s", m, fx.seen.String())
		}
	}
}
