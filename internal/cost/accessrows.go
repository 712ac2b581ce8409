package cost

import (
	"context"
	"slices"
)

// AccessReader is what an access check reads: the scope's group path and
// the caller's own assignments. A CatalogReader is one.
type AccessReader interface {
	GroupPath(ctx context.Context, id ScopeID) ([]ScopeID, error)
	Assignments(ctx context.Context, f AssignmentFilter) ([]Assignment, error)
}

// RoleOn returns the strongest role the user holds on the scope, as
// EffectiveRole does, reading only the scope's group path and the user's
// assignments; false when the user holds none or the scope is unknown.
func RoleOn(ctx context.Context, r AccessReader, user string, scope ScopeID) (Role, bool, error) {
	path, err := r.GroupPath(ctx, scope)
	if err != nil || len(path) == 0 {
		return "", false, err
	}
	as, err := r.Assignments(ctx, AssignmentFilter{User: user})
	if err != nil {
		return "", false, err
	}
	role, ok := roleOnPath(user, path, as)
	return role, ok, nil
}

// roleOnPath is the rule of EffectiveRole over rows: the strongest of the
// user's assignments on the scope (path[0]) and, for a kind that inherits,
// on the groups above it (the rest of the path).
func roleOnPath(user string, path []ScopeID, as []Assignment) (Role, bool) {
	if !inheritsFromGroups(path[0].Kind()) {
		path = path[:1]
	}
	var best Role
	for _, a := range as {
		if a.User == user && a.Role.rank() > best.rank() && slices.Contains(path, a.Scope) {
			best = a.Role
		}
	}
	return best, best != ""
}

// Authorize returns nil when the user may do the action on the scope, and a
// Forbidden error otherwise. Run it in the transaction that makes the change
// it guards, so that both see the same state.
func Authorize(ctx context.Context, r AccessReader, user string, action Action, scope ScopeID) error {
	role, ok, err := RoleOn(ctx, r, user, scope)
	if err != nil {
		return err
	}
	if !ok || !role.Allows(action) {
		return Errorf(EForbidden, "%s may not %s %s", user, action.Words(), scope)
	}
	return nil
}

// RolesOver returns the user's effective role on each of the scopes that
// holds one, computed in memory from a listing: scopes is every scope (as
// CatalogReader.Scopes returns), as the user's assignments. It agrees with
// EffectiveRole over a hierarchy of the same scopes.
func RolesOver(user string, scopes []Scope, as []Assignment) map[ScopeID]Role {
	byID := make(map[ScopeID]Scope, len(scopes))
	for _, s := range scopes {
		byID[s.ID] = s
	}
	own := map[ScopeID]Role{}
	for _, a := range as {
		if _, ok := byID[a.Scope]; ok && a.User == user && a.Role.rank() > own[a.Scope].rank() {
			own[a.Scope] = a.Role
		}
	}
	memo := make(map[ScopeID]Role, len(scopes))
	var roleOf func(id ScopeID, depth int) Role
	roleOf = func(id ScopeID, depth int) Role {
		if r, ok := memo[id]; ok {
			return r
		}
		s, ok := byID[id]
		if !ok {
			return ""
		}
		best := own[id]
		if inheritsFromGroups(id.Kind()) && s.Group != "" && depth <= len(scopes) {
			if up := roleOf(s.Group, depth+1); up.rank() > best.rank() {
				best = up
			}
		}
		memo[id] = best
		return best
	}
	out := map[ScopeID]Role{}
	for _, s := range scopes {
		if r := roleOf(s.ID, 0); r != "" {
			out[s.ID] = r
		}
	}
	return out
}
