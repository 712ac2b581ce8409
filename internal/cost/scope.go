package cost

import "strings"

// ScopeKind is what a scope is. Access and cost coverage depend on it.
type ScopeKind string

// The scope kinds (product.md §5).
const (
	KindManagementGroup ScopeKind = "ManagementGroup" // mg/<id>, a node of the tree under mg/root
	KindSubscription    ScopeKind = "Subscription"    // azure/subscriptions/<guid>
	KindBillingAccount  ScopeKind = "BillingAccount"  // aws/billing/<payer-id> or azure/billingAccounts/<id>: whose bill it is
	KindLinkedAccount   ScopeKind = "LinkedAccount"   // aws/accounts/<account-id>
	KindConnector       ScopeKind = "Connector"       // connectors/<name>
)

// ScopeID names a scope the same way everywhere: API paths, CLI, UI and logs.
// Build one with a constructor or ParseScopeID, which validate it.
type ScopeID string

// RootGroup is the management group at the top of the tree.
const RootGroup ScopeID = "mg/root"

// RootGroupName is the root group's display name, as in Azure.
const RootGroupName = "Tenant Root Group"

const scopeFormsHelp = "use mg/<id>, azure/subscriptions/<guid>, azure/billingAccounts/<id>, " +
	"aws/billing/<12-digit payer id>, aws/accounts/<12-digit account id>, " +
	"providers/<provider>/billingAccounts/<id>, providers/<provider>/accounts/<id> or connectors/<name>"

// ParseScopeID validates s as a scope ID and returns it in canonical form
// (subscription GUIDs in lower case). A bad ID is an EInvalid error that
// names the expected forms.
func ParseScopeID(s string) (ScopeID, error) {
	p, rest, ok := splitScopeID(s)
	if !ok {
		return "", Errorf(EInvalid, "scope ID %s is not valid: %s", Quote(s), scopeFormsHelp)
	}
	if p.fold {
		rest = strings.ToLower(rest)
	}
	if why := p.check(rest); why != "" {
		return "", Errorf(EInvalid, "scope ID %s is not valid: %s; %s", Quote(s), why, scopeFormsHelp)
	}
	return ScopeID(p.prefix + rest), nil
}

// ManagementGroupID returns mg/<id>; "root" names the root group.
func ManagementGroupID(id string) (ScopeID, error) { return ParseScopeID("mg/" + id) }

// SubscriptionID returns azure/subscriptions/<guid>.
func SubscriptionID(guid string) (ScopeID, error) {
	return ParseScopeID("azure/subscriptions/" + guid)
}

// BillingAccountID returns aws/billing/<payer-id> for an AWS consolidated
// (payer) account.
func BillingAccountID(payerID string) (ScopeID, error) { return ParseScopeID("aws/billing/" + payerID) }

// AzureBillingAccountID returns azure/billingAccounts/<id> for an Azure
// billing account: an EA enrollment number, an MCA or MOSP billing account
// ID ("<guid>:<guid>_2019-05-31"), or for exports that name none, the
// subscription that stands for its own bill.
func AzureBillingAccountID(id string) (ScopeID, error) {
	return ParseScopeID("azure/billingAccounts/" + id)
}

// ProviderBillingAccountID returns providers/<provider>/billingAccounts/<id>
// for a billing account of a provider other than AWS and Microsoft, named
// by its FOCUS ProviderName.
func ProviderBillingAccountID(provider, id string) (ScopeID, error) {
	return ParseScopeID(providerScopes + ProviderSlug(provider) + "/billingAccounts/" + id)
}

// ProviderAccountID returns providers/<provider>/accounts/<id> for an
// account (a FOCUS SubAccountId: a project, a compartment) of a provider
// other than AWS and Microsoft.
func ProviderAccountID(provider, id string) (ScopeID, error) {
	return ParseScopeID(providerScopes + ProviderSlug(provider) + "/accounts/" + id)
}

// LinkedAccountID returns aws/accounts/<account-id>.
func LinkedAccountID(accountID string) (ScopeID, error) {
	return ParseScopeID("aws/accounts/" + accountID)
}

// ConnectorID returns connectors/<name>.
func ConnectorID(name string) (ScopeID, error) { return ParseScopeID("connectors/" + name) }

// Kind returns the kind the ID's prefix names, and "" for an unknown prefix.
// It does not validate the rest: ParseScopeID does.
func (id ScopeID) Kind() ScopeKind {
	p, _, ok := splitScopeID(string(id))
	if !ok {
		return ""
	}
	return p.kind
}

// Provider returns the FOCUS ProviderName of the rows a billing account,
// account or subscription covers (AWS or Microsoft), another provider's
// slug (google-cloud) for theirs, and "" for groups and connectors.
func (id ScopeID) Provider() string {
	p, _, _ := splitScopeID(string(id))
	return p.provider
}

// Key returns the last part of the ID: the group id, GUID, account number
// or connector name.
func (id ScopeID) Key() string {
	_, rest, _ := splitScopeID(string(id))
	return rest
}

// String returns the ID.
func (id ScopeID) String() string { return string(id) }

// scopeForm is one prefix of scope IDs: the kind it names, the provider of
// its rows, and how its key is checked. A kind may have several forms (a
// billing account of AWS or of Azure). No prefix is a prefix of another, so
// the order does not matter.
type scopeForm struct {
	kind     ScopeKind
	prefix   string
	provider string
	fold     bool // the key is case-insensitive and kept in lower case
	check    func(string) string
}

var scopeForms = []scopeForm{
	{KindManagementGroup, "mg/", "", false, checkGroupName},
	{KindSubscription, "azure/subscriptions/", "Microsoft", true, checkGUID},
	{KindBillingAccount, "azure/billingAccounts/", "Microsoft", false, checkAzureBillingAccount},
	{KindBillingAccount, "aws/billing/", "AWS", false, checkAccountNumber},
	{KindLinkedAccount, "aws/accounts/", "AWS", false, checkAccountNumber},
	{KindConnector, "connectors/", "", false, checkConnectorName},
}

func splitScopeID(s string) (scopeForm, string, bool) {
	for _, p := range scopeForms {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			return p, rest, true
		}
	}
	return splitProviderScope(s)
}

// providerScopes is the prefix of the scopes of other providers' billing
// accounts and accounts, read from FOCUS files (Google Cloud, Oracle…):
// providers/<provider>/billingAccounts/<id> and
// providers/<provider>/accounts/<id>, where <provider> is the FOCUS
// ProviderName as a slug (ProviderSlug).
const providerScopes = "providers/"

// splitProviderScope splits a scope ID of another provider's billing
// account or account.
func splitProviderScope(s string) (scopeForm, string, bool) {
	rest, ok := strings.CutPrefix(s, providerScopes)
	if !ok {
		return scopeForm{}, "", false
	}
	slug, rest, ok := strings.Cut(rest, "/")
	if !ok || slug != ProviderSlug(slug) || slug == "" || len(slug) > 40 {
		return scopeForm{}, "", false
	}
	for _, f := range []struct {
		kind    ScopeKind
		segment string
	}{{KindBillingAccount, "billingAccounts/"}, {KindLinkedAccount, "accounts/"}} {
		if key, ok := strings.CutPrefix(rest, f.segment); ok {
			return scopeForm{kind: f.kind, prefix: providerScopes + slug + "/" + f.segment, provider: slug, check: checkProviderAccount}, key, true
		}
	}
	return scopeForm{}, "", false
}

// ProviderSlug is a FOCUS ProviderName as one segment of a scope ID: lower
// case, each run of other characters than letters and digits one '-'
// ("Google Cloud" → google-cloud).
func ProviderSlug(provider string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(provider) {
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// checkProviderAccount accepts the IDs other providers give billing
// accounts and accounts: Google's 01A2B3-C4D5E6-F7A8B9 and project IDs,
// Oracle's OCIDs.
func checkProviderAccount(s string) string {
	const msg = "an account id of another provider has 1 to 128 letters, digits, '.', '_', ':', '@' and '-'"
	if s == "" || len(s) > 128 {
		return msg
	}
	for _, c := range s {
		if !isAlnum(c) && !strings.ContainsRune("._:@-", c) {
			return msg
		}
	}
	return ""
}

// checkGroupName follows Azure's rules for management group ids.
func checkGroupName(s string) string {
	if s == "" || len(s) > 90 {
		return "a management group id has 1 to 90 characters"
	}
	for _, c := range s {
		if !isAlnum(c) && !strings.ContainsRune("-_.()", c) {
			return "a management group id has only letters, digits, '-', '_', '.', '(' and ')'"
		}
	}
	if strings.HasSuffix(s, ".") {
		return "a management group id cannot end with '.'"
	}
	return ""
}

func checkGUID(s string) string {
	const msg = "a subscription id is a GUID like 00000000-0000-0000-0000-000000000000"
	if len(s) != 36 {
		return msg
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return msg
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return msg
			}
		}
	}
	return ""
}

// checkAzureBillingAccount accepts the forms Azure's billing account IDs
// take: an EA enrollment number (digits), an MCA or MOSP ID
// ("<guid>:<guid>_2019-05-31"), or a subscription GUID.
func checkAzureBillingAccount(s string) string {
	const msg = "an Azure billing account id is an EA enrollment number or an MCA id such as <guid>:<guid>_2019-05-31 " +
		"(1 to 128 letters, digits, ':', '_', '-' and '.')"
	if s == "" || len(s) > 128 {
		return msg
	}
	for _, c := range s {
		if !isAlnum(c) && !strings.ContainsRune(":_-.", c) {
			return msg
		}
	}
	return ""
}

// Account numbers stay strings: leading zeros are part of them.
func checkAccountNumber(s string) string {
	if len(s) != 12 || strings.Trim(s, "0123456789") != "" {
		return "an AWS account id has exactly 12 digits, leading zeros included"
	}
	return ""
}

func checkConnectorName(s string) string {
	const msg = "a connector name has 1 to 63 lower-case letters, digits and '-', and starts and ends with a letter or digit"
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return msg
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return msg
		}
	}
	return ""
}

func isAlnum(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Scope is one node Reckon controls access to and reports cost for.
type Scope struct {
	ID   ScopeID
	Name string // display name
	// Group is the management group a group, subscription or linked account
	// sits in: exactly one, the root when empty on Add. It is empty for the
	// root, billing accounts and connectors.
	Group ScopeID
	// BillingAccount is a linked account's consolidated account.
	BillingAccount ScopeID
	// Connector is the connector (or source) that discovered a billing or
	// linked account or a subscription.
	Connector ScopeID
	// Status is an AWS account's status in Organizations (ACTIVE, SUSPENDED,
	// CLOSED…), empty when unknown. Closed accounts stay, marked.
	Status string
	// NamedBy is the user who named an account or subscription scope
	// (RenameScope); empty when its name came from the source
	// (Organizations, a cost file) or its creation. A source's name never
	// replaces one a user gave.
	NamedBy string
}
