package cost

import (
	"cmp"
	"context"
	"slices"
)

// Hierarchy holds the scopes and how they relate, in memory, with no I/O.
// The tree rules it applies are the catalog's (AddScope, MoveGroup…), run
// over its own rows; it is the reference the row-level evaluation is tested
// against. It is not safe for concurrent use.
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

// Rows returns the hierarchy as a ScopeWriter: the row-level view of it that
// the catalog's rules and the access evaluation take.
func (h *Hierarchy) Rows() ScopeWriter { return hierarchyRows{h} }

// Add adds a scope, by AddScope's rules.
func (h *Hierarchy) Add(s Scope) error { return AddScope(context.Background(), h.Rows(), s) }

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
	return RenameScope(context.Background(), h.Rows(), id, name)
}

// MoveGroup moves a management group, with everything in it, under parent,
// by MoveGroup's rules.
func (h *Hierarchy) MoveGroup(id, parent ScopeID) error {
	return MoveGroup(context.Background(), h.Rows(), id, parent)
}

// Move moves subscriptions and linked accounts into a management group, all
// or nothing.
func (h *Hierarchy) Move(ids []ScopeID, group ScopeID) error {
	return MoveScopes(context.Background(), h.Rows(), ids, group)
}

// DeleteGroup deletes an empty management group other than the root.
func (h *Hierarchy) DeleteGroup(id ScopeID) error {
	return DeleteGroup(context.Background(), h.Rows(), id)
}

// Remove removes a subscription, billing account, linked account or
// connector scope. Groups go with DeleteGroup.
func (h *Hierarchy) Remove(id ScopeID) error {
	return RemoveScope(context.Background(), h.Rows(), id)
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
// unknown ID. (Which rows a view covers is ViewOf's to say.)
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

// hierarchyRows is a Hierarchy read and written a row at a time.
type hierarchyRows struct{ h *Hierarchy }

func (r hierarchyRows) Scope(_ context.Context, id ScopeID) (Scope, bool, error) {
	s, ok := r.h.scopes[id]
	return s, ok, nil
}

func (r hierarchyRows) GroupPath(_ context.Context, id ScopeID) ([]ScopeID, error) {
	return r.h.groupPath(id), nil
}

func (r hierarchyRows) Children(_ context.Context, group ScopeID) ([]Scope, error) {
	var out []Scope
	for _, id := range r.h.Children(group) {
		out = append(out, r.h.scopes[id])
	}
	return out, nil
}

func (r hierarchyRows) Descendants(_ context.Context, group ScopeID) ([]Scope, error) {
	var out []Scope
	for _, s := range r.h.Scopes() {
		if s.ID != group && slices.Contains(r.h.groupPath(s.ID), group) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (r hierarchyRows) PutScope(_ context.Context, s Scope) error {
	r.h.scopes[s.ID] = s
	return nil
}

func (r hierarchyRows) DeleteScope(_ context.Context, id ScopeID) error {
	delete(r.h.scopes, id)
	return nil
}
