package iampolicy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	testBucket  = "reckon-cur"
	testPrefix  = "cur"
	testObjects = "arn:aws:s3:::reckon-cur/cur/*"
	testRole    = "arn:aws:iam::012345678901:role/reckon-connector"
	testPolicy  = "arn:aws:iam::012345678901:policy/reckon-connector"
)

// testTarget is the connector's role with its one policy attached.
var testTarget = Target{Bucket: testBucket, Prefix: testPrefix, RoleARN: testRole, PolicyARNs: []string{testPolicy}}

// iamOnStar is the IAM part of the policy earlier versions of setup-policy
// printed: every read on "*", and iam:ListRoles, which the connector never
// called.
const iamOnStar = `{"Effect":"Allow","Action":["iam:ListRoles","iam:ListAttachedRolePolicies","iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"*"}`

// leastPrivilege is the connector's policy, written by hand the way a user
// would, with some statements replaced.
func leastPrivilege(replace map[string]string) string {
	stmts := map[string]string{
		"meta":   `{"Effect":"Allow","Action":["cur:DescribeReportDefinitions","organizations:ListAccounts"],"Resource":"*"}`,
		"ce":     `{"Effect":"Allow","Action":"ce:GetCostAndUsage","Resource":"*"}`,
		"list":   `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::reckon-cur"}`,
		"get":    `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reckon-cur/cur/*"}`,
		"role":   `{"Effect":"Allow","Action":"iam:ListAttachedRolePolicies","Resource":"` + testRole + `"}`,
		"policy": `{"Effect":"Allow","Action":["iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"` + testPolicy + `"}`,
		"extra1": "", "extra2": "",
	}
	for k, v := range replace {
		stmts[k] = v
	}
	var parts []string
	for _, k := range []string{"meta", "ce", "list", "get", "role", "policy", "extra1", "extra2"} {
		if stmts[k] != "" {
			parts = append(parts, stmts[k])
		}
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(parts, ",") + `]}`
}

// short is a finding without its message: "severity Code action | resource".
func short(f Finding) string {
	return fmt.Sprintf("%s %s %s | %s", f.Severity, f.Code, f.Action, f.Resource)
}

func TestAudit(t *testing.T) {
	for _, tc := range []struct {
		name string
		docs []string
		want []string // short form of every finding, in order
		says []string // what the messages must say, in order of findings
	}{
		{
			name: "the least-privilege policy has no findings",
			docs: []string{leastPrivilege(nil)},
		},
		{
			name: "the least privilege split over two policies has no findings",
			docs: []string{leastPrivilege(map[string]string{"list": "", "get": ""}),
				`{"Statement":[{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::reckon-cur"]},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reckon-cur/cur/*"}]}`},
		},
		{
			name: "needed actions written in another case count as granted",
			docs: []string{leastPrivilege(map[string]string{"ce": `{"Effect":"Allow","Action":"CE:getcostandusage","Resource":"*"}`})},
		},
		{
			name: "the seed's ce:* is excess, named as granted, and so are its IAM reads on *",
			docs: []string{readTestdata(t, "seed-ce-star.json")},
			want: []string{
				"warning BroadResource iam:GetPolicyVersion | *",
				"warning BroadResource iam:ListAttachedRolePolicies | *",
				"warning BroadResource iam:ListPolicyVersions | *",
				"warning ExcessPermission ce:* | *",
				"warning ExcessPermission iam:ListRoles | *",
			},
			says: []string{"", "", "",
				`Policy 1, statement 1 ("VisualEditor0") allows ce:* on *, but of those actions Reckon needs only ce:GetCostAndUsage: grant that instead of ce:*`},
		},
		{
			name: "the IAM reads on * of earlier set-ups work, broader than needed, and iam:ListRoles is not needed",
			docs: []string{leastPrivilege(map[string]string{"role": iamOnStar, "policy": ""})},
			want: []string{
				"warning BroadResource iam:GetPolicyVersion | *",
				"warning BroadResource iam:ListAttachedRolePolicies | *",
				"warning BroadResource iam:ListPolicyVersions | *",
				"warning ExcessPermission iam:ListRoles | *",
			},
			says: []string{
				"allows iam:GetPolicyVersion on *, beyond the " + testPolicy + " that Reckon needs to read each of the role's policies for this permission check: narrow the Resource to " + testPolicy,
				"allows iam:ListAttachedRolePolicies on *, beyond the " + testRole + " that Reckon needs",
				"", "allows iam:ListRoles on *, which Reckon does not need",
			},
		},
		{
			name: "the IAM reads on every role and policy of the account are broader than needed",
			docs: []string{leastPrivilege(map[string]string{
				"role":   `{"Effect":"Allow","Action":"iam:ListAttachedRolePolicies","Resource":"arn:aws:iam::012345678901:role/*"}`,
				"policy": `{"Effect":"Allow","Action":["iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"arn:aws:iam::012345678901:policy/*"}`,
			})},
			want: []string{
				"warning BroadResource iam:GetPolicyVersion | arn:aws:iam::012345678901:policy/*",
				"warning BroadResource iam:ListAttachedRolePolicies | arn:aws:iam::012345678901:role/*",
				"warning BroadResource iam:ListPolicyVersions | arn:aws:iam::012345678901:policy/*",
			},
		},
		{
			name: "the IAM reads scoped to another role and policy are missing",
			docs: []string{leastPrivilege(map[string]string{
				"role":   `{"Effect":"Allow","Action":"iam:ListAttachedRolePolicies","Resource":"arn:aws:iam::012345678901:role/other"}`,
				"policy": `{"Effect":"Allow","Action":["iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"arn:aws:iam::012345678901:policy/other"}`,
			})},
			want: []string{
				"error MissingPermission iam:GetPolicyVersion | " + testPolicy,
				"error MissingPermission iam:ListAttachedRolePolicies | " + testRole,
				"error MissingPermission iam:ListPolicyVersions | " + testPolicy,
				"warning BroadResource iam:GetPolicyVersion | arn:aws:iam::012345678901:policy/other",
				"warning BroadResource iam:ListAttachedRolePolicies | arn:aws:iam::012345678901:role/other",
				"warning BroadResource iam:ListPolicyVersions | arn:aws:iam::012345678901:policy/other",
			},
			says: []string{"Reckon needs iam:GetPolicyVersion on " + testPolicy + " to read each of the role's policies"},
		},
		{
			name: "s3:* on every resource is excess",
			docs: []string{leastPrivilege(map[string]string{"list": `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`, "get": ""})},
			want: []string{"warning ExcessPermission s3:* | *"},
			says: []string{"allows s3:* on *, but of those actions Reckon needs only s3:ListBucket, s3:GetObject"},
		},
		{
			name: "a missing s3:GetObject is an error naming the action, resource and why",
			docs: []string{leastPrivilege(map[string]string{"get": ""})},
			want: []string{"error MissingPermission s3:GetObject | " + testObjects},
			says: []string{"Reckon needs s3:GetObject on arn:aws:s3:::reckon-cur/cur/* to download the report manifests and files, but no policy of the role allows it"},
		},
		{
			name: "a Deny on part of the report files is an error",
			docs: []string{leastPrivilege(map[string]string{"extra1": `{"Sid":"NoSecrets","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::reckon-cur/cur/secret/*"}`})},
			want: []string{"error DeniedPermission s3:GetObject | " + testObjects},
			says: []string{`Policy 1, statement 7 ("NoSecrets") denies s3:GetObject on arn:aws:s3:::reckon-cur/cur/*`},
		},
		{
			name: "a Deny of everything in another policy denies every needed action",
			docs: []string{leastPrivilege(nil), `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`},
			want: []string{
				"error DeniedPermission ce:GetCostAndUsage | *",
				"error DeniedPermission cur:DescribeReportDefinitions | *",
				"error DeniedPermission iam:GetPolicyVersion | " + testPolicy,
				"error DeniedPermission iam:ListAttachedRolePolicies | " + testRole,
				"error DeniedPermission iam:ListPolicyVersions | " + testPolicy,
				"error DeniedPermission organizations:ListAccounts | *",
				"error DeniedPermission s3:GetObject | " + testObjects,
				"error DeniedPermission s3:ListBucket | arn:aws:s3:::reckon-cur",
			},
		},
		{
			name: "a Deny of other actions or other buckets is no finding",
			docs: []string{leastPrivilege(map[string]string{
				"extra1": `{"Effect":"Deny","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"*"}`,
				"extra2": `{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::other-bucket/*"}`,
			})},
		},
		{
			name: "s3:GetObject on the wrong prefix is missing, and broader than needed",
			docs: []string{leastPrivilege(map[string]string{"get": `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reckon-cur/other/*"}`})},
			want: []string{
				"error MissingPermission s3:GetObject | " + testObjects,
				"warning BroadResource s3:GetObject | arn:aws:s3:::reckon-cur/other/*",
			},
			says: []string{"It is allowed only on arn:aws:s3:::reckon-cur/other/*.", "narrow the Resource to arn:aws:s3:::reckon-cur/cur/*"},
		},
		{
			name: "s3:GetObject on every bucket is a broad resource",
			docs: []string{leastPrivilege(map[string]string{"get": `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*"}`})},
			want: []string{"warning BroadResource s3:GetObject | arn:aws:s3:::*"},
			says: []string{"allows s3:GetObject on arn:aws:s3:::*, beyond the arn:aws:s3:::reckon-cur/cur/* that Reckon needs"},
		},
		{
			name: "an AdministratorAccess-like policy gives a warning and no error",
			docs: []string{readTestdata(t, "administrator-access.json")},
			want: []string{"warning ExcessPermission * | *"},
			says: []string{`allows every action ("*") on *`},
		},
		{
			name: "an action Reckon does not use is excess",
			docs: []string{leastPrivilege(map[string]string{"extra1": `{"Effect":"Allow","Action":["ec2:DescribeInstances","s3:PutObject"],"Resource":"*"}`})},
			want: []string{"warning ExcessPermission ec2:DescribeInstances | *", "warning ExcessPermission s3:PutObject | *"},
			says: []string{"which Reckon does not need"},
		},
		{
			name: "an Allow with NotAction is reported, not its every action",
			docs: []string{`{"Statement":{"Effect":"Allow","NotAction":["iam:CreateUser","iam:DeleteUser"],"Resource":"*"}}`},
			want: []string{"warning NotActionAllow NotAction iam:CreateUser, iam:DeleteUser | *"},
			says: []string{"allows every action except iam:CreateUser, iam:DeleteUser on *"},
		},
		{
			name: "a needed action allowed with NotResource is a broad resource",
			docs: []string{leastPrivilege(map[string]string{"get": `{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}`})},
			want: []string{"warning BroadResource s3:GetObject | every resource except arn:aws:s3:::secret/*"},
		},
		{
			name: "a statement with conditions is a warning that names them but not their values",
			docs: []string{leastPrivilege(map[string]string{"ce": `{"Effect":"Allow","Action":"ce:GetCostAndUsage","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`})},
			want: []string{"warning UncheckedCondition ce:GetCostAndUsage | *"},
			says: []string{"allows ce:GetCostAndUsage on * only under conditions (IpAddress aws:SourceIp)"},
		},
		{
			name: "no policy at all misses every permission",
			docs: nil,
			want: []string{
				"error MissingPermission ce:GetCostAndUsage | *",
				"error MissingPermission cur:DescribeReportDefinitions | *",
				"error MissingPermission iam:GetPolicyVersion | " + testPolicy,
				"error MissingPermission iam:ListAttachedRolePolicies | " + testRole,
				"error MissingPermission iam:ListPolicyVersions | " + testPolicy,
				"error MissingPermission organizations:ListAccounts | *",
				"error MissingPermission s3:GetObject | " + testObjects,
				"error MissingPermission s3:ListBucket | arn:aws:s3:::reckon-cur",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var docs []*Document
			for _, d := range tc.docs {
				docs = append(docs, mustParse(t, d))
			}
			findings := testTarget.Audit(docs)
			got := []string{}
			for _, f := range findings {
				got = append(got, short(f))
				if f.Message == "" || !strings.Contains(f.Message, strings.TrimPrefix(f.Action, "NotAction ")) {
					t.Errorf("finding %s has a message that does not name its action: %q", short(f), f.Message)
				}
			}
			if !slices.Equal(got, append([]string{}, tc.want...)) {
				t.Errorf("findings:\n got %q\nwant %q", got, tc.want)
			}
			for i, says := range tc.says {
				if i >= len(findings) {
					break
				}
				if says != "" && !strings.Contains(findings[i].Message, says) {
					t.Errorf("finding %d says %q\nwant it to say %q", i, findings[i].Message, says)
				}
			}
		})
	}
}

func TestAuditNamesThePolicy(t *testing.T) {
	d := mustParse(t, readTestdata(t, "administrator-access.json"))
	d.Name = "arn:aws:iam::aws:policy/AdministratorAccess"
	f := Audit([]*Document{d}, testBucket, testPrefix)
	if len(f) != 1 || !strings.HasPrefix(f[0].Message, `Policy "arn:aws:iam::aws:policy/AdministratorAccess", statement 1 allows`) {
		t.Errorf("findings %+v do not point at the named policy", f)
	}
}

func TestAuditIsDeterministic(t *testing.T) {
	docs := []*Document{
		mustParse(t, readTestdata(t, "administrator-access.json")),
		mustParse(t, `{"Statement":[{"Effect":"Allow","Action":["s3:*","ce:*","ec2:*"],"Resource":["arn:aws:s3:::*","*"],
			"Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:RequestedRegion":"us-east-1"}}},
			{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::reckon-cur/cur/x"}]}`),
	}
	first := Audit(docs, testBucket, testPrefix)
	for range 20 {
		if again := Audit(docs, testBucket, testPrefix); !slices.Equal(again, first) {
			t.Fatalf("Audit changed between runs:\n%v\n%v", first, again)
		}
	}
}
