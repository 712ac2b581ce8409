package awsemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/reckon-finops/reckon/internal/iampolicy"
)

const (
	reckonAccount = "111122223333"
	payer         = "012345678901"
	roleARN       = "arn:aws:iam::" + payer + ":role/reckon-connector"
	policyARN     = "arn:aws:iam::" + payer + ":policy/reckon"
	externalID    = "a7Bq9xZk2LmN4pR6sT8vW0yC3eF5hJ1u"
)

// target is what the scenario's role reads, and its one policy.
var target = iampolicy.Target{Bucket: "billing", Prefix: "cur", RoleARN: roleARN, PolicyARNs: []string{policyARN}}

// scenario is a customer with four accounts, a least-privilege role and a
// bucket holding one report file.
func scenario(t *testing.T) *State {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "cur", "reckon", "20260801-20260901", "reckon-Manifest.json")
	if err := os.MkdirAll(filepath.Dir(key), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, []byte(`{"reportName":"reckon"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return &State{
		Callers:           []Caller{{AccessKeyID: "AKIARECKON", SecretAccessKey: "reckon-secret", Account: reckonAccount}},
		ManagementAccount: payer,
		Accounts: []Account{
			{ID: payer, Name: "Management", State: "ACTIVE"}, {ID: "045678901234", Name: "Data"},
			{ID: "234567890123", Name: "Web"}, {ID: "345678901234", Name: "Old", State: "SUSPENDED"},
		},
		Roles: []Role{{
			ARN:         roleARN,
			TrustPolicy: json.RawMessage(iampolicy.TrustPolicy(reckonAccount, externalID)),
			Policies:    []Policy{{ARN: policyARN, Name: "reckon", Document: json.RawMessage(target.PermissionsPolicy())}},
		}},
		Reports: []ReportDefinition{{ReportName: "reckon", TimeUnit: "HOURLY", Format: "textORcsv", Compression: "GZIP",
			AdditionalSchemaElements: []string{"RESOURCES"}, S3Bucket: "billing", S3Prefix: "cur", S3Region: "us-east-1",
			ReportVersioning: "CREATE_NEW_REPORT"}},
		Buckets: []Bucket{{Name: "billing", Dir: dir}},
	}
}

// connect starts the emulator and returns an SDK config that assumes the
// role with the external ID, as the connector does.
func connect(t *testing.T, st *State, extID string) (aws.Config, *Server) {
	t.Helper()
	return connectWith(t, st, extID, nil)
}

// connectWith is connect with the SDK's HTTP client given.
func connectWith(t *testing.T, st *State, extID string, client aws.HTTPClient) (aws.Config, *Server) {
	t.Helper()
	srv := New(st, nil)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	base := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIARECKON", "reckon-secret", ""),
		BaseEndpoint: aws.String(hs.URL),
		// Retries back off for milliseconds, not seconds, in tests.
		Retryer: func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond) },
	}
	if client != nil {
		base.HTTPClient = client
	}
	stsClient := sts.NewFromConfig(base)
	cfg := base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(extID)
		o.RoleSessionName = "reckon-test"
	}))
	return cfg, srv
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestTheConnectorsCallsSucceedWithTheRightExternalID(t *testing.T) {
	ctx := context.Background()
	cfg, _ := connect(t, scenario(t), externalID)

	var ids []string
	pages := organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg), &organizations.ListAccountsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		for _, a := range page.Accounts {
			ids = append(ids, aws.ToString(a.Id)+"/"+string(a.State))
		}
	}
	if got := strings.Join(ids, ","); got != payer+"/ACTIVE,045678901234/ACTIVE,234567890123/ACTIVE,345678901234/SUSPENDED" {
		t.Errorf("accounts = %s", got)
	}

	defs, err := costandusagereportservice.NewFromConfig(cfg).DescribeReportDefinitions(ctx, &costandusagereportservice.DescribeReportDefinitionsInput{})
	if err != nil || len(defs.ReportDefinitions) != 1 || aws.ToString(defs.ReportDefinitions[0].ReportName) != "reckon" ||
		defs.ReportDefinitions[0].TimeUnit != "HOURLY" {
		t.Fatalf("DescribeReportDefinitions = %+v, %v", defs, err)
	}

	ic := iam.NewFromConfig(cfg)
	attached, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("reckon-connector")})
	if err != nil || len(attached.AttachedPolicies) != 1 {
		t.Fatalf("ListAttachedRolePolicies = %+v, %v", attached, err)
	}
	version, err := ic.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: attached.AttachedPolicies[0].PolicyArn, VersionId: aws.String("v1")})
	if err != nil {
		t.Fatalf("GetPolicyVersion: %v", err)
	}
	doc, err := iampolicy.Parse(aws.ToString(version.PolicyVersion.Document))
	if err != nil {
		t.Fatalf("the policy document does not parse: %v", err)
	}
	if findings := target.Audit([]*iampolicy.Document{doc}); len(findings) != 0 {
		t.Errorf("the least-privilege policy audits with findings: %+v", findings)
	}

	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	list, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("billing"), Prefix: aws.String("cur/reckon/")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("ListObjectsV2 = %+v, %v", list, err)
	}
	obj, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("billing"), Key: list.Contents[0].Key, Range: aws.String("bytes=2-11")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	if string(body) != `reportName` {
		t.Errorf("range body = %q", body)
	}
}

func TestAssumeRoleFailsWithTheWrongExternalID(t *testing.T) {
	cfg, _ := connect(t, scenario(t), "not-the-external-id")
	_, err := organizations.NewFromConfig(cfg).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if errorCode(err) != "AccessDenied" {
		t.Fatalf("error = %v, want AccessDenied from STS", err)
	}
	if strings.Contains(err.Error(), externalID) || strings.Contains(err.Error(), "not-the-external-id") {
		t.Errorf("the error shows an external ID: %v", err)
	}
}

func TestReckonsOwnKeysReachOnlySTS(t *testing.T) {
	st := scenario(t)
	srv := New(st, nil)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIARECKON", "reckon-secret", "")}
	_, err := organizations.NewFromConfig(cfg).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if errorCode(err) != "AccessDenied" {
		t.Fatalf("error = %v, want AccessDenied", err)
	}
}

func TestThePolicyIsEnforcedOnS3(t *testing.T) {
	st := scenario(t)
	st.Roles[0].Policies[0].Document = json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::billing"}}`)
	cfg, _ := connect(t, st, externalID)
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sc.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("billing")}); err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	_, err := sc.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("billing"), Key: aws.String("cur/reckon/20260801-20260901/reckon-Manifest.json")})
	if errorCode(err) != "AccessDenied" {
		t.Fatalf("GetObject error = %v, want AccessDenied", err)
	}
}

// fixedClock is a cost.Clock that says what it is told.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func TestTemporaryCredentialsExpire(t *testing.T) {
	clock := &fixedClock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	st := scenario(t)
	srv := New(st, clock)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	base := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIARECKON", "reckon-secret", "")}
	out, err := sts.NewFromConfig(base).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("reckon-x"), ExternalId: aws.String(externalID)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := base.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.ListAccounts(context.Background(), &organizations.ListAccountsInput{}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	clock.t = clock.t.Add(2 * time.Hour)
	if _, err := orgs.ListAccounts(context.Background(), &organizations.ListAccountsInput{}); errorCode(err) != "ExpiredToken" {
		t.Fatalf("after expiry: %v, want ExpiredToken", err)
	}
}

func TestSignaturesAreVerified(t *testing.T) {
	st := scenario(t)
	hs := httptest.NewServer(New(st, nil))
	defer hs.Close()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIARECKON", "not-the-secret", "")}
	_, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("reckon-x"), ExternalId: aws.String(externalID)})
	if errorCode(err) != "SignatureDoesNotMatch" {
		t.Fatalf("a request signed with the wrong secret: %v", err)
	}
	// A body changed after signing no longer matches.
	req, _ := http.NewRequest(http.MethodPost, hs.URL, strings.NewReader("Action=AssumeRole&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Amz-Date", "20261125T120000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIARECKON/20261125/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a forged signature got %d", resp.StatusCode)
	}
}
