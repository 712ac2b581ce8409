package main

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/synth"
)

// verifyChecks runs aws verify --format json against a customer whose role
// has the trust and permissions policies given, and returns its exit code
// and checks.
func verifyChecks(t *testing.T, trust, perms string) (int, []struct{ Name, Status, Code, Message string }) {
	t.Helper()
	const ext = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"
	dir := t.TempDir()
	if _, err := synth.WriteBucket(dir, synth.Options{Seed: 3, RowsPerMonth: 200, ReportName: "reckon", Prefix: "cur"}); err != nil {
		t.Fatal(err)
	}
	st := emulatorState(dir, ext)
	st.Accounts = []awsemu.Account{{ID: testPayer, Name: "Management"}}
	st.Roles[0].TrustPolicy = json.RawMessage(trust)
	st.Roles[0].Policies[0].Document = json.RawMessage(perms)
	hs := httptest.NewServer(awsemu.New(st, nil))
	defer hs.Close()
	setAWSTestEnv(t)
	t.Setenv("RECKON_EXT_ID", ext)
	code, out, stderr := cli(t, "aws", "verify", "--role-arn", testRoleARN, "--external-id-env", "RECKON_EXT_ID",
		"--report", "reckon", "--endpoint", hs.URL, "--format", "json")
	var v struct {
		Checks []struct{ Name, Status, Code, Message string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("exit %d, not JSON: %v\n%s\n%s", code, err, out, stderr)
	}
	return code, v.Checks
}

// iamOnStar lists the IAM actions a printed policy grants on "*".
func iamOnStar(d *iampolicy.Document) []string {
	var bad []string
	for _, s := range d.Statements {
		if slices.Contains(s.Resources, "*") || s.NotResources != nil {
			for _, a := range s.Actions {
				if strings.HasPrefix(strings.ToLower(a), "iam:") {
					bad = append(bad, a)
				}
			}
		}
	}
	return bad
}

func TestSetupPolicyOutputVerifiesCleanAgainstTheEmulator(t *testing.T) {
	const ext = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"
	code, out, stderr := cli(t, "aws", "setup-policy", "--account", testPayer, "--role-name", "reckon-connector", "--policy-name", "reckon",
		"--bucket", "billing", "--prefix", "cur", "--trusted-account", "111122223333", "--external-id", ext)
	if code != 0 || stderr != "" {
		t.Fatalf("setup-policy: exit %d: %s", code, stderr)
	}
	perms, trust := policies(t, out)
	if bad := iamOnStar(perms); len(bad) > 0 {
		t.Errorf("the permissions policy grants %v on *:\n%s", bad, perms)
	}
	for _, want := range []string{
		"aws iam create-policy --policy-name reckon ",
		"aws iam create-role --role-name reckon-connector --assume-role-policy-document",
		"--role-name reckon-connector --policy-arn arn:aws:iam::" + testPayer + ":policy/reckon\n",
		"role ARN " + testRoleARN + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	code, checks := verifyChecks(t, trust.String(), perms.String())
	if code != 0 || len(checks) != 6 {
		t.Errorf("verify: exit %d, %d checks, want 0 and 6", code, len(checks))
	}
	for _, c := range checks {
		if c.Status != "ok" {
			t.Errorf("%s: %s %s: %s", c.Name, c.Status, c.Code, c.Message)
		}
	}
}

func TestTheIAMReadsOnStarOfEarlierSetUpsStillVerify(t *testing.T) {
	// What setup-policy printed before the IAM reads were scoped.
	const earlier = `{"Version":"2012-10-17","Statement":[
		{"Sid":"ReckonReadCostMetadata","Effect":"Allow","Action":["cur:DescribeReportDefinitions","organizations:ListAccounts","ce:GetCostAndUsage",
			"iam:ListRoles","iam:ListAttachedRolePolicies","iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"*"},
		{"Sid":"ReckonListReportBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::billing"},
		{"Sid":"ReckonReadReportFiles","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::billing/cur/*"}]}`
	code, checks := verifyChecks(t, iampolicy.TrustPolicy("111122223333", "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"), earlier)
	if code != 0 {
		t.Errorf("verify: exit %d, want 0", code)
	}
	var warnings []string
	for _, c := range checks {
		switch {
		case c.Name == "Least privilege":
			warnings = append(warnings, c.Status+" "+c.Code)
		case c.Status != "ok":
			t.Errorf("%s: %s %s: %s", c.Name, c.Status, c.Code, c.Message)
		}
	}
	want := []string{"warning BroadResource", "warning BroadResource", "warning BroadResource", "warning ExcessPermission"}
	if !slices.Equal(warnings, want) {
		t.Errorf("least privilege: %q, want %q", warnings, want)
	}
}

func TestSetupPolicyWithoutAnAccountPrintsPlaceholders(t *testing.T) {
	code, out, stderr := cli(t, "aws", "setup-policy", "--bucket", "billing", "--prefix", "cur", "--trusted-account", "111122223333",
		"--role-name", "cost-reader", "--role-path", "/finops/", "--external-id", "ext-id-for-the-test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	perms, _ := policies(t, out)
	if bad := iamOnStar(perms); len(bad) > 0 {
		t.Errorf("the permissions policy grants %v on *:\n%s", bad, perms)
	}
	for _, want := range []string{
		`"Resource": "arn:aws:iam::<ACCOUNT_ID>:role/finops/cost-reader"`,
		`"Resource": "arn:aws:iam::<ACCOUNT_ID>:policy/reckon-connector"`,
		"aws iam create-role --role-name cost-reader --path /finops/ ",
		"--policy-arn arn:aws:iam::<ACCOUNT_ID>:policy/reckon-connector",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "<ACCOUNT_ID>") || !strings.Contains(stderr, "--account") {
		t.Errorf("stderr does not say what to fill in: %q", stderr)
	}
	if f := iampolicy.Audit([]*iampolicy.Document{perms}, "billing", "cur"); len(f) != 0 {
		t.Errorf("the printed policy audits with findings: %+v", f)
	}
}

func TestSetupPolicyRefusesBadIAMNames(t *testing.T) {
	base := []string{"aws", "setup-policy", "--bucket", "b", "--trusted-account", "111122223333"}
	for _, extra := range [][]string{
		{"--role-name", "has space"},
		{"--role-name", strings.Repeat("r", 65)},
		{"--role-path", "finops"},
		{"--role-path", "/finops"},
		{"--policy-name", ""},
		{"--policy-name", "a/b"},
	} {
		if code, _, stderr := cli(t, append(slices.Clone(base), extra...)...); code != 2 || !strings.Contains(stderr, extra[0]) {
			t.Errorf("%v: exit %d, %q; want a usage error naming the flag", extra, code, stderr)
		}
	}
}
