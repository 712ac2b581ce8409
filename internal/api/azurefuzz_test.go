package api

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzAzureBody feeds arbitrary bodies to the Azure door's readers: none
// panics, and every query they accept is valid.
func FuzzAzureBody(f *testing.F) {
	for _, seed := range []string{
		`{"type":"Usage","timeframe":"MonthToDate","dataset":{"granularity":"Daily","filter":{"and":[{"or":[{"dimensions":{"name":"ResourceLocation","operator":"In","values":["East US","West Europe"]}},{"tags":{"name":"Environment","operator":"In","values":["UAT","Prod"]}}]},{"dimensions":{"name":"ResourceGroup","operator":"In","values":["API"]}}]}}}`,
		`{"type":"ActualCost","timeframe":"Custom","timePeriod":{"from":"2026-11-01T00:00:00+02:00","to":"2026-11-30"},"dataset":{"granularity":"Monthly","aggregation":{"b":{"name":"UsageQuantity","function":"Sum"},"a":{"name":"PreTaxCost","function":"Sum"}},"grouping":[{"type":"TagKey","name":"env"},{"type":"Dimension","name":"ChargeType"}],"sorting":[{"direction":"Descending","name":"a"}]}}`,
		`{"type":"AmortizedCost","timeframe":"WeekToDate","dataset":{"filter":{"not":{"tags":{"name":"team","operator":"NotExists"}}}},"includeActualCost":true}`,
		`{"dataset":{"aggregation":{"x":1}}}`, `{"dataset":{"aggregation":[]}}`, `{"dataset":{"filter":{"and":[null]}}}`,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var q azureQueryBody
		if json.Unmarshal(data, &q) == nil {
			if plan, err := q.plan(now); err == nil {
				if err := plan.q.Validate(); err != nil {
					t.Fatalf("an accepted body makes an invalid query: %v", err)
				}
				if len(plan.columns) < len(plan.costs)+1 {
					t.Fatalf("the answer's columns %v lack the costs %v", plan.columns, plan.costs)
				}
			}
		}
		var fc azureForecastBody
		if json.Unmarshal(data, &fc) == nil {
			if spec, _, err := fc.spec(now); err == nil {
				if err := spec.Period.Validate(); err != nil {
					t.Fatalf("an accepted forecast body has an invalid period: %v", err)
				}
			}
		}
	})
}
