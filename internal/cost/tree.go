package cost

import (
	"context"
	"slices"
	"strings"
)

// The tree rules, written once over single scopes so that they run the same
// on a catalog transaction and on an in-memory Hierarchy.

// inTree reports whether a scope kind sits in the management-group tree.
func inTree(k ScopeKind) bool {
	return k == KindManagementGroup || k == KindSubscription || k == KindLinkedAccount
}

// needScope checks that id is an existing scope of the kind.
func needScope(ctx context.Context, r ScopeReader, id ScopeID, kind ScopeKind) (Scope, error) {
	s, ok, err := r.Scope(ctx, id)
	if err != nil {
		return Scope{}, err
	}
	if !ok {
		return Scope{}, Errorf(ENotFound, "%s %s does not exist", strings.ToLower(string(kind)), Quote(string(id)))
	}
	if k := s.ID.Kind(); k != kind {
		return Scope{}, Errorf(EInvalid, "%s is a %s, not a %s", id, k, kind)
	}
	return s, nil
}

// AddScope adds a scope. Its ID must be valid and new, a management
// group's whatever its case, and its name pass CheckName. A group,
// subscription or linked account goes into s.Group, or the root when that is
// empty, and the group must exist. A linked account names an existing
// billing account. A billing account, linked account or subscription may
// name the connector (or source) that discovered it, which must exist;
// accounts loaded from files have none.
func AddScope(ctx context.Context, w ScopeWriter, s Scope) error {
	if _, err := ParseScopeID(string(s.ID)); err != nil {
		return err
	}
	if err := CheckName("the display name", s.Name); err != nil {
		return err
	}
	if _, ok, err := w.Scope(ctx, s.ID); err != nil || ok {
		if err != nil {
			return err
		}
		return Errorf(EConflict, "scope %s already exists", s.ID)
	}
	kind := s.ID.Kind()
	if kind == KindManagementGroup {
		if err := newGroupID(ctx, w, s.ID); err != nil {
			return err
		}
	}
	if inTree(kind) {
		if s.Group == "" {
			s.Group = RootGroup
		}
		if _, err := needScope(ctx, w, s.Group, KindManagementGroup); err != nil {
			return err
		}
	} else if s.Group != "" {
		return Errorf(EInvalid, "a %s is not in a management group; leave its group empty", kind)
	}
	switch {
	case kind == KindLinkedAccount || kind == KindSubscription && s.BillingAccount != "":
		if _, err := needScope(ctx, w, s.BillingAccount, KindBillingAccount); err != nil {
			return err
		}
		if s.BillingAccount.Provider() != s.ID.Provider() {
			return Errorf(EInvalid, "%s cannot belong to %s: they are of different clouds", s.ID, s.BillingAccount)
		}
	case s.BillingAccount != "":
		return Errorf(EInvalid, "only a linked account or a subscription has a billing account")
	}
	switch {
	case kind != KindLinkedAccount && kind != KindBillingAccount && kind != KindSubscription && s.Connector != "":
		return Errorf(EInvalid, "only billing accounts, linked accounts and subscriptions have a connector: the one that discovered them")
	case s.Connector != "":
		if _, err := needScope(ctx, w, s.Connector, KindConnector); err != nil {
			return err
		}
	}
	return w.PutScope(ctx, s)
}

// MoveGroup moves a management group, with everything in it, under parent.
// The root cannot move, and a group cannot move below itself: the tree would
// become a cycle.
func MoveGroup(ctx context.Context, w ScopeWriter, id, parent ScopeID) error {
	s, err := needScope(ctx, w, id, KindManagementGroup)
	if err != nil {
		return err
	}
	if _, err := needScope(ctx, w, parent, KindManagementGroup); err != nil {
		return err
	}
	if id == RootGroup {
		return Errorf(EInvalid, "the root group cannot move")
	}
	path, err := w.GroupPath(ctx, parent)
	if err != nil {
		return err
	}
	if slices.Contains(path, id) {
		return Errorf(EInvalid, "cannot move %s under %s: %s is %s itself or below it, which would make a cycle",
			id, parent, parent, id)
	}
	s.Group = parent
	return w.PutScope(ctx, s)
}

// MoveScopes moves subscriptions and linked accounts into a management
// group. It is all or nothing: every ID is checked before any moves.
func MoveScopes(ctx context.Context, w ScopeWriter, ids []ScopeID, group ScopeID) error {
	if _, err := needScope(ctx, w, group, KindManagementGroup); err != nil {
		return err
	}
	scopes := make([]Scope, len(ids))
	for i, id := range ids {
		s, ok, err := w.Scope(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ENotFound, "scope %s does not exist; nothing was moved", id)
		}
		if k := s.ID.Kind(); k != KindSubscription && k != KindLinkedAccount {
			return Errorf(EInvalid, "%s is a %s; only subscriptions and linked accounts move this way; nothing was moved", id, k)
		}
		scopes[i] = s
	}
	for _, s := range scopes {
		s.Group = group
		if err := w.PutScope(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// DeleteGroup deletes an empty management group other than the root, with
// the assignments made on it.
func DeleteGroup(ctx context.Context, w ScopeWriter, id ScopeID) error {
	if _, err := needScope(ctx, w, id, KindManagementGroup); err != nil {
		return err
	}
	if id == RootGroup {
		return Errorf(EInvalid, "the root group cannot be deleted")
	}
	children, err := w.Children(ctx, id)
	if err != nil {
		return err
	}
	if n := len(children); n > 0 {
		return Errorf(EConflict, "management group %s is not empty (%d scopes in it); move or delete them first", id, n)
	}
	return w.DeleteScope(ctx, id)
}

// RemoveScope removes a subscription, billing account, linked account or
// connector scope. Groups go with DeleteGroup.
func RemoveScope(ctx context.Context, w ScopeWriter, id ScopeID) error {
	if _, ok, err := w.Scope(ctx, id); err != nil || !ok {
		if err != nil {
			return err
		}
		return Errorf(ENotFound, "scope %s does not exist", id)
	}
	if id.Kind() == KindManagementGroup {
		return Errorf(EInvalid, "%s is a management group: delete it as one, once it is empty", id)
	}
	return w.DeleteScope(ctx, id)
}

// newGroupID refuses a management group id that differs from an existing
// group's only in case: mg/PROD beside mg/prod would read as one group in
// lists, logs and conversation. IDs keep the case they were created with.
func newGroupID(ctx context.Context, r ScopeReader, id ScopeID) error {
	if strings.EqualFold(string(id), string(RootGroup)) {
		return Errorf(EConflict, "%s is the root group's id (whatever its case): choose another id", RootGroup)
	}
	same, found, err := groupFold(ctx, r, id)
	if err != nil || !found {
		return err
	}
	return Errorf(EConflict, "management group %s already exists, and group ids are unique whatever their case: use %s or choose another id",
		same, same)
}

// GroupFolder is a ScopeReader that finds a management group by its id in
// any case with one look-up. A catalog need not implement it: AddScope
// then reads every scope below the root to find one.
type GroupFolder interface {
	// GroupFold returns the management group whose ID equals id but for
	// case (strings.EqualFold); false when there is none.
	GroupFold(ctx context.Context, id ScopeID) (ScopeID, bool, error)
}

func groupFold(ctx context.Context, r ScopeReader, id ScopeID) (ScopeID, bool, error) {
	if f, ok := r.(GroupFolder); ok {
		return f.GroupFold(ctx, id)
	}
	below, err := r.Descendants(ctx, RootGroup) // every group is below the root
	for _, s := range below {
		if s.ID.Kind() == KindManagementGroup && strings.EqualFold(string(s.ID), string(id)) {
			return s.ID, true, err
		}
	}
	return "", false, err
}

// RenameScope changes a scope's display name, which must pass CheckName and
// not be empty.
func RenameScope(ctx context.Context, w ScopeWriter, id ScopeID, name string) error {
	return renameScope(ctx, w, id, name, "")
}

// NameScope is a user's rename of any scope but a connector (whose name
// is its ID; edit its display name instead). The name an account or
// subscription gets this way stays: a collection's names from AWS
// Organizations no longer replace it, and the cost rows' empty account
// names show it.
func NameScope(ctx context.Context, w ScopeWriter, id ScopeID, name, by string) error {
	if err := Nameable(id); err != nil {
		return err
	}
	return renameScope(ctx, w, id, name, by)
}

// Nameable says whether NameScope may rename the scope: any but a
// connector.
func Nameable(id ScopeID) error {
	if id.Kind() == KindConnector {
		return Errorf(EInvalid, "a connector is renamed by editing its display name: reckon connector edit NAME --display-name")
	}
	return nil
}

func renameScope(ctx context.Context, w ScopeWriter, id ScopeID, name, by string) error {
	if name == "" {
		return Errorf(EInvalid, "the new display name is empty: give one")
	}
	if err := CheckName("the display name", name); err != nil {
		return err
	}
	s, ok, err := w.Scope(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(ENotFound, "scope %s does not exist", id)
	}
	s.Name = name
	if by != "" && id.Kind() != KindManagementGroup {
		s.NamedBy = by
	}
	return w.PutScope(ctx, s)
}
