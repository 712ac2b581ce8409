package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/awsapi"
)

func newVerifyCommand() *cobra.Command {
	var roleARN, externalIDEnv, report, endpoint, format, connector string
	cmd := &cobra.Command{
		Use:   "verify --role-arn ARN --external-id-env VAR --report NAME [--endpoint URL] [--format table|json]",
		Short: "Check a connector's AWS set-up: role, report, bucket, accounts, least privilege",
		Long: `Assume the role with the external ID (read from the environment variable
VAR, so that it never appears in a command line or shell history), find and
check the CUR report definition, list the bucket and download a report file,
read the organisation's accounts, and audit the role's policies.

Reckon's own AWS credentials come from the SDK's default chain
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ~/.aws, instance roles…).
--endpoint points every AWS call at one URL, such as reckon aws emulator.
Exit status 1 when any check is an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case roleARN == "" || report == "" || externalIDEnv == "":
				return usageErrorf("--role-arn, --external-id-env and --report are required")
			case format != "table" && format != "json":
				return usageErrorf("--format %q: use table or json", format)
			}
			externalID := os.Getenv(externalIDEnv)
			if externalID == "" {
				return usageErrorf("the environment variable %s named by --external-id-env is empty", externalIDEnv)
			}
			base, err := config.LoadDefaultConfig(cmd.Context())
			if err != nil {
				return fmt.Errorf("load Reckon's AWS credentials: %w", err)
			}
			client, err := awsapi.New(base, awsapi.Options{Connector: connector, RoleARN: roleARN, ExternalID: externalID,
				ReportName: report, BaseEndpoint: endpoint})
			if err != nil {
				return err
			}
			v := client.Verify(cmd.Context())
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(v); err != nil {
					return err
				}
			} else {
				printChecks(cmd.OutOrStdout(), v)
			}
			if !v.OK() {
				return errChecksFailed
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&roleARN, "role-arn", "", "the role Reckon assumes in the management account")
	f.StringVar(&externalIDEnv, "external-id-env", "", "name of the environment variable holding the external ID")
	f.StringVar(&report, "report", "", "the CUR report name")
	f.StringVar(&endpoint, "endpoint", "", "send every AWS call to this URL (the emulator)")
	f.StringVar(&format, "format", "table", "table or json")
	f.StringVar(&connector, "connector", "cli", "connector name, for the role session name reckon-<connector>")
	return cmd
}

// errChecksFailed ends verify with status 1 once the report is printed.
var errChecksFailed = fmt.Errorf("verification found errors (see above)")

func printChecks(w io.Writer, v *awsapi.Verification) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tCODE\tMESSAGE")
	for _, c := range v.Checks {
		code := c.Code
		if code == "" {
			code = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Status, code, c.Message)
	}
	tw.Flush()
}
