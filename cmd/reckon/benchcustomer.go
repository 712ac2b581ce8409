package main

import (
	"encoding/json"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// The emulated customer of `reckon bench serve` and of the CLI tests: a
// management account whose role trusts Reckon's account 111122223333 with
// an external ID, set up as the README says.
const (
	emuPayer      = "012345678901"
	emuRoleARN    = "arn:aws:iam::" + emuPayer + ":role/reckon-connector"
	emuReckonAcct = "111122223333"
)

// emuAWSEnv gives the SDK Reckon's own keys for the emulator, and nothing
// from the machine.
var emuAWSEnv = []string{"AWS_ACCESS_KEY_ID=AKIARECKON", "AWS_SECRET_ACCESS_KEY=secret", "AWS_REGION=us-east-1",
	"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}

// emulatedCustomer is the customer's AWS side: the role with the
// least-privilege policy, an hourly gzip CUR "reckon" with resource IDs in
// s3://billing/cur, whose objects are the files under bucket.
func emulatedCustomer(bucket, ext string) *awsemu.State {
	policy := "arn:aws:iam::" + emuPayer + ":policy/reckon"
	return &awsemu.State{
		Callers:           []awsemu.Caller{{AccessKeyID: "AKIARECKON", SecretAccessKey: "secret", Account: emuReckonAcct}},
		ManagementAccount: emuPayer,
		Roles: []awsemu.Role{{ARN: emuRoleARN, TrustPolicy: json.RawMessage(iampolicy.TrustPolicy(emuReckonAcct, ext)),
			Policies: []awsemu.Policy{{ARN: policy, Name: "reckon",
				Document: json.RawMessage(iampolicy.Target{Bucket: "billing", Prefix: "cur", RoleARN: emuRoleARN,
					PolicyARNs: []string{policy}}.PermissionsPolicy())}}}},
		Reports: []awsemu.ReportDefinition{{ReportName: "reckon", TimeUnit: "HOURLY", Format: "textORcsv", Compression: "GZIP",
			AdditionalSchemaElements: []string{"RESOURCES"}, S3Bucket: "billing", S3Prefix: "cur", S3Region: "us-east-1"}},
		Buckets: []awsemu.Bucket{{Name: "billing", Dir: bucket}},
	}
}
