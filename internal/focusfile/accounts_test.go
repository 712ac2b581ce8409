package focusfile

import (
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

func TestMicrosoftAccountsAreKeyedAsAzureScopes(t *testing.T) {
	for _, c := range []struct {
		provider, billing, sub string
		wantBilling, wantSub   string
	}{
		{"Microsoft", "/providers/Microsoft.Billing/billingAccounts/8611537", "/subscriptions/64E355D7-997C-491D-B0C1-8414DCCFCF42",
			"8611537", "64e355d7-997c-491d-b0c1-8414dccfcf42"},
		{"Microsoft", "/PROVIDERS/microsoft.billing/BILLINGACCOUNTS/aa:bb_2019-05-31", "/subscriptions/x/resourceGroups/y",
			"aa:bb_2019-05-31", "/subscriptions/x/resourceGroups/y"},
		{"Microsoft", "12345678", "64e355d7-997c-491d-b0c1-8414dccfcf42", "12345678", "64e355d7-997c-491d-b0c1-8414dccfcf42"},
		{"AWS", "/providers/Microsoft.Billing/billingAccounts/1", "/subscriptions/A", "/providers/Microsoft.Billing/billingAccounts/1", "/subscriptions/A"},
	} {
		row := &cost.Row{ProviderName: c.provider, BillingAccountID: c.billing, SubAccountID: c.sub}
		microsoftAccounts(row)
		if row.BillingAccountID != c.wantBilling || row.SubAccountID != c.wantSub {
			t.Errorf("%s %s %s → %s %s, want %s %s", c.provider, c.billing, c.sub, row.BillingAccountID, row.SubAccountID, c.wantBilling, c.wantSub)
		}
	}
}
