package iampolicy

// Allowed decides a request the way IAM decides one against identity-based
// policies: an explicit Deny in any document wins; otherwise the request is
// allowed when some Allow statement matches; otherwise it is implicitly
// denied.
//
// Actions match case-insensitively with '*' and '?' wildcards; NotAction
// matches every action it does not list. Resources match case-sensitively
// with the same wildcards, and NotResource matches every resource it does
// not list. A statement with neither Resource nor NotResource matches
// nothing: IAM refuses such identity policies, and matching nothing keeps
// a trust policy passed here by mistake from granting anything. Principal
// and Condition are not evaluated: identity policies have no principal, and
// the connector's policies have no conditions (Audit reports any it finds).
// Nil documents are skipped.
func Allowed(docs []*Document, action, resource string) bool {
	allowed := false
	for _, d := range docs {
		if d == nil {
			continue
		}
		for i := range d.Statements {
			s := &d.Statements[i]
			if !s.matchesAction(action) || !s.matchesResource(resource) {
				continue
			}
			if s.Effect == Deny {
				return false
			}
			allowed = allowed || s.Effect == Allow
		}
	}
	return allowed
}

// matchesAction reports whether the statement applies to the action.
func (s *Statement) matchesAction(action string) bool {
	if s.Actions != nil {
		return anyMatch(s.Actions, func(p string) bool { return matchAction(p, action) })
	}
	return s.NotActions != nil && !anyMatch(s.NotActions, func(p string) bool { return matchAction(p, action) })
}

// matchesResource reports whether the statement applies to the resource.
func (s *Statement) matchesResource(resource string) bool {
	if s.Resources != nil {
		return anyMatch(s.Resources, func(p string) bool { return matchResource(p, resource) })
	}
	return s.NotResources != nil && !anyMatch(s.NotResources, func(p string) bool { return matchResource(p, resource) })
}

// coversResource reports whether the statement applies to every resource
// the pattern want matches.
func (s *Statement) coversResource(want string) bool {
	if s.Resources != nil {
		return anyMatch(s.Resources, func(p string) bool { return covers(p, want) })
	}
	return s.NotResources != nil && !anyMatch(s.NotResources, func(p string) bool { return intersects(p, want) })
}

// touchesResource reports whether the statement applies to some resource
// the pattern want matches.
func (s *Statement) touchesResource(want string) bool {
	if s.Resources != nil {
		return anyMatch(s.Resources, func(p string) bool { return intersects(p, want) })
	}
	return s.NotResources != nil && !anyMatch(s.NotResources, func(p string) bool { return covers(p, want) })
}

func anyMatch(patterns []string, match func(string) bool) bool {
	for _, p := range patterns {
		if match(p) {
			return true
		}
	}
	return false
}
