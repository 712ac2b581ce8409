package cost

import "context"

// LoadReader is what AuthorizeLoad reads: scopes, and the caller's
// assignments. A CatalogReader is one.
type LoadReader interface {
	ScopeReader
	AccessReader
}

// AuthorizeLoad decides whether user may load rows that hold the accounts
// found, with new accounts going into group: a load adds to, and replaces,
// the costs of every billing account and account its rows name, so the
// user needs Contributor on group and on each of those that is a scope
// already. Accounts that are not scopes yet become the user's (Registrar).
// A billing account that cannot be a scope (a provider's other than AWS
// and Microsoft, whose billing accounts are not scopes yet, or an ID that
// does not fit its provider's form) has no owner to ask: loading it needs Contributor at the root
// group. A billing account a connector collects is refused (Conflict): the
// connector is the authority for its costs. Run it in the load's
// transaction (a RegisterFunc), so that what it checks holds for what
// commits; it returns a Forbidden error naming the first scope the user
// lacks.
func AuthorizeLoad(ctx context.Context, r LoadReader, user string, group ScopeID, found []LoadedAccount) error {
	if err := Authorize(ctx, r, user, ActionWrite, group); err != nil {
		return Errorf(EForbidden, "%s may not load costs into %s: new accounts go there, which needs Contributor on it", user, group)
	}
	checked := map[ScopeID]bool{group: true}
	need := func(id ScopeID, what string) error {
		if checked[id] {
			return nil
		}
		checked[id] = true
		s, ok, err := r.Scope(ctx, id)
		if err != nil || !ok {
			return err // a new scope: the load makes it the user's
		}
		role, ok, err := RoleOn(ctx, r, user, id)
		if err != nil {
			return err
		}
		if !ok || !role.Allows(ActionWrite) {
			return Errorf(EForbidden, "%s may not load costs of %s: the rows name %s, whose costs a load adds to and replaces, "+
				"and that needs Contributor on it; ask its Owner, or leave its rows out", user, id, what)
		}
		if s.Connector != "" && id.Kind() == KindBillingAccount {
			return Errorf(EConflict, "billing account %s is collected by %s, which is the authority for its costs (its next collection "+
				"would replace what a load put there): collect it now (reckon connector collect %s) rather than load its files",
				id.Key(), s.Connector, s.Connector.Key())
		}
		return nil
	}
	for _, a := range found {
		billing, sub := loadScopes(a)
		if billing == "" {
			if err := need(RootGroup, "billing account "+Quote(a.BillingAccountID)+", which cannot be a scope"); err != nil {
				return err
			}
		} else if err := need(billing, "billing account "+billing.Key()); err != nil {
			return err
		}
		if sub != "" {
			what := "account " + sub.Key()
			if sub.Kind() == KindSubscription {
				what = "subscription " + sub.Key()
			}
			if err := need(sub, what); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadScopes returns the scopes a loaded account pair would be: the billing
// account's (empty when it cannot be one) and the account's (empty when it
// cannot be one, or is the billing account itself without a scope of its
// own kind).
func loadScopes(a LoadedAccount) (billing, sub ScopeID) {
	forms, ok := accountForms[a.Provider]
	if !ok {
		if a.Provider == "" || ProviderSlug(a.Provider) == "reckon" {
			// Reckon's own charge rows name a subscription that may be one.
			if id, err := SubscriptionID(a.SubAccountID); err == nil && a.SubAccountID != "" {
				sub = id
			}
			return "", sub
		}
		forms = providerForms(a.Provider)
	}
	if id, err := forms.billing(a.BillingAccountID); err == nil {
		billing = id
	}
	if id, err := forms.account(a.SubAccountID); err == nil && a.SubAccountID != "" {
		sub = id
	}
	return billing, sub
}
