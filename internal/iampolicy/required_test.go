package iampolicy

import (
	"slices"
	"strings"
	"testing"
)

func TestPermissionsPolicyAuditsClean(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target Target
	}{
		{"a bucket with a prefix", testTarget},
		{"a bucket without a prefix", Target{Bucket: "reckon-cur", RoleARN: testRole, PolicyARNs: []string{testPolicy}}},
		{"a prefix written with slashes around it", Target{Bucket: "my.billing-bucket", Prefix: "/billing/cur/", RoleARN: testRole, PolicyARNs: []string{testPolicy}}},
		{"a role with a path and two policies", Target{Bucket: "b", Prefix: "cur", RoleARN: "arn:aws:iam::012345678901:role/finops/reckon",
			PolicyARNs: []string{testPolicy, "arn:aws:iam::012345678901:policy/finops/guard"}}},
		{"a role and policy not known yet", Target{Bucket: "reckon-cur", Prefix: "cur"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.target.PermissionsPolicy()
			d := mustParse(t, text)
			if f := tc.target.Audit([]*Document{d}); len(f) != 0 {
				t.Errorf("the generated policy has findings: %+v\n%s", f, text)
			}
			for _, p := range tc.target.Required() {
				if !Allowed([]*Document{d}, p.Action, strings.ReplaceAll(p.named(), "*", "report/x.csv.gz")) {
					t.Errorf("the generated policy does not allow %s on %s", p.Action, p.named())
				}
			}
			for _, s := range d.Statements {
				if s.Sid == "" || slices.ContainsFunc(s.Actions, hasWildcard) {
					t.Errorf("statement %+v has no Sid or a wildcard action", s)
				}
				if slices.Contains(s.Resources, "*") && slices.ContainsFunc(s.Actions, func(a string) bool { return strings.HasPrefix(a, "iam:") }) {
					t.Errorf("statement %q grants an IAM read on *", s.Sid)
				}
			}
		})
	}
}

func TestPermissionsPolicyNamesPlaceholdersForARoleNotKnown(t *testing.T) {
	text := PermissionsPolicy("reckon-cur", "cur")
	for _, want := range []string{RolePlaceholder, PolicyPlaceholder} {
		if !strings.Contains(text, `"`+want+`"`) {
			t.Errorf("the policy does not name %s:\n%s", want, text)
		}
	}
	// The audit of a role not known accepts the placeholders as written.
	if f := Audit([]*Document{mustParse(t, text)}, "reckon-cur", "cur"); len(f) != 0 {
		t.Errorf("the policy with placeholders has findings: %+v", f)
	}
}

func TestAuditOfARoleNotKnown(t *testing.T) {
	for _, tc := range []struct {
		name string
		iam  string // the policy's IAM statements
		want []string
	}{
		{"the IAM reads on one role and policy are enough", "", nil},
		{"the IAM reads on * are broader than needed", iamOnStar, []string{
			"warning BroadResource iam:GetPolicyVersion | *",
			"warning BroadResource iam:ListAttachedRolePolicies | *",
			"warning BroadResource iam:ListPolicyVersions | *",
			"warning ExcessPermission iam:ListRoles | *",
		}},
		{"a Deny on some other role is no finding, as it may not be the connector's", `{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::012345678901:role/admin"}`, nil},
		{"a Deny on every policy is an error", `{"Effect":"Deny","Action":"iam:GetPolicyVersion","Resource":"arn:aws:iam::*:policy/*"}`, []string{
			"error DeniedPermission iam:GetPolicyVersion | " + PolicyPlaceholder,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replace := map[string]string{}
			if tc.iam != "" {
				replace["extra1"] = tc.iam
			}
			if tc.iam == iamOnStar {
				replace["role"], replace["policy"] = "", ""
			}
			var got []string
			for _, f := range Audit([]*Document{mustParse(t, leastPrivilege(replace))}, testBucket, testPrefix) {
				got = append(got, short(f))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestRequired(t *testing.T) {
	for _, tc := range []struct{ name, prefix, objects string }{
		{"objects sit under the prefix and its slash", "cur", "arn:aws:s3:::b/cur/*"},
		{"no prefix means every object of the bucket", "", "arn:aws:s3:::b/*"},
		{"slashes around the prefix are dropped", "/a/b/", "arn:aws:s3:::b/a/b/*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := "arn:aws:iam::012345678901:policy/other"
			req := Target{Bucket: "b", Prefix: tc.prefix, RoleARN: testRole, PolicyARNs: []string{testPolicy, other, testPolicy}}.Required()
			if len(req) != 10 {
				t.Fatalf("Required has %d permissions, want 10", len(req))
			}
			var policies []string
			for _, p := range req {
				want := "*"
				switch p.Action {
				case "s3:ListBucket":
					want = "arn:aws:s3:::b"
				case "s3:GetObject":
					want = tc.objects
				case "iam:ListAttachedRolePolicies":
					want = testRole
				case "iam:ListPolicyVersions", "iam:GetPolicyVersion":
					want = p.Resource
					policies = append(policies, p.Resource)
				}
				if p.Resource != want || p.Why == "" || p.Placeholder != "" {
					t.Errorf("%s on %q (why %q), want on %q with a reason", p.Action, p.Resource, p.Why, want)
				}
				if want == "*" && !strings.Contains(p.Why, "no resource-level permissions") {
					t.Errorf("%s on * does not say why: %q", p.Action, p.Why)
				}
			}
			if want := []string{testPolicy, other, testPolicy, other}; !slices.Equal(policies, want) {
				t.Errorf("policy reads on %q, want each policy once per action: %q", policies, want)
			}
		})
	}
}

func TestRequiredNeedsNoIAMReadOnStar(t *testing.T) {
	for _, target := range []Target{testTarget, {Bucket: "b"}} {
		for _, p := range target.Required() {
			if strings.HasPrefix(p.Action, "iam:") && (p.Resource == "*" || p.named() == "*") {
				t.Errorf("%+v: %s on *", target, p.Action)
			}
			if p.Action == "iam:ListRoles" {
				t.Errorf("%+v needs iam:ListRoles, which the connector does not call", target)
			}
		}
	}
}
