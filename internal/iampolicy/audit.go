package iampolicy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Severities of a Finding.
const (
	SeverityError   = "error"   // the connector will fail
	SeverityWarning = "warning" // the connector works, with more access than it needs
)

// Codes of a Finding.
const (
	// MissingPermission: a needed action is not allowed on its resource.
	MissingPermission = "MissingPermission"
	// DeniedPermission: a Deny takes away some of a needed permission.
	DeniedPermission = "DeniedPermission"
	// ExcessPermission: an action the connector does not need, or a
	// wildcard action that grants more than it needs.
	ExcessPermission = "ExcessPermission"
	// BroadResource: a needed action granted on more resources than needed.
	BroadResource = "BroadResource"
	// NotActionAllow: an Allow with NotAction, which grants every action
	// but those it lists.
	NotActionAllow = "NotActionAllow"
	// UncheckedCondition: a statement with conditions, which the audit does
	// not evaluate.
	UncheckedCondition = "UncheckedCondition"
)

// Finding is one difference between a role's policies and the least
// privilege the connector needs.
type Finding struct {
	Severity string // SeverityError or SeverityWarning
	Code     string
	Action   string // the action, or action pattern, as the policy wrote it
	Resource string // the resource, or resource pattern, it concerns
	Message  string // what is wrong and how to fix it
}

// Audit compares a role's policies with Required(bucket, prefix), for a
// role and policies not known: Target{Bucket: bucket, Prefix: prefix}.Audit.
// It accepts the IAM reads on any role's and policy's ARN.
func Audit(docs []*Document, bucket, prefix string) []Finding {
	return Target{Bucket: bucket, Prefix: prefix}.Audit(docs)
}

// Audit compares a role's policies with t.Required(). Errors: each needed
// permission that no Allow grants in full (MissingPermission) or that a
// Deny takes away, even in part (DeniedPermission). Warnings: every grant
// beyond the need, named exactly as the policy wrote it: an action not
// needed or a wildcard action (ExcessPermission, such as "ce:*", "*" or the
// iam:ListRoles of earlier set-ups), a needed action on more than its
// resource (BroadResource, such as s3:GetObject on "arn:aws:s3:::*", or
// iam:GetPolicyVersion on "*" rather than the role's policies), an Allow
// with NotAction, and any statement with conditions, which are not
// evaluated. Findings are deduplicated and sorted: errors first, then by
// code, action and resource. Name each document (its policy ARN) to have
// messages point at it.
func (t Target) Audit(docs []*Document) []Finding {
	a := auditor{docs: docs, need: t.Required(), seen: map[[4]string]bool{}}
	for _, n := range a.need {
		a.checkNeed(n)
	}
	a.eachStatement(func(where string, s *Statement) {
		if len(s.Conditions) > 0 {
			a.conditionFinding(where, s)
		}
		if s.Effect == Allow {
			a.checkGrant(where, s)
		}
	})
	slices.SortFunc(a.out, func(x, y Finding) int {
		return cmp.Or(
			cmp.Compare(severityRank(x.Severity), severityRank(y.Severity)),
			cmp.Compare(x.Code, y.Code), cmp.Compare(x.Action, y.Action),
			cmp.Compare(x.Resource, y.Resource), cmp.Compare(x.Message, y.Message))
	})
	return a.out
}

func severityRank(s string) int {
	if s == SeverityError {
		return 0
	}
	return 1
}

type auditor struct {
	docs []*Document
	need []Permission
	seen map[[4]string]bool
	out  []Finding
}

func (a *auditor) add(f Finding) {
	key := [4]string{f.Severity, f.Code, f.Action, f.Resource}
	f.Message = sentence(f.Message)
	if !a.seen[key] {
		a.seen[key] = true
		a.out = append(a.out, f)
	}
}

// eachStatement calls fn with every statement and where it is, such as
// `policy "arn:...", statement 2 ("ReadAll")`.
func (a *auditor) eachStatement(fn func(where string, s *Statement)) {
	for di, d := range a.docs {
		if d == nil {
			continue
		}
		name := fmt.Sprintf("policy %d", di+1)
		if d.Name != "" {
			name = fmt.Sprintf("policy %q", d.Name)
		}
		for si := range d.Statements {
			s := &d.Statements[si]
			where := fmt.Sprintf("%s, statement %d", name, si+1)
			if s.Sid != "" {
				where += fmt.Sprintf(" (%q)", s.Sid)
			}
			fn(where, s)
		}
	}
}

// checkNeed reports a needed permission that is denied or not granted.
func (a *auditor) checkNeed(n Permission) {
	granted := false
	var partial []string // resources the action is granted on, when not in full
	var denies []string
	a.eachStatement(func(where string, s *Statement) {
		if !s.matchesAction(n.Action) {
			return
		}
		switch {
		case s.Effect == Deny && n.deniedBy(s):
			denies = append(denies, where)
		case s.Effect == Allow && n.grantedBy(s):
			granted = true
		case s.Effect == Allow:
			partial = append(partial, resourceList(s))
		}
	})
	if len(denies) > 0 {
		a.add(Finding{SeverityError, DeniedPermission, n.Action, n.named(), fmt.Sprintf(
			"%s denies %s on %s, which Reckon needs %s: remove the Deny or narrow it so that it no longer covers %s.",
			strings.Join(denies, " and "), n.Action, n.named(), n.Why, n.named())})
		return
	}
	if granted {
		return
	}
	msg := fmt.Sprintf("Reckon needs %s on %s %s, but no policy of the role allows it: add it to the role's permissions policy (`reckon aws setup-policy` prints one).",
		n.Action, n.named(), n.Why)
	if len(partial) > 0 {
		slices.Sort(partial)
		msg += fmt.Sprintf(" It is allowed only on %s.", strings.Join(slices.Compact(partial), "; "))
	}
	a.add(Finding{SeverityError, MissingPermission, n.Action, n.named(), msg})
}

// grantedBy reports whether an Allow statement meets the need: it covers
// the resource, or, for a resource not known, applies to some resource the
// pattern matches.
func (n Permission) grantedBy(s *Statement) bool {
	if n.Placeholder != "" {
		return s.touchesResource(n.Resource)
	}
	return s.coversResource(n.Resource)
}

// deniedBy reports whether a Deny statement takes away some of the need:
// any of the resource, or, for a resource not known, all the pattern
// matches (a Deny on some roles or policies may miss the connector's).
func (n Permission) deniedBy(s *Statement) bool {
	if n.Placeholder != "" {
		return s.coversResource(n.Resource)
	}
	return s.touchesResource(n.Resource)
}

// checkGrant reports what an Allow statement grants beyond the need.
func (a *auditor) checkGrant(where string, s *Statement) {
	res := resourceList(s)
	if s.NotActions != nil {
		a.add(Finding{SeverityWarning, NotActionAllow, "NotAction " + strings.Join(s.NotActions, ", "), res, fmt.Sprintf(
			"%s allows every action except %s on %s; Reckon needs only %s. Replace it with the least-privilege policy from `reckon aws setup-policy`.",
			where, strings.Join(s.NotActions, ", "), res, a.neededList(nil))})
		return
	}
	for _, act := range s.Actions {
		var matched []Permission
		for _, n := range a.need {
			if matchAction(act, n.Action) {
				matched = append(matched, n)
			}
		}
		switch {
		case act == "*":
			a.add(Finding{SeverityWarning, ExcessPermission, act, res, fmt.Sprintf(
				"%s allows every action (\"*\") on %s; Reckon needs only %s. Replace it with the least-privilege policy from `reckon aws setup-policy`.",
				where, res, a.neededList(nil))})
		case hasWildcard(act) && len(matched) > 0:
			these := "that"
			if len(matched) > 1 {
				these = "those"
			}
			a.add(Finding{SeverityWarning, ExcessPermission, act, res, fmt.Sprintf(
				"%s allows %s on %s, but of those actions Reckon needs only %s: grant %s instead of %s.",
				where, act, res, a.neededList(matched), these, act)})
		case len(matched) == 0:
			a.add(Finding{SeverityWarning, ExcessPermission, act, res, fmt.Sprintf(
				"%s allows %s on %s, which Reckon does not need: remove it unless something else uses this role.",
				where, act, res)})
		default:
			a.checkResources(where, s, act, matched)
		}
	}
}

// checkResources reports a needed action granted on more than its
// resources: the role's ARN, one ARN per policy, or a bucket's ARN.
func (a *auditor) checkResources(where string, s *Statement, act string, need []Permission) {
	if slices.ContainsFunc(need, func(n Permission) bool { return n.Resource == "*" }) {
		return
	}
	broad := slices.DeleteFunc(slices.Clone(s.Resources), func(r string) bool {
		return slices.ContainsFunc(need, func(n Permission) bool { return covers(n.Resource, r) })
	})
	if s.NotResources != nil {
		broad = []string{resourceList(s)}
	}
	names := make([]string, len(need))
	for i, n := range need {
		names[i] = n.named()
	}
	for _, r := range broad {
		a.add(Finding{SeverityWarning, BroadResource, act, r, fmt.Sprintf(
			"%s allows %s on %s, beyond the %s that Reckon needs %s: narrow the Resource to %s.",
			where, act, r, strings.Join(names, " and "), need[0].Why, strings.Join(names, ", "))})
	}
}

func (a *auditor) conditionFinding(where string, s *Statement) {
	var conds []string
	for op, keys := range s.Conditions {
		for k := range keys {
			conds = append(conds, op+" "+k)
		}
	}
	slices.Sort(conds)
	actions := strings.Join(s.Actions, ", ")
	if s.NotActions != nil {
		actions = "NotAction " + strings.Join(s.NotActions, ", ")
	}
	verb := "allows"
	if s.Effect == Deny {
		verb = "denies"
	}
	a.add(Finding{SeverityWarning, UncheckedCondition, actions, resourceList(s), fmt.Sprintf(
		"%s %s %s on %s only under conditions (%s), which this check does not evaluate: it assumed they hold. Make sure Reckon's requests meet them, or remove them.",
		where, verb, actions, resourceList(s), strings.Join(conds, "; "))})
}

// neededList names the needed actions, all of them when ps is nil.
func (a *auditor) neededList(ps []Permission) string {
	if ps == nil {
		ps = a.need
	}
	var names []string
	for _, p := range ps {
		if !slices.Contains(names, p.Action) {
			names = append(names, p.Action)
		}
	}
	return strings.Join(names, ", ")
}

// sentence capitalises the first letter of a message.
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:]
}

// resourceList describes a statement's resources as written.
func resourceList(s *Statement) string {
	switch {
	case s.Resources != nil:
		return strings.Join(s.Resources, ", ")
	case s.NotResources != nil:
		return "every resource except " + strings.Join(s.NotResources, ", ")
	}
	return "no resource"
}
