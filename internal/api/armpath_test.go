package api

import "testing"

func TestARMPathsAreReadAsARMReadsThem(t *testing.T) {
	for in, want := range map[string]string{
		"//subscriptions/ABC/providers/Microsoft.CostManagement/query":           "/subscriptions/ABC/providers/Microsoft.CostManagement/query",
		"/Subscriptions/abc/Providers/microsoft.costmanagement/Query":            "/subscriptions/abc/providers/Microsoft.CostManagement/query",
		"/providers/microsoft.management/MANAGEMENTGROUPS/Query/providers/x":     "/providers/Microsoft.Management/managementGroups/Query/providers/x",
		"/providers/Microsoft.CostManagement/externalSubscriptions/123/forecast": "/providers/Microsoft.CostManagement/externalSubscriptions/123/forecast",
		"/api/v1/query":      "/api/v1/query",
		"//api/v1/query":     "//api/v1/query",
		"/subscriptions/abc": "/subscriptions/abc",
	} {
		if got := armPath(in); got != want {
			t.Errorf("armPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTheAzureDoorTakesAScopeWithALeadingSlash: the URL an SDK makes of
// the scope "/providers/…" answers, rather than redirecting without the
// token.
func TestTheAzureDoorTakesAScopeWithALeadingSlash(t *testing.T) {
	h := newHarness(t)
	body := map[string]any{"type": "ActualCost", "timeframe": "MonthToDate",
		"dataset": map[string]any{"granularity": "None", "aggregation": map[string]any{"totalCost": map[string]string{"name": "Cost", "function": "Sum"}}}}
	for _, path := range []string{
		"//providers/Microsoft.Management/managementGroups/root/providers/Microsoft.CostManagement/query?api-version=2022-10-01",
		"/providers/microsoft.management/managementGroups/root/providers/Microsoft.CostManagement/Query?api-version=2022-10-01",
	} {
		if status := h.do(h.admin, "POST", path, body, nil); status != 200 {
			t.Errorf("%s: %d, want 200", path, status)
		}
	}
}
