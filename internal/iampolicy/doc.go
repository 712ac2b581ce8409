// Package iampolicy reads, evaluates, audits and writes AWS IAM policy
// documents for the AWS connector.
//
// It parses documents the way IAM returns them (one statement or many, a
// string or a list wherever IAM allows either, the URL-encoded form of
// GetPolicyVersion), decides whether identity policies allow an action on a
// resource (for the in-repo AWS emulator), compares a role's policies with
// the least privilege the connector needs (for Verify), checks a role's
// trust policy for the external ID, and writes the policies that
// `reckon aws setup-policy` prints. It imports only the standard library and
// Reckon's domain package.
//
// Matching follows the IAM JSON policy reference: Effect values are
// case-sensitive; action names are not; resource ARNs are, and a `*` in a
// resource may match across `:` and `/`; condition key names are not
// case-sensitive.
package iampolicy
