package awsemu

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestTheIAMReadsAreAuthorizedOnTheirARNs checks that the emulator refuses
// a policy scoped to the connector's role and policy every other role and
// policy, existing or not, as IAM does, and still serves the reads on "*".
func TestTheIAMReadsAreAuthorizedOnTheirARNs(t *testing.T) {
	const otherPolicy = "arn:aws:iam::" + payer + ":policy/other"
	withOtherRole := func(st *State) {
		st.Roles = append(st.Roles, Role{ARN: "arn:aws:iam::" + payer + ":role/other",
			Policies: []Policy{{ARN: otherPolicy, Name: "other", Document: json.RawMessage(`{"Statement":[]}`)}}})
	}
	type read func(context.Context, *iam.Client) error
	listAttached := func(role string) read {
		return func(ctx context.Context, ic *iam.Client) error {
			_, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
			return err
		}
	}
	listVersions := func(arn string) read {
		return func(ctx context.Context, ic *iam.Client) error {
			_, err := ic.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
			return err
		}
	}
	getVersion := func(arn string) read {
		return func(ctx context.Context, ic *iam.Client) error {
			_, err := ic.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
			return err
		}
	}
	listRoles := func(ctx context.Context, ic *iam.Client) error {
		_, err := ic.ListRoles(ctx, &iam.ListRolesInput{})
		return err
	}
	// The policy of earlier set-ups: the IAM reads on "*".
	onStar := `{"Statement":[{"Effect":"Allow","Action":["iam:ListRoles","iam:ListAttachedRolePolicies","iam:ListPolicyVersions","iam:GetPolicyVersion"],"Resource":"*"}]}`

	for _, tc := range []struct {
		name   string
		policy string // the role's policy; empty for the scoped one
		read   read
		want   string // the error code, or "" for success
	}{
		{"the scoped policy lists its own role's policies", "", listAttached("reckon-connector"), ""},
		{"the scoped policy reads its own versions", "", listVersions(policyARN), ""},
		{"the scoped policy reads its own document", "", getVersion(policyARN), ""},
		{"the scoped policy may not list another role's policies", "", listAttached("other"), "AccessDenied"},
		{"the scoped policy may not learn whether a role exists", "", listAttached("missing"), "AccessDenied"},
		{"the scoped policy may not list another policy's versions", "", listVersions(otherPolicy), "AccessDenied"},
		{"the scoped policy may not read another policy", "", getVersion(otherPolicy), "AccessDenied"},
		{"the scoped policy may not list roles", "", listRoles, "AccessDenied"},
		{"the reads on * reach another role", onStar, listAttached("other"), ""},
		{"the reads on * reach another policy", onStar, getVersion(otherPolicy), ""},
		{"the reads on * find no missing role", onStar, listAttached("missing"), "NoSuchEntity"},
		{"the reads on * find no missing policy", onStar, listVersions("arn:aws:iam::" + payer + ":policy/missing"), "NoSuchEntity"},
		{"iam:ListRoles on * lists roles", onStar, listRoles, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := scenario(t)
			withOtherRole(st)
			if tc.policy != "" {
				st.Roles[0].Policies[0].Document = json.RawMessage(tc.policy)
			}
			cfg, _ := connect(t, st, externalID)
			err := tc.read(context.Background(), iam.NewFromConfig(cfg))
			if got := errorCode(err); got != tc.want || (tc.want == "") != (err == nil) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}
