package awsemu

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// The IAM read calls the connector's least-privilege audit makes. Every
// policy has a single version, v1, its default. As IAM does, each call is
// authorized on the ARN it names (the role's, or the policy's) before the
// emulator looks it up, so a policy scoped to one role or policy is refused
// the others, whether or not they exist. ListRoles names no resource: it
// needs iam:ListRoles on "*".

func (s *Server) listRoles(c *call) {
	if !s.authorize(c, "iam:ListRoles", "*") {
		return
	}
	type member struct {
		Arn      string `xml:"Arn"`
		RoleName string `xml:"RoleName"`
		Path     string `xml:"Path"`
		RoleID   string `xml:"RoleId"`
		Created  string `xml:"CreateDate"`
		Trust    string `xml:"AssumeRolePolicyDocument"`
	}
	type result struct {
		XMLName     xml.Name `xml:"ListRolesResponse"`
		Roles       []member `xml:"ListRolesResult>Roles>member"`
		IsTruncated bool     `xml:"ListRolesResult>IsTruncated"`
	}
	var out result
	for _, r := range s.state.Roles {
		out.Roles = append(out.Roles, member{Arn: r.ARN, RoleName: roleName(r.ARN), Path: "/", RoleID: "AROA" + strings.ToUpper(randomHex(8)),
			Created: "2024-01-01T00:00:00Z", Trust: iamEscape(docText(r.TrustPolicy))})
	}
	writeXML(c, out)
}

func (s *Server) listAttachedRolePolicies(c *call) {
	name := c.r.PostForm.Get("RoleName")
	role := s.roleByName(name)
	arn := "arn:aws:iam::" + accountOf(c.session.role.ARN) + ":role/" + name
	if role != nil {
		arn = role.ARN // with its path
	}
	if !s.authorize(c, "iam:ListAttachedRolePolicies", arn) {
		return
	}
	if role == nil {
		s.fail(c, http.StatusNotFound, "NoSuchEntity", "The role with name "+name+" cannot be found.")
		return
	}
	type member struct {
		PolicyArn  string `xml:"PolicyArn"`
		PolicyName string `xml:"PolicyName"`
	}
	type result struct {
		XMLName     xml.Name `xml:"ListAttachedRolePoliciesResponse"`
		Policies    []member `xml:"ListAttachedRolePoliciesResult>AttachedPolicies>member"`
		IsTruncated bool     `xml:"ListAttachedRolePoliciesResult>IsTruncated"`
	}
	var out result
	for _, p := range role.Policies {
		out.Policies = append(out.Policies, member{p.ARN, p.Name})
	}
	writeXML(c, out)
}

func (s *Server) listPolicyVersions(c *call) {
	arn := c.r.PostForm.Get("PolicyArn")
	if !s.authorize(c, "iam:ListPolicyVersions", arn) {
		return
	}
	if s.policy(arn) == nil {
		s.fail(c, http.StatusNotFound, "NoSuchEntity", "Policy "+arn+" does not exist or is not attachable.")
		return
	}
	type member struct {
		VersionID string `xml:"VersionId"`
		IsDefault bool   `xml:"IsDefaultVersion"`
		Created   string `xml:"CreateDate"`
	}
	type result struct {
		XMLName     xml.Name `xml:"ListPolicyVersionsResponse"`
		Versions    []member `xml:"ListPolicyVersionsResult>Versions>member"`
		IsTruncated bool     `xml:"ListPolicyVersionsResult>IsTruncated"`
	}
	writeXML(c, result{Versions: []member{{"v1", true, "2024-01-01T00:00:00Z"}}})
}

func (s *Server) getPolicyVersion(c *call) {
	arn := c.r.PostForm.Get("PolicyArn")
	if !s.authorize(c, "iam:GetPolicyVersion", arn) {
		return
	}
	p := s.policy(arn)
	if p == nil || c.r.PostForm.Get("VersionId") != "v1" {
		s.fail(c, http.StatusNotFound, "NoSuchEntity", "Policy version does not exist.")
		return
	}
	type result struct {
		XMLName   xml.Name `xml:"GetPolicyVersionResponse"`
		Document  string   `xml:"GetPolicyVersionResult>PolicyVersion>Document"`
		VersionID string   `xml:"GetPolicyVersionResult>PolicyVersion>VersionId"`
		IsDefault bool     `xml:"GetPolicyVersionResult>PolicyVersion>IsDefaultVersion"`
		Created   string   `xml:"GetPolicyVersionResult>PolicyVersion>CreateDate"`
	}
	// IAM returns the document URL-encoded, as RFC 3986 escapes it.
	writeXML(c, result{Document: iamEscape(docText(p.Document)), VersionID: "v1", IsDefault: true, Created: "2024-01-01T00:00:00Z"})
}

func roleName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func (s *Server) roleByName(name string) *Role {
	for i := range s.state.Roles {
		if roleName(s.state.Roles[i].ARN) == name {
			return &s.state.Roles[i]
		}
	}
	return nil
}

func (s *Server) policy(arn string) *Policy {
	for i := range s.state.Roles {
		for j := range s.state.Roles[i].Policies {
			if s.state.Roles[i].Policies[j].ARN == arn {
				return &s.state.Roles[i].Policies[j]
			}
		}
	}
	return nil
}

// iamEscape percent-encodes a policy document as IAM returns it (RFC 3986:
// everything but unreserved characters), so that any unescaping a client
// uses gets the document back.
func iamEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
