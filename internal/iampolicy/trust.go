package iampolicy

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
)

// Condition keys the trust check understands. IAM compares key names
// case-insensitively.
var mfaKeys = []string{"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge"}

const externalIDKey = "sts:ExternalId"

// TrustProblems checks a role's trust policy for the connector and returns
// what to fix, or nothing when the account trustedAccount (12 digits), which
// runs Reckon, can assume the role with the external ID and only with it.
//
// It wants an Allow of sts:AssumeRole whose Principal names the account
// (its root ARN, in any partition, or the bare ID) and whose only condition
// is StringEquals sts:ExternalId listing the external ID (compared in
// constant time). It reports: no such statement; a statement that lets the
// account in without the external ID (StringEqualsIfExists included); a
// Principal "*" or an Allow with NotPrincipal; MFA conditions
// (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge), which a server
// cannot meet; other conditions, which it cannot check; and Denys of
// sts:AssumeRole that may reach the account. Messages never contain the
// external ID. The emulator's STS refuses AssumeRole when this returns
// anything, which is stricter than AWS for Principal "*".
func TrustProblems(doc *Document, trustedAccount, externalID string) []string {
	t := trustCheck{account: trustedAccount, secret: externalID}
	if doc == nil || len(doc.Statements) == 0 {
		return []string{t.noStatement()}
	}
	for i := range doc.Statements {
		s := &doc.Statements[i]
		if !s.matchesAction("sts:AssumeRole") {
			continue
		}
		where := fmt.Sprintf("statement %d", i+1)
		if s.Sid != "" && (externalID == "" || !strings.Contains(s.Sid, externalID)) {
			where += fmt.Sprintf(" (%q)", s.Sid)
		}
		if s.Effect == Deny {
			t.checkDeny(where, s)
		} else {
			t.checkAllow(where, s)
		}
	}
	if !t.good {
		if !t.candidate {
			t.problems = append(t.problems, t.noStatement())
		}
		t.problems = append(t.problems, t.unmet...)
	}
	for i, p := range t.problems {
		t.problems[i] = sentence(p)
	}
	return slices.Compact(t.problems)
}

type trustCheck struct {
	account, secret string
	good            bool     // some statement lets the account in with the external ID
	candidate       bool     // some Allow names the account or "*"
	problems        []string // to fix in any case
	unmet           []string // why candidates fail; to fix when none is good
}

func (t *trustCheck) noStatement() string {
	return fmt.Sprintf(`The trust policy does not let account %s assume the role: add a statement with "Effect": "Allow", "Principal": {"AWS": %q}, "Action": "sts:AssumeRole" and "Condition": {"StringEquals": {"sts:ExternalId": "<the connector's external ID>"}} (`+"`reckon aws setup-policy`"+` prints it).`,
		t.account, rootARN(t.account))
}

// names reports whether a principal value is the trusted account.
func (t *trustCheck) names(v string) bool {
	if v == t.account {
		return true
	}
	parts := strings.Split(v, ":")
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3] == "" &&
		parts[4] == t.account && parts[5] == "root"
}

// inAccount reports whether a principal value is some other principal of
// the trusted account, such as one of its roles.
func (t *trustCheck) inAccount(v string) bool {
	parts := strings.SplitN(v, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[4] == t.account && !t.names(v)
}

func (t *trustCheck) checkAllow(where string, s *Statement) {
	if s.NotPrincipal != nil {
		t.problems = append(t.problems, fmt.Sprintf(`%s allows sts:AssumeRole with NotPrincipal, which trusts almost everyone: use "Principal": {"AWS": %q} instead.`, where, rootARN(t.account)))
		return
	}
	values := slices.Concat(s.Principal["AWS"], s.Principal["*"])
	wildcard := slices.Contains(values, "*")
	if !wildcard && !slices.ContainsFunc(values, t.names) {
		if slices.ContainsFunc(values, t.inAccount) {
			t.unmet = append(t.unmet, fmt.Sprintf(`%s trusts a single principal of account %s, but Reckon assumes the role as the account: use "Principal": {"AWS": %q}.`, where, t.account, rootARN(t.account)))
		}
		return
	}
	t.candidate = true
	if wildcard {
		t.problems = append(t.problems, fmt.Sprintf(`%s lets any AWS account assume the role (Principal "*"): name only account %s, "Principal": {"AWS": %q}.`, where, t.account, rootARN(t.account)))
	}
	c := t.conditions(s)
	switch {
	case c.eqMatch && !c.eqOther:
	case c.eqOther:
		t.unmet = append(t.unmet, fmt.Sprintf(`%s requires a different external ID from this connector's: set sts:ExternalId to the external ID shown for the connector.`, where))
	case len(c.weakOps) > 0:
		t.problems = append(t.problems, fmt.Sprintf(`%s checks sts:ExternalId with %s, which does not require exactly the connector's external ID: use "StringEquals".`, where, strings.Join(c.weakOps, ", ")))
	default:
		t.problems = append(t.problems, fmt.Sprintf(`%s lets account %s assume the role without the external ID: add "Condition": {"StringEquals": {"sts:ExternalId": "<the connector's external ID>"}}.`, where, t.account))
	}
	if len(c.mfa) > 0 {
		t.unmet = append(t.unmet, fmt.Sprintf("%s requires MFA (%s), which Reckon cannot provide: it assumes the role from a server. Remove that condition.", where, strings.Join(c.mfa, ", ")))
	}
	if len(c.other) > 0 {
		t.unmet = append(t.unmet, fmt.Sprintf("%s has conditions Reckon cannot check (%s): remove them, or make sure Reckon's requests meet them.", where, strings.Join(c.other, ", ")))
	}
	if c.eqMatch && !c.eqOther && len(c.mfa) == 0 && len(c.other) == 0 {
		t.good = true
	}
}

func (t *trustCheck) checkDeny(where string, s *Statement) {
	values := slices.Concat(s.Principal["AWS"], s.Principal["*"])
	switch {
	case s.NotPrincipal != nil:
		if slices.ContainsFunc(slices.Concat(s.NotPrincipal["AWS"], s.NotPrincipal["*"]), t.names) {
			return
		}
	case !slices.Contains(values, "*") && !slices.ContainsFunc(values, t.names):
		return
	}
	c := t.conditions(s)
	onlyNotEquals := len(c.mfa) == 0 && len(c.other) == 0 && !c.eqMatch && !c.eqOther &&
		len(c.weakOps) > 0 && !slices.ContainsFunc(c.weakOps, func(op string) bool { return op != "StringNotEquals" })
	switch {
	case len(c.mfa) > 0:
		t.problems = append(t.problems, fmt.Sprintf("%s denies sts:AssumeRole depending on MFA (%s), which Reckon cannot provide: it assumes the role from a server. Remove that condition.", where, strings.Join(c.mfa, ", ")))
	case len(s.Conditions) == 0:
		t.problems = append(t.problems, fmt.Sprintf("%s denies sts:AssumeRole to account %s: remove it.", where, t.account))
	case onlyNotEquals && c.notEqListed:
		// A guard that denies every other external ID: Reckon's passes.
	case onlyNotEquals:
		t.problems = append(t.problems, fmt.Sprintf("%s denies sts:AssumeRole to every external ID it does not list, and the connector's is not listed: add it, or remove the statement.", where))
	default:
		t.problems = append(t.problems, fmt.Sprintf("%s denies sts:AssumeRole under conditions Reckon cannot check: make sure they never match Reckon's requests, or remove it.", where))
	}
}

// condInfo is how a statement's conditions bear on Reckon's AssumeRole. It
// holds operator and key names, never a condition value.
type condInfo struct {
	eqMatch, eqOther bool     // StringEquals sts:ExternalId with, or without, the connector's value
	notEqListed      bool     // StringNotEquals sts:ExternalId with the connector's value
	weakOps          []string // the other operators applied to sts:ExternalId
	mfa, other       []string // "operator key" of MFA conditions and of any other
}

func (t *trustCheck) conditions(s *Statement) condInfo {
	var c condInfo
	for op, keys := range s.Conditions {
		for key, values := range keys {
			switch {
			case strings.EqualFold(key, externalIDKey) && op == "StringEquals":
				listed := t.listed(values)
				c.eqMatch = c.eqMatch || listed
				c.eqOther = c.eqOther || !listed
			case strings.EqualFold(key, externalIDKey):
				c.weakOps = append(c.weakOps, op)
				c.notEqListed = c.notEqListed || op == "StringNotEquals" && t.listed(values)
			case slices.ContainsFunc(mfaKeys, func(k string) bool { return strings.EqualFold(k, key) }):
				c.mfa = append(c.mfa, op+" "+key)
			default:
				c.other = append(c.other, op+" "+key)
			}
		}
	}
	slices.Sort(c.weakOps)
	slices.Sort(c.mfa)
	slices.Sort(c.other)
	return c
}

// listed reports, in time independent of where it matches, whether values
// holds the external ID. Hashing first hides its length too.
func (t *trustCheck) listed(values []string) bool {
	want := sha256.Sum256([]byte(t.secret))
	found := 0
	for _, v := range values {
		got := sha256.Sum256([]byte(v))
		found |= subtle.ConstantTimeCompare(want[:], got[:])
	}
	return found == 1 && t.secret != ""
}
