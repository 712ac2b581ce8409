package cost

import (
	"cmp"
	"context"
	"time"
)

// Registration is what one load found: the billing account whose bill it
// holds and the accounts that used it. Every load registers one, whatever
// its source (a connector's collection, a folder or file, an upload), so
// that every account with cost has a scope.
type Registration struct {
	BillingAccount Account   // aws/billing/<payer>
	Accounts       []Account // the linked accounts, in the order found
	// Connector is the connector that collected the load; empty for a load
	// without one (reckon ingest, an upload).
	Connector ScopeID
	// Owner becomes Owner of each new billing and linked account: the
	// connector's creator, or the user who loaded the files.
	Owner string
	// Group is where new linked accounts go: the connector's default
	// management group, or the one the loading user named; the root when
	// empty.
	Group ScopeID
	// Time stamps the audit entries.
	Time time.Time
}

// registrable says what a registration may name, by provider: the billing
// account and the kind of its accounts.
var registrable = map[string]struct {
	account ScopeKind
	forms   string
}{
	"AWS":       {KindLinkedAccount, "an AWS billing account aws/billing/<12-digit payer id> and accounts aws/accounts/<12-digit account id>"},
	"Microsoft": {KindSubscription, "an Azure billing account azure/billingAccounts/<id> and subscriptions azure/subscriptions/<guid>"},
}

// RegisterAccounts adds what a load found that the catalog lacks, and
// returns the new scopes in the order added (the billing account first).
// Scopes that exist are left where they are, with their assignments; only
// their name and status change, and only to a non-empty value that
// differs. For each new scope:
//   - r.Owner becomes Owner of a new billing account and of every new
//     linked account;
//   - a new linked account goes into r.Group;
//   - with a connector, a new linked account also receives copies of the
//     connector's assignments as they stand now: assignments made on the
//     connector later reach only accounts discovered later (product.md §6).
//
// With a connector these are exactly Discover's rules. A billing account
// that another connector discovered is a Conflict.
func RegisterAccounts(ctx context.Context, tx CatalogTx, r Registration) ([]ScopeID, error) {
	if err := checkRegistration(ctx, tx, r); err != nil {
		return nil, err
	}
	var copies []Assignment
	if r.Connector != "" {
		var err error
		if copies, err = tx.Assignments(ctx, AssignmentFilter{Scope: r.Connector}); err != nil {
			return nil, err
		}
	}
	by := "loaded by " + r.Owner
	if r.Connector != "" {
		by = "by " + string(r.Connector)
	}
	reg := registrar{tx: tx, r: r, by: by}
	if err := reg.add(ctx, r.BillingAccount, Scope{Connector: r.Connector}, nil); err != nil {
		return nil, err
	}
	for _, a := range r.Accounts {
		sc := Scope{Group: cmp.Or(r.Group, RootGroup), BillingAccount: r.BillingAccount.ID, Connector: r.Connector}
		if err := reg.add(ctx, a, sc, copies); err != nil {
			return nil, err
		}
	}
	return reg.added, nil
}

// checkRegistration checks every ID before anything is written.
func checkRegistration(ctx context.Context, tx CatalogTx, r Registration) error {
	if r.Connector != "" {
		if _, err := needScope(ctx, tx, r.Connector, KindConnector); err != nil {
			return err
		}
	}
	if _, err := needScope(ctx, tx, cmp.Or(r.Group, RootGroup), KindManagementGroup); err != nil {
		return err
	}
	forms, ok := registrable[r.BillingAccount.ID.Provider()]
	if !ok {
		forms.account, forms.forms = KindLinkedAccount, "a billing account providers/<provider>/billingAccounts/<id> and its accounts providers/<provider>/accounts/<id>"
	}
	for i, a := range append([]Account{r.BillingAccount}, r.Accounts...) {
		want := forms.account
		if i == 0 {
			want = KindBillingAccount
		}
		if _, err := ParseScopeID(string(a.ID)); err != nil {
			return err
		}
		if a.ID.Kind() != want || forms.account == "" || a.ID.Provider() != r.BillingAccount.ID.Provider() {
			return Errorf(EInvalid, "%s does not fit a registration: name %s", Quote(string(a.ID)), cmp.Or(forms.forms, registrable["AWS"].forms))
		}
	}
	b, ok, err := tx.Scope(ctx, r.BillingAccount.ID)
	if err != nil {
		return err
	}
	if ok && r.Connector != "" && b.Connector != "" && b.Connector != r.Connector {
		return Errorf(EConflict, "billing account %s belongs to %s, not %s", b.ID, b.Connector, r.Connector)
	}
	return nil
}

// registrar adds a registration's scopes one at a time.
type registrar struct {
	tx    CatalogTx
	r     Registration
	by    string
	added []ScopeID
}

// add adds a as a scope shaped like sc, with its owner and copies, or
// refreshes the name and status of the scope that exists. Names and
// statuses come from AWS (Organizations, CUR rows), not from a person who
// could fix them: they are cleaned (CleanName), never refused.
func (g *registrar) add(ctx context.Context, a Account, sc Scope, copies []Assignment) error {
	a.Name, a.Status = CleanName(a.Name), CleanName(a.Status)
	old, ok, err := g.tx.Scope(ctx, a.ID)
	if err != nil {
		return err
	}
	if ok {
		return g.refresh(ctx, old, a)
	}
	sc.ID, sc.Name, sc.Status = a.ID, cmp.Or(a.Name, a.ID.Key()), a.Status
	if err := AddScope(ctx, g.tx, sc); err != nil {
		return err
	}
	g.added = append(g.added, a.ID)
	if g.r.Owner != "" {
		if err := g.tx.AddAssignment(ctx, Assignment{User: g.r.Owner, Role: RoleOwner, Scope: a.ID}); err != nil {
			return err
		}
	}
	for _, c := range copies {
		if err := g.tx.AddAssignment(ctx, Assignment{User: c.User, Role: c.Role, Scope: a.ID}); err != nil {
			return err
		}
	}
	return g.tx.Audit(ctx, AuditEntry{Time: g.r.Time, User: "reckon", Action: "scope.discover", Scope: a.ID, Detail: g.by})
}

// refresh takes a non-empty name or status that differs from the scope's.
func (g *registrar) refresh(ctx context.Context, s Scope, a Account) error {
	changed := false
	if a.Name != "" && a.Name != s.Name && s.NamedBy == "" {
		s.Name, changed = a.Name, true
	}
	if a.Status != "" && a.Status != s.Status {
		s.Status, changed = a.Status, true
	}
	if !changed {
		return nil
	}
	if err := g.tx.PutScope(ctx, s); err != nil {
		return err
	}
	return g.tx.Audit(ctx, AuditEntry{Time: g.r.Time, User: "reckon", Action: "scope.update", Scope: s.ID, Detail: s.Name + ", " + s.Status})
}

// Registrations turns the accounts a load's rows hold into one
// Registration per billing account, each a copy of template (connector,
// owner, group, time) with the accounts filled in. AWS rows give a billing
// account (the payer) and linked accounts; Microsoft rows an Azure billing
// account and subscriptions; another provider's rows (a FOCUS file of
// Google's or Oracle's) a billing account and accounts under
// providers/<provider>/. Account IDs
// that do not fit their provider's form (anonymised CURs carry 6- or
// 13-digit ones) cannot be scopes: they are returned in skipped, and their
// rows load all the same; an account of a billing account that is skipped
// is skipped with it.
func Registrations(found []LoadedAccount, template Registration) (regs []Registration, skipped []string) {
	index := map[[2]string]int{}
	for _, a := range found {
		ids, ok := accountForms[a.Provider]
		if !ok {
			if a.Provider == "" || ProviderSlug(a.Provider) == "reckon" {
				continue // Reckon's own charge rows name a subscription that exists
			}
			ids = providerForms(a.Provider)
		}
		key := [2]string{a.Provider, a.BillingAccountID}
		i, ok := index[key]
		if !ok {
			i = -1
			if id, err := ids.billing(a.BillingAccountID); err == nil {
				r := template
				r.BillingAccount, r.Accounts = Account{ID: id, Name: a.BillingAccountName}, nil
				i = len(regs)
				regs = append(regs, r)
			} else {
				skipped = append(skipped, a.BillingAccountID)
			}
			index[key] = i
		}
		if a.SubAccountID == "" {
			continue
		}
		id, err := ids.account(a.SubAccountID)
		if i < 0 || err != nil {
			if a.SubAccountID != a.BillingAccountID || i >= 0 {
				skipped = append(skipped, a.SubAccountID)
			}
			continue
		}
		regs[i].Accounts = append(regs[i].Accounts, Account{ID: id, Name: a.SubAccountName})
	}
	return regs, skipped
}

// accountForm makes the scope IDs of one provider's billing accounts and
// accounts.
type accountForm struct {
	billing, account func(string) (ScopeID, error)
}

// accountForms are the scope IDs of AWS's and Microsoft's billing accounts
// and accounts, by FOCUS ProviderName; other providers' are providerForms.
var accountForms = map[string]accountForm{
	"AWS":       {BillingAccountID, LinkedAccountID},
	"Microsoft": {AzureBillingAccountID, SubscriptionID},
}

// providerForms are the scope IDs of another provider's billing accounts
// and accounts: providers/<provider>/billingAccounts/<id> and
// providers/<provider>/accounts/<id>.
func providerForms(provider string) accountForm {
	return accountForm{
		billing: func(id string) (ScopeID, error) { return ProviderBillingAccountID(provider, id) },
		account: func(id string) (ScopeID, error) { return ProviderAccountID(provider, id) },
	}
}
