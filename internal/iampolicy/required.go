package iampolicy

import (
	"cmp"
	"slices"
	"strings"
)

// Permission is one action the connector needs, on the resource it needs it
// on, and why.
type Permission struct {
	Action   string
	Resource string // an ARN, possibly ending in '*', or "*"
	Why      string
	// Placeholder, when set, stands for a resource not known yet (the
	// connector's role, or a policy attached to it). A written policy names
	// the placeholder for the user to replace; Resource is then a pattern,
	// and a grant on any resource it matches meets the need.
	Placeholder string
}

// named is the resource as a policy or a message names it.
func (p Permission) named() string { return cmp.Or(p.Placeholder, p.Resource) }

// Target names what the connector's role reads: the report bucket and
// prefix, and, for the least-privilege check, the role itself and the
// managed policies attached to it.
type Target struct {
	Bucket string
	Prefix string
	// RoleARN is the connector's role. Empty means not known yet: a written
	// policy names RolePlaceholder, and the audit accepts any role's ARN.
	RoleARN string
	// PolicyARNs are the managed policies attached to the role, which the
	// check reads. None means not known yet: a written policy names
	// PolicyPlaceholder, and the audit accepts any policy's ARN.
	PolicyARNs []string
}

// Placeholders a written policy names for a role or policy not known yet,
// for the user to replace.
const (
	RolePlaceholder   = "arn:aws:iam::<ACCOUNT_ID>:role/<ROLE_NAME>"
	PolicyPlaceholder = "arn:aws:iam::<ACCOUNT_ID>:policy/<POLICY_NAME>"
)

// The ARNs of every role and every managed policy, in the "aws" partition
// as the S3 ARNs are: the audit's need when the role or its policies are
// not known.
const (
	anyRole   = "arn:aws:iam::*:role/*"
	anyPolicy = "arn:aws:iam::*:policy/*"
)

// Why the actions without resource-level permissions are granted on "*".
const noResourceLevel = " (the action supports no resource-level permissions, so its Resource is \"*\")"

// Required returns the least privilege the connector needs to read the
// reports under prefix in bucket, for a role and policies not known yet:
// Target{Bucket: bucket, Prefix: prefix}.Required().
func Required(bucket, prefix string) []Permission {
	return Target{Bucket: bucket, Prefix: prefix}.Required()
}

// Required returns the least privilege the connector needs, in a fixed
// order. Objects are granted under "prefix/" rather than "prefix*", because
// CUR writes <prefix>/<report>/... and "prefix*" would also reach
// "prefix-other/". An empty prefix grants the whole bucket's objects. S3
// ARNs are in the "aws" partition. The IAM reads, which let the connector
// check that it was granted no more than it needs, are on the role's ARN
// and its policies' ARNs; the other actions support no resource-level
// permissions and are on "*". The connector reads no trust policy and
// lists no roles: it needs neither iam:GetRole nor iam:ListRoles.
func (t Target) Required() []Permission {
	objects := "arn:aws:s3:::" + t.Bucket + "/"
	if p := strings.Trim(t.Prefix, "/"); p != "" {
		objects += p + "/"
	}
	objects += "*"
	need := []Permission{
		{Action: "cur:DescribeReportDefinitions", Resource: "*", Why: "to find the report definition and check its settings" + noResourceLevel},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + t.Bucket, Why: "to find the report manifests in the bucket"},
		{Action: "s3:GetObject", Resource: objects, Why: "to download the report manifests and files"},
		{Action: "organizations:ListAccounts", Resource: "*", Why: "to name the linked accounts" + noResourceLevel},
		{Action: "ce:GetCostAndUsage", Resource: "*", Why: "to compare the ingested totals with Cost Explorer's" + noResourceLevel},
	}
	role := Permission{Action: "iam:ListAttachedRolePolicies", Resource: t.RoleARN,
		Why: "to list the role's own policies for this permission check"}
	if role.Resource == "" {
		role.Resource, role.Placeholder = anyRole, RolePlaceholder
	}
	need = append(need, role)
	var policies []Permission
	for _, arn := range t.PolicyARNs {
		if !slices.ContainsFunc(policies, func(p Permission) bool { return p.Resource == arn }) {
			policies = append(policies, Permission{Resource: arn})
		}
	}
	if len(policies) == 0 {
		policies = []Permission{{Resource: anyPolicy, Placeholder: PolicyPlaceholder}}
	}
	for _, step := range []struct{ action, why string }{
		{"iam:ListPolicyVersions", "to find each of the role's policies' default version for this permission check"},
		{"iam:GetPolicyVersion", "to read each of the role's policies for this permission check"},
	} {
		for _, p := range policies {
			p.Action, p.Why = step.action, step.why
			need = append(need, p)
		}
	}
	return need
}
