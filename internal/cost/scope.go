package cost

import (
	"cmp"
	"slices"
	"strings"
)

// ScopeKind is what a scope is. Access and cost coverage depend on it.
type ScopeKind string

// The scope kinds (product.md §5).
const (
	KindManagementGroup ScopeKind = "ManagementGroup" // mg/<id>, a node of the tree under mg/root
	KindSubscription    ScopeKind = "Subscription"    // azure/subscriptions/<guid>
	KindBillingAccount  ScopeKind = "BillingAccount"  // aws/billing/<payer-id>, the AWS consolidated account
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

const scopeForms = "use mg/<id>, azure/subscriptions/<guid>, aws/billing/<12-digit payer id>, " +
	"aws/accounts/<12-digit account id> or connectors/<name>"

// ParseScopeID validates s as a scope ID and returns it in canonical form
// (subscription GUIDs in lower case). A bad ID is an EInvalid error that
// names the expected forms.
func ParseScopeID(s string) (ScopeID, error) {
	kind, rest, ok := splitScopeID(s)
	if !ok {
		return "", Errorf(EInvalid, "scope ID %q is not valid: %s", s, scopeForms)
	}
	var why string
	switch kind {
	case KindManagementGroup:
		why = checkGroupName(rest)
	case KindSubscription:
		rest = strings.ToLower(rest)
		why = checkGUID(rest)
	case KindBillingAccount, KindLinkedAccount:
		why = checkAccountNumber(rest)
	case KindConnector:
		why = checkConnectorName(rest)
	}
	if why != "" {
		return "", Errorf(EInvalid, "scope ID %q is not valid: %s; %s", s, why, scopeForms)
	}
	return ScopeID(scopePrefix(kind) + rest), nil
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

// LinkedAccountID returns aws/accounts/<account-id>.
func LinkedAccountID(accountID string) (ScopeID, error) {
	return ParseScopeID("aws/accounts/" + accountID)
}

// ConnectorID returns connectors/<name>.
func ConnectorID(name string) (ScopeID, error) { return ParseScopeID("connectors/" + name) }

// Kind returns the kind the ID's prefix names, and "" for an unknown prefix.
// It does not validate the rest: ParseScopeID does.
func (id ScopeID) Kind() ScopeKind {
	k, _, ok := splitScopeID(string(id))
	if !ok {
		return ""
	}
	return k
}

// Key returns the last part of the ID: the group id, GUID, account number
// or connector name.
func (id ScopeID) Key() string {
	_, rest, _ := splitScopeID(string(id))
	return rest
}

// String returns the ID.
func (id ScopeID) String() string { return string(id) }

// No prefix is a prefix of another, so the order does not matter.
var scopePrefixes = []struct {
	kind   ScopeKind
	prefix string
}{
	{KindManagementGroup, "mg/"},
	{KindSubscription, "azure/subscriptions/"},
	{KindBillingAccount, "aws/billing/"},
	{KindLinkedAccount, "aws/accounts/"},
	{KindConnector, "connectors/"},
}

func scopePrefix(k ScopeKind) string {
	for _, p := range scopePrefixes {
		if p.kind == k {
			return p.prefix
		}
	}
	return ""
}

func splitScopeID(s string) (ScopeKind, string, bool) {
	for _, p := range scopePrefixes {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			return p.kind, rest, true
		}
	}
	return "", "", false
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
	// Connector is the connector that discovered a linked or billing account.
	Connector ScopeID
	// Status is an AWS account's status in Organizations (ACTIVE, SUSPENDED,
	// CLOSED…), empty when unknown. Closed accounts stay, marked.
	Status string
}

// Hierarchy holds the scopes and how they relate. It is in memory and does
// no I/O; the catalog persists it. It is not safe for concurrent use.
type Hierarchy struct {
	scopes map[ScopeID]Scope
}

// NewHierarchy returns a hierarchy holding only the root group.
func NewHierarchy() *Hierarchy {
	return &Hierarchy{scopes: map[ScopeID]Scope{RootGroup: {ID: RootGroup, Name: RootGroupName}}}
}

// Clone returns an independent copy.
func (h *Hierarchy) Clone() *Hierarchy {
	c := &Hierarchy{scopes: make(map[ScopeID]Scope, len(h.scopes))}
	for id, s := range h.scopes {
		c.scopes[id] = s
	}
	return c
}

// Scope returns the scope with the ID.
func (h *Hierarchy) Scope(id ScopeID) (Scope, bool) {
	s, ok := h.scopes[id]
	return s, ok
}

// Scopes returns every scope, sorted by ID.
func (h *Hierarchy) Scopes() []Scope {
	out := make([]Scope, 0, len(h.scopes))
	for _, s := range h.scopes {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Scope) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Children returns the groups, subscriptions and linked accounts directly in
// a management group, sorted.
func (h *Hierarchy) Children(group ScopeID) []ScopeID {
	if group.Kind() != KindManagementGroup {
		return nil
	}
	var out []ScopeID
	for id, s := range h.scopes {
		if s.Group == group {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Add adds a scope. Its ID must be valid and new. A group, subscription or
// linked account goes into s.Group, or the root when that is empty, and the
// group must exist. A linked account names an existing billing account and
// connector; a billing account names an existing connector.
func (h *Hierarchy) Add(s Scope) error {
	if _, err := ParseScopeID(string(s.ID)); err != nil {
		return err
	}
	if _, ok := h.scopes[s.ID]; ok {
		return Errorf(EConflict, "scope %s already exists", s.ID)
	}
	kind := s.ID.Kind()
	switch kind {
	case KindManagementGroup, KindSubscription, KindLinkedAccount:
		if s.Group == "" {
			s.Group = RootGroup
		}
		if err := h.need(s.Group, KindManagementGroup); err != nil {
			return err
		}
	default:
		if s.Group != "" {
			return Errorf(EInvalid, "a %s is not in a management group; leave its group empty", kind)
		}
	}
	if kind == KindLinkedAccount {
		if err := h.need(s.BillingAccount, KindBillingAccount); err != nil {
			return err
		}
	} else if s.BillingAccount != "" {
		return Errorf(EInvalid, "only a linked account has a billing account")
	}
	if kind == KindLinkedAccount || kind == KindBillingAccount {
		if err := h.need(s.Connector, KindConnector); err != nil {
			return err
		}
	} else if s.Connector != "" {
		return Errorf(EInvalid, "only AWS accounts have a connector")
	}
	h.scopes[s.ID] = s
	return nil
}

// need checks that id is an existing scope of the kind.
func (h *Hierarchy) need(id ScopeID, kind ScopeKind) error {
	s, ok := h.scopes[id]
	if !ok {
		return Errorf(ENotFound, "%s %q does not exist", strings.ToLower(string(kind)), id)
	}
	if k := s.ID.Kind(); k != kind {
		return Errorf(EInvalid, "%s is a %s, not a %s", id, k, kind)
	}
	return nil
}

// Update sets a discovered account's name and status, as the latest
// collection found them.
func (h *Hierarchy) Update(id ScopeID, name, status string) error {
	s, ok := h.scopes[id]
	if !ok {
		return Errorf(ENotFound, "scope %s does not exist", id)
	}
	s.Name, s.Status = name, status
	h.scopes[id] = s
	return nil
}

// Rename changes a scope's display name.
func (h *Hierarchy) Rename(id ScopeID, name string) error {
	s, ok := h.scopes[id]
	if !ok {
		return Errorf(ENotFound, "scope %s does not exist", id)
	}
	s.Name = name
	h.scopes[id] = s
	return nil
}

// MoveGroup moves a management group, with everything in it, under parent.
// The root cannot move, and a group cannot move below itself: the tree would
// become a cycle.
func (h *Hierarchy) MoveGroup(id, parent ScopeID) error {
	if err := h.need(id, KindManagementGroup); err != nil {
		return err
	}
	if err := h.need(parent, KindManagementGroup); err != nil {
		return err
	}
	if id == RootGroup {
		return Errorf(EInvalid, "the root group cannot move")
	}
	if slices.Contains(h.groupPath(parent), id) {
		return Errorf(EInvalid, "cannot move %s under %s: %s is %s itself or below it, which would make a cycle",
			id, parent, parent, id)
	}
	s := h.scopes[id]
	s.Group = parent
	h.scopes[id] = s
	return nil
}

// Move moves subscriptions and linked accounts into a management group. It
// is all or nothing: every ID is checked before any moves.
func (h *Hierarchy) Move(ids []ScopeID, group ScopeID) error {
	if err := h.need(group, KindManagementGroup); err != nil {
		return err
	}
	for _, id := range ids {
		s, ok := h.scopes[id]
		if !ok {
			return Errorf(ENotFound, "scope %s does not exist; nothing was moved", id)
		}
		if k := s.ID.Kind(); k != KindSubscription && k != KindLinkedAccount {
			return Errorf(EInvalid, "%s is a %s; only subscriptions and linked accounts move this way; nothing was moved", id, k)
		}
	}
	for _, id := range ids {
		s := h.scopes[id]
		s.Group = group
		h.scopes[id] = s
	}
	return nil
}

// DeleteGroup deletes an empty management group other than the root.
func (h *Hierarchy) DeleteGroup(id ScopeID) error {
	if err := h.need(id, KindManagementGroup); err != nil {
		return err
	}
	if id == RootGroup {
		return Errorf(EInvalid, "the root group cannot be deleted")
	}
	if n := len(h.Children(id)); n > 0 {
		return Errorf(EConflict, "management group %s is not empty (%d scopes in it); move or delete them first", id, n)
	}
	delete(h.scopes, id)
	return nil
}

// Remove removes a subscription, billing account, linked account or
// connector scope. Groups go with DeleteGroup.
func (h *Hierarchy) Remove(id ScopeID) error {
	if _, ok := h.scopes[id]; !ok {
		return Errorf(ENotFound, "scope %s does not exist", id)
	}
	if id.Kind() == KindManagementGroup {
		return Errorf(EInvalid, "%s is a management group: delete it as one, once it is empty", id)
	}
	delete(h.scopes, id)
	return nil
}

// groupPath returns id followed by the management groups above it, up to the
// root. Only groups, subscriptions and linked accounts have groups above.
func (h *Hierarchy) groupPath(id ScopeID) []ScopeID {
	var path []ScopeID
	for {
		s, ok := h.scopes[id]
		if !ok {
			return path
		}
		path = append(path, id)
		if s.Group == "" {
			return path
		}
		id = s.Group
	}
}

// Covered returns the subscriptions and linked accounts whose costs the
// scope's cost view includes, sorted: a leaf covers itself, a billing
// account all its linked accounts, and a management group everything below
// it. A connector is not a cost view and covers nothing; neither does an
// unknown ID.
func (h *Hierarchy) Covered(id ScopeID) []ScopeID {
	s, ok := h.scopes[id]
	if !ok {
		return nil
	}
	var out []ScopeID
	switch id.Kind() {
	case KindSubscription, KindLinkedAccount:
		out = []ScopeID{id}
	case KindBillingAccount:
		for lid, l := range h.scopes {
			if l.BillingAccount == s.ID {
				out = append(out, lid)
			}
		}
	case KindManagementGroup:
		for lid := range h.scopes {
			if k := lid.Kind(); k != KindSubscription && k != KindLinkedAccount {
				continue
			}
			if slices.Contains(h.groupPath(lid), id) {
				out = append(out, lid)
			}
		}
	}
	slices.Sort(out)
	return out
}
