package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/awsapi"
)

func newVerifyCommand() *cobra.Command {
	var (
		aws    connectorFlags
		format string
	)
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
			if format != "table" && format != "json" {
				return usageErrorf("--format %q: use table or json", format)
			}
			client, err := aws.client(cmd.Context())
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
	aws.register(cmd.Flags(), true)
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
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
