package cost

import "context"

// CostView is the set of cost rows a scope's view covers: the rows that
// every filter keeps. Query, charges, collection (and later budgets and
// exports) all take a scope's rows from here.
type CostView struct {
	Scope   ScopeID
	Filters []Filter // all must hold
	// Empty is true when the view covers no rows at all: a management group
	// with no account or subscription below it yet.
	Empty bool
}

// ViewOf says which rows a scope's view covers, given the scopes below it
// (used only for a management group):
//
//   - a billing account: its whole bill, every row whose BillingAccountId is
//     its key (the payer), whichever account used it;
//   - a linked account or a subscription: its own rows, SubAccountId = key,
//     under whichever billing account they were billed;
//   - a management group: the union of the linked accounts and subscriptions
//     below it, at any depth (SubAccountId in their keys). Billing accounts
//     are outside the tree, so a group never takes a bill whole: a payer's
//     own usage counts in a group only when the payer's linked account
//     (aws/accounts/<payer>) sits below it, and rows without a SubAccountId
//     are seen only from their billing account.
//
// A connector is not a cost view: it is an Invalid error.
func ViewOf(s Scope, below []Scope) (CostView, error) {
	v := CostView{Scope: s.ID}
	switch s.ID.Kind() {
	case KindBillingAccount:
		v.Filters = []Filter{{Dimension: Dimension{Column: "BillingAccountId"}, Values: []string{s.ID.Key()}}}
	case KindLinkedAccount, KindSubscription:
		v.Filters = []Filter{{Dimension: Dimension{Column: "SubAccountId"}, Values: []string{s.ID.Key()}}}
	case KindManagementGroup:
		var keys []string
		for _, b := range below {
			if k := b.ID.Kind(); k == KindLinkedAccount || k == KindSubscription {
				keys = append(keys, b.ID.Key())
			}
		}
		if len(keys) == 0 {
			return CostView{Scope: s.ID, Empty: true}, nil
		}
		v.Filters = []Filter{{Dimension: Dimension{Column: "SubAccountId"}, Values: keys}}
	case KindConnector:
		return CostView{}, Errorf(EInvalid, "a connector has no costs of its own; query its billing account")
	default:
		return CostView{}, Errorf(EInvalid, "%s is not a scope with costs", s.ID)
	}
	return v, nil
}

// ViewIn reads what ViewOf needs for the scope with the ID: the scope, and
// for a management group the scopes below it. An unknown scope is NotFound.
func ViewIn(ctx context.Context, r ScopeReader, id ScopeID) (CostView, error) {
	s, ok, err := r.Scope(ctx, id)
	if err != nil {
		return CostView{}, err
	}
	if !ok {
		return CostView{}, Errorf(ENotFound, "scope %s does not exist", id)
	}
	var below []Scope
	if id.Kind() == KindManagementGroup {
		if below, err = r.Descendants(ctx, id); err != nil {
			return CostView{}, err
		}
	}
	return ViewOf(s, below)
}

// Restrict returns a copy of q limited to the view's rows, in Query.View:
// a group's thousands of accounts do not count against the caller's filter
// limits.
func (v CostView) Restrict(q *Query) *Query {
	out := *q
	out.View = append(append([]Filter(nil), q.View...), v.Filters...)
	return &out
}
