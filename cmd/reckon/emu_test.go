package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// The customer's side in the emulator tests: a management account whose
// role trusts Reckon's account 111122223333 with an external ID.
const (
	testPayer   = "012345678901"
	testRoleARN = "arn:aws:iam::" + testPayer + ":role/reckon-connector"
)

// emulatorState is a customer set up as the README says: the role with the
// least-privilege policy, an hourly gzip CUR "reckon" with resource IDs in
// s3://billing/cur, whose objects are the files under bucket.
func emulatorState(bucket, ext string) *awsemu.State {
	return &awsemu.State{
		Callers:           []awsemu.Caller{{AccessKeyID: "AKIARECKON", SecretAccessKey: "secret", Account: "111122223333"}},
		ManagementAccount: testPayer,
		Roles: []awsemu.Role{{ARN: testRoleARN, TrustPolicy: json.RawMessage(iampolicy.TrustPolicy("111122223333", ext)),
			Policies: []awsemu.Policy{{ARN: "arn:aws:iam::" + testPayer + ":policy/reckon", Name: "reckon",
				Document: json.RawMessage(iampolicy.Target{Bucket: "billing", Prefix: "cur", RoleARN: testRoleARN,
					PolicyARNs: []string{"arn:aws:iam::" + testPayer + ":policy/reckon"}}.PermissionsPolicy())}}}},
		Reports: []awsemu.ReportDefinition{{ReportName: "reckon", TimeUnit: "HOURLY", Format: "textORcsv", Compression: "GZIP",
			AdditionalSchemaElements: []string{"RESOURCES"}, S3Bucket: "billing", S3Prefix: "cur", S3Region: "us-east-1"}},
		Buckets: []awsemu.Bucket{{Name: "billing", Dir: bucket}},
	}
}

// awsTestEnv gives the SDK Reckon's own keys for the emulator, and nothing
// from the machine.
var awsTestEnv = []string{"AWS_ACCESS_KEY_ID=AKIARECKON", "AWS_SECRET_ACCESS_KEY=secret", "AWS_REGION=us-east-1",
	"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}

// setAWSTestEnv sets awsTestEnv in this process, for in-process commands.
func setAWSTestEnv(t *testing.T) {
	for _, kv := range awsTestEnv {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
