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
)

// leastPrivilege is the connector's policy, written by hand the way a user
// would, with some statements replaced.
func leastPrivilege(replace map[string]string) string {
	stmts := map[string]string{
		"meta":   `{"Effect":"Allow","Action":["cur:DescribeReportDefinitions","organizations:ListAccounts","iam:ListRoles","iam:ListAttachedRolePolicies","iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"*"}`,
		"ce":     `{"Effect":"Allow","Action":"ce:GetCostAndUsage","Resource":"*"}`,
		"list":   `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::reckon-cur"}`,
		"get":    `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reckon-cur/cur/*"}`,
		"extra1": "", "extra2": "",
	}
	for k, v := range replace {
		stmts[k] = v
	}
	var parts []string
	for _, k := range []string{"meta", "ce", "list", "get", "extra1", "extra2"} {
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
			name: "the seed's ce:* is excess, named as granted",
			docs: []string{readTestdata(t, "seed-ce-star.json")},
			want: []string{"warning ExcessPermission ce:* | *"},
			says: []string{`Policy 1, statement 1 ("VisualEditor0") allows ce:* on *, but of those actions Reckon needs only ce:GetCostAndUsage: grant that instead of ce:*`},
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
			says: []string{`Policy 1, statement 5 ("NoSecrets") denies s3:GetObject on arn:aws:s3:::reckon-cur/cur/*`},
		},
		{
			name: "a Deny of everything in another policy denies every needed action",
			docs: []string{leastPrivilege(nil), `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`},
			want: []string{
				"error DeniedPermission ce:GetCostAndUsage | *",
				"error DeniedPermission cur:DescribeReportDefinitions | *",
				"error DeniedPermission iam:GetPolicyVersion | *",
				"error DeniedPermission iam:ListAttachedRolePolicies | *",
				"error DeniedPermission iam:ListPolicyVersions | *",
				"error DeniedPermission iam:ListRoles | *",
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
				"error MissingPermission iam:GetPolicyVersion | *",
				"error MissingPermission iam:ListAttachedRolePolicies | *",
				"error MissingPermission iam:ListPolicyVersions | *",
				"error MissingPermission iam:ListRoles | *",
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
			findings := Audit(docs, testBucket, testPrefix)
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
				if !strings.Contains(findings[i].Message, says) {
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

func TestPermissionsPolicyAuditsClean(t *testing.T) {
	for _, tc := range []struct{ name, bucket, prefix string }{
		{"a bucket with a prefix", "reckon-cur", "cur"},
		{"a bucket without a prefix", "reckon-cur", ""},
		{"a prefix written with slashes around it", "my.billing-bucket", "/billing/cur/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := PermissionsPolicy(tc.bucket, tc.prefix)
			d := mustParse(t, text)
			if f := Audit([]*Document{d}, tc.bucket, tc.prefix); len(f) != 0 {
				t.Errorf("the generated policy has findings: %+v\n%s", f, text)
			}
			for _, p := range Required(tc.bucket, tc.prefix) {
				if !Allowed([]*Document{d}, p.Action, strings.ReplaceAll(p.Resource, "*", "report/x.csv.gz")) {
					t.Errorf("the generated policy does not allow %s on %s", p.Action, p.Resource)
				}
			}
			for _, s := range d.Statements {
				if s.Sid == "" || slices.ContainsFunc(s.Actions, hasWildcard) {
					t.Errorf("statement %+v has no Sid or a wildcard action", s)
				}
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
			req := Required("b", tc.prefix)
			if len(req) != 9 {
				t.Fatalf("Required has %d permissions, want 9", len(req))
			}
			for _, p := range req {
				want := "*"
				switch p.Action {
				case "s3:ListBucket":
					want = "arn:aws:s3:::b"
				case "s3:GetObject":
					want = tc.objects
				}
				if p.Resource != want || p.Why == "" {
					t.Errorf("%s on %q (why %q), want on %q with a reason", p.Action, p.Resource, p.Why, want)
				}
			}
		})
	}
}
