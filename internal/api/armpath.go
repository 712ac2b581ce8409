package api

import "strings"

// armSegments are the fixed segments of the Azure door's paths as ARM
// spells them. ARM matches them without regard to case, and Azure's own
// examples write them in several (…/Query in a nextLink).
var armSegments = map[string]string{}

func init() {
	for _, s := range []string{"providers", "Microsoft.CostManagement", "Microsoft.Management", "managementGroups", "Microsoft.Billing", "billingAccounts",
		"subscriptions", "externalBillingAccounts", "externalSubscriptions", "query", "forecast", "Microsoft.Consumption", "budgets"} {
		armSegments[strings.ToLower(s)] = s
	}
}

// armPath returns an Azure-door path as the routes spell it: one leading
// slash (Azure's docs write a scope as /subscriptions/…, which an SDK puts
// after the endpoint's own slash, and the router would answer that with a
// redirect the SDK follows without its token), and the fixed segments in
// ARM's case. The IDs between them are left as sent. Reckon's own /api/v1
// paths are returned unchanged.
func armPath(path string) string {
	trimmed := "/" + strings.TrimLeft(path, "/")
	if strings.HasPrefix(trimmed, "/api/") || trimmed == "/healthz" || trimmed == "/readyz" || trimmed == "/metrics" {
		return path
	}
	parts := strings.Split(trimmed, "/")
	known := false
	for i, p := range parts {
		// Only fixed positions: a segment after one that takes an ID is the ID.
		if i > 0 && idAfter(parts[i-1]) {
			continue
		}
		if canon, ok := armSegments[strings.ToLower(p)]; ok {
			parts[i] = canon
			known = known || canon == "providers"
		}
	}
	if !known {
		return path
	}
	return strings.Join(parts, "/")
}

// idAfter reports whether the segment after s is an ID (a group, a
// subscription, an account).
func idAfter(s string) bool {
	switch strings.ToLower(s) {
	case "managementgroups", "subscriptions", "billingaccounts", "externalbillingaccounts", "externalsubscriptions", "budgets":
		return true
	}
	return false
}
