package focusfile

import (
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Microsoft's FOCUS export writes accounts as ARM paths; Reckon keys them as
// Azure cost exports and its scopes do.
const (
	armSubscription   = "/subscriptions/"
	armBillingAccount = "/providers/Microsoft.Billing/billingAccounts/"
)

// microsoftAccounts rewrites a Microsoft row's ARM paths to the keys of
// Reckon's Azure scopes: SubAccountId "/subscriptions/<GUID>" becomes the
// GUID in lower case (Azure writes either case), BillingAccountId
// "/providers/Microsoft.Billing/billingAccounts/<id>" the ID, so that rows
// from a FOCUS export and from a cost details export of one subscription
// are seen from the same scope. Other rows are left as written.
func microsoftAccounts(row *cost.Row) {
	if row.ProviderName != "Microsoft" {
		return
	}
	if guid, ok := cutPrefixFold(row.SubAccountID, armSubscription); ok && !strings.Contains(guid, "/") {
		row.SubAccountID = strings.ToLower(guid)
	}
	if id, ok := cutPrefixFold(row.BillingAccountID, armBillingAccount); ok && id != "" && !strings.Contains(id, "/") {
		row.BillingAccountID = id
	}
}

// cutPrefixFold is strings.CutPrefix without regard to case: ARM paths are
// case-insensitive.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
