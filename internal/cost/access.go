package cost

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// Role is a built-in role (product.md §6).
type Role string

// The built-in roles, from weakest to strongest.
const (
	RoleReader      Role = "Reader"      // read only
	RoleContributor Role = "Contributor" // everything except managing access
	RoleOwner       Role = "Owner"       // everything
)

// ParseRole returns the role named s, in any letter case.
func ParseRole(s string) (Role, error) {
	for _, r := range []Role{RoleReader, RoleContributor, RoleOwner} {
		if strings.EqualFold(s, string(r)) {
			return r, nil
		}
	}
	return "", Errorf(EInvalid, "role %s is not valid: use Owner, Contributor or Reader", Quote(s))
}

// rank orders roles; an unknown role grants nothing.
func (r Role) rank() int {
	switch r {
	case RoleReader:
		return 1
	case RoleContributor:
		return 2
	case RoleOwner:
		return 3
	}
	return 0
}

// Action is what a user asks to do on a scope.
type Action string

// The actions the rules decide.
const (
	ActionRead         Action = "Read"         // needs Reader
	ActionWrite        Action = "Write"        // needs Contributor
	ActionVerify       Action = "Verify"       // verify a connector; needs Contributor
	ActionManageAccess Action = "ManageAccess" // assign and remove roles; needs Owner
)

// Words is the action as a verb in a sentence: "bob may not manage access
// on mg/root".
func (a Action) Words() string {
	switch a {
	case ActionManageAccess:
		return "manage access on"
	default:
		return strings.ToLower(string(a))
	}
}

// Allows reports whether the role permits the action: Owner everything,
// Contributor everything except managing access, Reader only reading.
func (r Role) Allows(a Action) bool {
	var need Role
	switch a {
	case ActionRead:
		need = RoleReader
	case ActionWrite, ActionVerify:
		need = RoleContributor
	case ActionManageAccess:
		need = RoleOwner
	default:
		return false
	}
	return r.rank() >= need.rank()
}

// Assignment gives a user a role on a scope.
type Assignment struct {
	User  string
	Role  Role
	Scope ScopeID
}

// inheritsFromGroups reports whether a scope kind takes the assignments of
// the management groups above it. Groups, subscriptions and linked accounts
// do. Billing accounts and connectors are outside the tree and take only
// their own. A linked account never inherits from its billing account or its
// connector: what it gets from the connector are copies made at discovery.
func inheritsFromGroups(k ScopeKind) bool {
	return k == KindManagementGroup || k == KindSubscription || k == KindLinkedAccount
}

// accessPath returns the scopes whose assignments apply to id: id itself
// and, if it inherits, every management group above it. It is empty for an
// unknown scope.
func (h *Hierarchy) accessPath(id ScopeID) []ScopeID {
	if _, ok := h.scopes[id]; !ok {
		return nil
	}
	if !inheritsFromGroups(id.Kind()) {
		return []ScopeID{id}
	}
	return h.groupPath(id)
}

// EffectiveRole returns the strongest role the user holds on the scope, by
// its own assignments and those inherited from the groups above it, and
// false if the user holds none. Assignments on unknown scopes count for
// nothing.
func EffectiveRole(user string, scope ScopeID, h *Hierarchy, as []Assignment) (Role, bool) {
	path := h.accessPath(scope)
	var best Role
	for _, a := range as {
		if a.User == user && a.Role.rank() > best.rank() && slices.Contains(path, a.Scope) {
			best = a.Role
		}
	}
	return best, best != ""
}

// Can reports whether the user may do the action on the scope.
func Can(user string, action Action, scope ScopeID, h *Hierarchy, as []Assignment) bool {
	r, ok := EffectiveRole(user, scope, h, as)
	return ok && r.Allows(action)
}

// VisibleScopes returns the scopes the user may read, sorted. Reading a scope
// does not reveal the groups above it.
func VisibleScopes(user string, h *Hierarchy, as []Assignment) []ScopeID {
	var out []ScopeID
	for _, s := range h.Scopes() {
		if Can(user, ActionRead, s.ID, h, as) {
			out = append(out, s.ID)
		}
	}
	return out
}

// ConnectorCreated returns the scope of a new connector and the assignment
// that makes its creator its Owner.
func ConnectorCreated(id ScopeID, name, creator string) (Scope, Assignment) {
	return Scope{ID: id, Name: name}, Assignment{User: creator, Role: RoleOwner, Scope: id}
}

// Account is an AWS account a connector found in its report and in AWS
// Organizations.
type Account struct {
	ID     ScopeID // aws/billing/<id> for the payer, aws/accounts/<id> for a linked account
	Name   string
	Status string // from Organizations: ACTIVE, SUSPENDED, CLOSED…; empty when unknown
}

// Discovery is what one collection of a connector found.
type Discovery struct {
	Connector      ScopeID
	Creator        string    // the connector's creator
	BillingAccount Account   // the consolidated (payer) account
	Accounts       []Account // the linked accounts, in the order found
	// DefaultGroup is the connector's default management group for new
	// linked accounts; the root when empty.
	DefaultGroup ScopeID
}

// Discover returns the scopes a collection adds and the assignments that
// come with them, given the current assignments; it changes nothing. Scopes
// already in h are left as they are and get nothing. For each new scope:
//   - the creator becomes Owner of a new billing account and of every new
//     linked account;
//   - a new linked account goes into the default group and receives copies
//     of the connector's assignments as they stand now. Assignments made on
//     the connector later are not copied to it: they reach only accounts
//     discovered later.
//
// Add the scopes to h in the order returned (the billing account first).
func Discover(h *Hierarchy, d Discovery, current []Assignment) ([]Scope, []Assignment, error) {
	ctx := context.Background()
	if _, err := needScope(ctx, h.Rows(), d.Connector, KindConnector); err != nil {
		return nil, nil, err
	}
	group := cmp.Or(d.DefaultGroup, RootGroup)
	if _, err := needScope(ctx, h.Rows(), group, KindManagementGroup); err != nil {
		return nil, nil, err
	}
	if _, err := ParseScopeID(string(d.BillingAccount.ID)); err != nil {
		return nil, nil, err
	}
	if k := d.BillingAccount.ID.Kind(); k != KindBillingAccount {
		return nil, nil, Errorf(EInvalid, "%s is not a billing account ID: use aws/billing/<12-digit payer id>", Quote(string(d.BillingAccount.ID)))
	}
	if b, ok := h.scopes[d.BillingAccount.ID]; ok && b.Connector != d.Connector {
		return nil, nil, Errorf(EConflict, "billing account %s belongs to %s, not %s", b.ID, b.Connector, d.Connector)
	}
	for _, a := range d.Accounts {
		if _, err := ParseScopeID(string(a.ID)); err != nil {
			return nil, nil, err
		}
		if a.ID.Kind() != KindLinkedAccount {
			return nil, nil, Errorf(EInvalid, "%s is not a linked account ID: use aws/accounts/<12-digit account id>", Quote(string(a.ID)))
		}
	}

	var scopes []Scope
	var grants []Assignment
	grant := func(a Assignment) {
		if !slices.Contains(grants, a) && !slices.Contains(current, a) {
			grants = append(grants, a)
		}
	}
	owner := func(id ScopeID) { grant(Assignment{User: d.Creator, Role: RoleOwner, Scope: id}) }
	if _, ok := h.scopes[d.BillingAccount.ID]; !ok {
		scopes = append(scopes, Scope{ID: d.BillingAccount.ID, Name: d.BillingAccount.Name, Connector: d.Connector, Status: d.BillingAccount.Status})
		owner(d.BillingAccount.ID)
	}
	added := map[ScopeID]bool{}
	for _, a := range d.Accounts {
		if _, ok := h.scopes[a.ID]; ok || added[a.ID] {
			continue
		}
		added[a.ID] = true
		scopes = append(scopes, Scope{ID: a.ID, Name: a.Name, Group: group,
			BillingAccount: d.BillingAccount.ID, Connector: d.Connector, Status: a.Status})
		owner(a.ID)
		for _, c := range current {
			if c.Scope == d.Connector {
				grant(Assignment{User: c.User, Role: c.Role, Scope: a.ID})
			}
		}
	}
	return scopes, grants, nil
}
