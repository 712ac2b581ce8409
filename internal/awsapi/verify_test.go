package awsapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/synth"
)

const (
	reckonAccount = "111122223333"
	payer         = "012345678901"
	role          = "arn:aws:iam::" + payer + ":role/reckon-connector"
	policyARN     = "arn:aws:iam::" + payer + ":policy/reckon"
	extID         = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"
)

// target is what the customer's role reads, with its one policy.
var target = iampolicy.Target{Bucket: "billing", Prefix: "cur", RoleARN: role, PolicyARNs: []string{policyARN}}

// iamOnStar is the policy earlier versions of setup-policy printed: the IAM
// reads on "*", and iam:ListRoles, which the connector never called.
const iamOnStar = `{"Version":"2012-10-17","Statement":[
	{"Effect":"Allow","Action":["cur:DescribeReportDefinitions","organizations:ListAccounts","ce:GetCostAndUsage","iam:ListRoles","iam:ListAttachedRolePolicies","iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"*"},
	{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::billing"},
	{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::billing/cur/*"}]}`

// customer is a management account whose role grants exactly what the
// connector needs, as setup-policy prints it, and whose bucket holds two
// months of reports.
func customer(t *testing.T) *awsemu.State {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.WriteBucket(dir, synth.Options{Seed: 3, Months: 2, RowsPerMonth: 300, ReportName: "reckon", Prefix: "cur", Payer: payer}); err != nil {
		t.Fatal(err)
	}
	return &awsemu.State{
		Callers:           []awsemu.Caller{{AccessKeyID: "AKIARECKON", SecretAccessKey: "secret", Account: reckonAccount}},
		ManagementAccount: payer,
		Accounts:          []awsemu.Account{{ID: payer, Name: "Management"}, {ID: "045678901234", Name: "Data"}},
		Roles: []awsemu.Role{{ARN: role, TrustPolicy: json.RawMessage(iampolicy.TrustPolicy(reckonAccount, extID)),
			Policies: []awsemu.Policy{{ARN: policyARN, Name: "reckon", Document: json.RawMessage(target.PermissionsPolicy())}}}},
		Reports: []awsemu.ReportDefinition{{ReportName: "reckon", TimeUnit: "HOURLY", Format: "textORcsv", Compression: "GZIP",
			AdditionalSchemaElements: []string{"RESOURCES"}, S3Bucket: "billing", S3Prefix: "cur", S3Region: "us-east-1",
			ReportVersioning: "CREATE_NEW_REPORT"}},
		Buckets: []awsemu.Bucket{{Name: "billing", Dir: dir}},
	}
}

func verify(t *testing.T, st *awsemu.State, ext string) *Verification {
	t.Helper()
	hs := httptest.NewServer(awsemu.New(st, nil))
	defer hs.Close()
	base := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIARECKON", "secret", ""),
		Retryer: func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond) }}
	c, err := New(base, Options{Connector: "acme", RoleARN: role, ExternalID: ext, ReportName: "reckon", BaseEndpoint: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c.Verify(context.Background())
}

// summary lists the checks as "name: status code".
func summary(v *Verification) string {
	var parts []string
	for _, c := range v.Checks {
		s := c.Name + ": " + string(c.Status)
		if c.Code != "" {
			s += " " + c.Code
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestVerify(t *testing.T) {
	policy := func(doc string) func(*awsemu.State) {
		return func(st *awsemu.State) { st.Roles[0].Policies[0].Document = json.RawMessage(doc) }
	}
	withoutAction := func(action string) func(*awsemu.State) {
		return func(st *awsemu.State) {
			doc := target.PermissionsPolicy()
			// A statement of its own keeps a harmless action; in a list the
			// action just goes.
			doc = strings.ReplaceAll(doc, `"Action": "`+action+`"`, `"Action": "s3:GetBucketLocation"`)
			doc = strings.ReplaceAll(doc, `"`+action+`",`, "")
			st.Roles[0].Policies[0].Document = json.RawMessage(doc)
		}
	}
	tests := []struct {
		name    string
		ext     string
		setup   func(*awsemu.State)
		want    string
		message string // what the error and warning messages must say
	}{
		{"a correct set-up passes every check", extID, nil,
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; Least privilege: ok", ""},
		{"a wrong external ID fails to assume the role", "wrong-external-id", nil, "Assume role: error FailedToAssumeRole",
			"its sts:ExternalId condition equals the connector's external ID"},
		{"a trust policy without Reckon's account fails to assume the role", extID, func(st *awsemu.State) {
			st.Roles[0].TrustPolicy = json.RawMessage(iampolicy.TrustPolicy("999999999999", extID))
		}, "Assume role: error FailedToAssumeRole", "its trust policy names the account Reckon runs in"},
		{"a deleted report is named", extID, func(st *awsemu.State) { st.Reports = nil },
			"Assume role: ok; Report definition: error FailedToFindReport", `no report named "reckon" in account 012345678901`},
		{"a monthly zipped report is not valid", extID, func(st *awsemu.State) {
			st.Reports[0].TimeUnit, st.Reports[0].Compression = "MONTHLY", "ZIP"
		}, "Assume role: ok; Report definition: error ReportIsNotValid; Report definition: error ReportIsNotValid",
			"Time granularity (TimeUnit) is MONTHLY: set it to HOURLY | Compression is ZIP: set it to GZIP"},
		{"a daily report without resources passes with warnings", extID, func(st *awsemu.State) {
			st.Reports[0].TimeUnit, st.Reports[0].AdditionalSchemaElements = "DAILY", nil
		}, "Assume role: ok; Report definition: warning; Report definition: warning; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; Least privilege: ok",
			""},
		{"no report definitions access", extID, withoutAction("cur:DescribeReportDefinitions"),
			"Assume role: ok; Report definition: error AccessDeniedReportDefinitions", "allow cur:DescribeReportDefinitions on *"},
		{"no bucket listing", extID, withoutAction("s3:ListBucket"),
			"Assume role: ok; Report definition: ok; List reports: error AccessDeniedListReports",
			"the role may not list s3://billing/cur/reckon/: allow s3:ListBucket on arn:aws:s3:::billing"},
		{"no object reading", extID, withoutAction("s3:GetObject"),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: error AccessDeniedDownloadReport",
			"allow s3:GetObject on arn:aws:s3:::billing/cur/reckon/*"},
		{"no organisation listing is a warning", extID, withoutAction("organizations:ListAccounts"),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: warning; Least privilege: error MissingPermission",
			"organizations:ListAccounts"},
		{"ce:* is more than needed", extID, policy(strings.Replace(target.PermissionsPolicy(), `"ce:GetCostAndUsage"`, `"ce:*"`, 1)),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; Least privilege: warning ExcessPermission", "ce:*"},
		{"* on * is more than needed", extID, policy(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; Least privilege: warning ExcessPermission", `"*"`},
		{"s3:* on every resource is more than needed", extID, policy(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["cur:DescribeReportDefinitions","organizations:ListAccounts","ce:GetCostAndUsage"],"Resource":"*"},
			{"Effect":"Allow","Action":"iam:ListAttachedRolePolicies","Resource":"` + role + `"},
			{"Effect":"Allow","Action":["iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"` + policyARN + `"},
			{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; Least privilege: warning ExcessPermission", "s3:*"},
		{"the IAM reads on * of earlier set-ups pass, with warnings", extID, policy(iamOnStar),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; " +
				"Least privilege: warning BroadResource; Least privilege: warning BroadResource; Least privilege: warning BroadResource; Least privilege: warning ExcessPermission",
			"allows iam:GetPolicyVersion on *, beyond the " + policyARN + " that Reckon needs | narrow the Resource to " + role +
				" | allows iam:ListRoles on *, which Reckon does not need"},
		{"the IAM reads scoped to another role cannot list the role's policies", extID,
			policy(strings.ReplaceAll(target.PermissionsPolicy(), role, "arn:aws:iam::"+payer+":role/other")),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; Least privilege: warning",
			"allow iam:ListAttachedRolePolicies on " + role},
		{"a second policy the role may not read is named", extID, func(st *awsemu.State) {
			st.Roles[0].Policies = append(st.Roles[0].Policies, awsemu.Policy{ARN: "arn:aws:iam::" + payer + ":policy/guard", Name: "guard",
				Document: json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}}`)})
		}, "Assume role: ok; Report definition: ok; List reports: ok; Download report: ok; Organization accounts: ok; " +
			"Least privilege: warning; Least privilege: error MissingPermission; Least privilege: error MissingPermission",
			"policy arn:aws:iam::012345678901:policy/guard could not be read (list versions: AccessDenied): allow iam:ListPolicyVersions and iam:GetPolicyVersion on arn:aws:iam::012345678901:policy/guard" +
				" | Reckon needs iam:GetPolicyVersion on arn:aws:iam::012345678901:policy/guard"},
		{"a Deny on the report's objects is an error", extID, policy(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"*","Resource":"*"},
			{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::billing/*"}]}`),
			"Assume role: ok; Report definition: ok; List reports: ok; Download report: error AccessDeniedDownloadReport", "s3:GetObject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := customer(t)
			if tt.setup != nil {
				tt.setup(st)
			}
			v := verify(t, st, tt.ext)
			if got := summary(v); got != tt.want {
				t.Errorf("checks:\n  %s\nwant\n  %s", got, tt.want)
				for _, c := range v.Checks {
					t.Logf("%s: %s", c.Name, c.Message)
				}
			}
			var errs []string
			for _, c := range v.Checks {
				if c.Status != StatusOK {
					errs = append(errs, c.Message)
				}
			}
			for _, part := range strings.Split(tt.message, " | ") {
				if tt.message != "" && !strings.Contains(strings.Join(errs, "\n"), part) {
					t.Errorf("the error messages do not say %q:\n%s", part, strings.Join(errs, "\n"))
				}
			}
			for _, c := range v.Checks {
				if strings.Contains(c.Message, extID) || strings.Contains(c.Message, "wrong-external-id") {
					t.Errorf("check %q shows an external ID: %s", c.Name, c.Message)
				}
			}
		})
	}
}

func TestRoleARNs(t *testing.T) {
	for arn, ok := range map[string]bool{
		"arn:aws:iam::012345678901:role/reckon":         true,
		"arn:aws:iam::012345678901:role/path/to/reckon": true,
		"arn:aws-cn:iam::012345678901:role/reckon":      true,
		"arn:aws:iam::12345678901:role/reckon":          false,
		"arn:aws:iam::012345678901:user/reckon":         false,
		"arn:aws:iam::012345678901:role/":               false,
		"012345678901":                                  false,
	} {
		_, _, err := ParseRoleARN(arn)
		if (err == nil) != ok || (err != nil && cost.ErrorCode(err) != cost.EInvalid) {
			t.Errorf("ParseRoleARN(%q) error = %v, want ok=%v", arn, err, ok)
		}
	}
}
