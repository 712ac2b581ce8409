package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

func newAWSCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "aws",
		Short: "Prepare and check the AWS side of a connector",
	}
	cmd.AddCommand(newSetupPolicyCommand(), newVerifyCommand(), newCollectCommand(), newReconcileCommand(), newEmulatorCommand())
	return cmd
}

var (
	accountID  = regexp.MustCompile(`^\d{12}$`)
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	s3Prefix   = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()/]{0,256}$`)
	// IAM's patterns for role and policy names and for paths.
	iamRoleName   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamPolicyName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	iamPath       = regexp.MustCompile(`^/([\x21-\x7E]{1,510}/)?$`)
)

// accountPlaceholder stands for the account in the ARNs setup-policy prints
// when --account is not given.
const accountPlaceholder = "<ACCOUNT_ID>"

func newSetupPolicyCommand() *cobra.Command {
	var account, bucket, prefix, trusted, externalID, roleName, rolePath, policyName string
	cmd := &cobra.Command{
		Use:   "setup-policy --bucket BUCKET [--prefix P] --trusted-account RECKON_ACCOUNT [--account ACCOUNT] [--role-name R] [--role-path /P/] [--policy-name P] [--external-id ID]",
		Short: "Print the least-privilege IAM policy and the role trust policy for a connector",
		Long: `Print, ready for aws iam create-policy and create-role:

  1. the permissions policy: exactly what the connector needs (CUR report
     definitions, the report bucket and prefix, Organizations accounts, Cost
     Explorer totals, and reading the role's own policies for the audit).
     The IAM reads are on the role's ARN and the policy's own ARN, built from
     --account, --role-path, --role-name and --policy-name; only the actions
     that support no resource-level permissions (CUR, Organizations, Cost
     Explorer) are on "*". If you attach more policies to the role, add their
     ARNs to the ReckonReadOwnPolicies statement, so the audit can read them;
  2. the trust policy: the account that runs Reckon may assume the role only
     with the external ID; no MFA condition (a service cannot answer one).

Without --account the ARNs name <ACCOUNT_ID>, to replace with the management
account's ID. Without --external-id a strong one is generated; give it to
the connector.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case account != "" && !accountID.MatchString(account):
				return usageErrorf("--account %q: an AWS account ID is 12 digits (keep leading zeros)", account)
			case !accountID.MatchString(trusted):
				return usageErrorf("--trusted-account %q: an AWS account ID is 12 digits (keep leading zeros)", trusted)
			case bucket == "":
				return usageErrorf("--bucket is required: the bucket the CUR is delivered to")
			case !s3Prefix.MatchString(prefix):
				return usageErrorf("--prefix %q: up to 256 of letters, digits and !-_.*'()/", prefix)
			case !iamRoleName.MatchString(roleName):
				return usageErrorf("--role-name %q: 1 to 64 of letters, digits and +=,.@_-", roleName)
			case !iamPath.MatchString(rolePath):
				return usageErrorf("--role-path %q: \"/\", or a path that starts and ends with \"/\", such as /reckon/", rolePath)
			case !iamPolicyName.MatchString(policyName):
				return usageErrorf("--policy-name %q: 1 to 128 of letters, digits and +=,.@_-", policyName)
			}
			if !bucketName.MatchString(bucket) {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: bucket name %q is not a valid name for new buckets (3-63 of a-z, 0-9, '.', '-'); old us-east-1 buckets may still have it\n", bucket)
			}
			generated := externalID == ""
			if generated {
				externalID = iampolicy.NewExternalID()
			} else if err := iampolicy.ValidExternalID(externalID); err != nil {
				return usageErrorf("--external-id: %v", err)
			}
			if account == "" {
				account = accountPlaceholder
				fmt.Fprintf(cmd.ErrOrStderr(), "note: no --account: replace %s in the permissions policy and in step 3 with the 12-digit ID of the management account that owns the role, or run again with --account\n", accountPlaceholder)
			}
			printSetup(cmd.OutOrStdout(), setup{
				target: iampolicy.Target{Bucket: bucket, Prefix: prefix,
					RoleARN:    "arn:aws:iam::" + account + ":role" + rolePath + roleName,
					PolicyARNs: []string{"arn:aws:iam::" + account + ":policy/" + policyName}},
				roleName: roleName, rolePath: rolePath, policyName: policyName,
				trusted: trusted, externalID: externalID, generated: generated,
			})
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&account, "account", "", "the management (payer) account that owns the CUR and the role (default: print <ACCOUNT_ID> to replace)")
	f.StringVar(&bucket, "bucket", "", "the S3 bucket the CUR is delivered to")
	f.StringVar(&prefix, "prefix", "", "the report's S3 prefix")
	f.StringVar(&trusted, "trusted-account", "", "the AWS account whose credentials Reckon uses")
	f.StringVar(&externalID, "external-id", "", "the external ID (default: generate one)")
	f.StringVar(&roleName, "role-name", "reckon-connector", "the name of the role Reckon assumes")
	f.StringVar(&rolePath, "role-path", "/", "the role's IAM path")
	f.StringVar(&policyName, "policy-name", "reckon-connector", "the name of the permissions policy to create")
	return cmd
}

// setup is what setup-policy prints.
type setup struct {
	target                         iampolicy.Target
	roleName, rolePath, policyName string
	trusted, externalID            string
	generated                      bool
}

// printSetup prints the policies and the commands that create them, each
// document in a block of its own after its comment lines.
func printSetup(out io.Writer, s setup) {
	pathFlag := ""
	if s.rolePath != "/" {
		pathFlag = " --path " + s.rolePath
	}
	policyARN := s.target.PolicyARNs[0]
	fmt.Fprintf(out, "# 1. Permissions policy (aws iam create-policy --policy-name %s --policy-document file://permissions.json)\n", s.policyName)
	fmt.Fprintf(out, "# Its IAM reads are scoped to the role %s and to this policy, %s.\n", s.target.RoleARN, policyARN)
	fmt.Fprintf(out, "# Add the ARN of any other policy you attach to the role to ReckonReadOwnPolicies.\n%s\n\n",
		strings.TrimSpace(s.target.PermissionsPolicy()))
	fmt.Fprintf(out, "# 2. Trust policy (aws iam create-role --role-name %s%s --assume-role-policy-document file://trust.json)\n%s\n\n",
		s.roleName, pathFlag, strings.TrimSpace(iampolicy.TrustPolicy(s.trusted, s.externalID)))
	fmt.Fprintf(out, "# 3. Attach the policy: aws iam attach-role-policy --role-name %s --policy-arn %s\n", s.roleName, policyARN)
	fmt.Fprintf(out, "# Give the connector the role ARN %s\n", s.target.RoleARN)
	if s.generated {
		// Printed once, here, for the user to hand to the connector;
		// Reckon stores it write-only and never shows it again.
		fmt.Fprintf(out, "# External ID (generated; give it to the connector, keep it secret): %s\n", s.externalID)
	}
}

func newEmulatorCommand() *cobra.Command {
	var listen, state string
	cmd := &cobra.Command{
		Use:   "emulator --listen 127.0.0.1:PORT --state FILE",
		Short: "Serve an emulated AWS account (STS, IAM, Organizations, CUR, S3) from a state file",
		Long: `Serve the scenario a state file (JSON, or YAML by a .yaml or .yml name) describes
over HTTP, for tests and demos.
Point the AWS SDK (or the AWS CLI with --endpoint-url) at http://LISTEN. The
state file format is in the README.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if state == "" {
				return usageErrorf("--state FILE is required")
			}
			st, err := awsemu.LoadState(state)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: awsemu.New(st, clockOf(cmd.Context())), ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(cmd.OutOrStdout(), "AWS emulator listening on http://%s\n", ln.Addr())
			go func() {
				<-cmd.Context().Done()
				srv.Close()
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:4566", "address to listen on")
	cmd.Flags().StringVar(&state, "state", "", "the state file (JSON)")
	return cmd
}
