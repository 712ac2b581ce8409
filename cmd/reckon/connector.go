package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
)

func newConnectorCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "connector", Short: "AWS connectors, and sources of Azure exports and FOCUS files"}
	var name, extEnv, kind string
	cmd.AddCommand(
		apiCommand("create --name N (--role-arn ARN --external-id-env VAR --report R | --kind azure-export|focus --storage-url U --container C --credential-env VAR | --kind focus --bucket B --role-arn ARN --external-id-env VAR)",
			"Create an AWS connector, in a 90-day trial, or a source of Azure exports or FOCUS files, active at once", cobra.NoArgs,
			func(cmd *cobra.Command) {
				cmd.Flags().StringVar(&name, "name", "", "the connector's name")
				cmd.Flags().StringVar(&kind, "kind", "aws", "aws, azure-export (Azure cost exports in Blob Storage) or focus (FOCUS files in Blob Storage)")
				settingFlags(cmd, &extEnv, false)
			},
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
				body, err := settingsBody(cmd, extEnv)
				if err != nil {
					return err
				}
				if err := requiredFor(kind, name, extEnv, body); err != nil {
					return err
				}
				body["name"], body["kind"] = name, kind
				var conn cost.Connector
				if err := c.do(cmd.Context(), "POST", "/api/v1/connectors", body, &conn); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), conn)
				}
				if conn.IsSource() {
					_, err = fmt.Fprintf(cmd.OutOrStdout(), "Created %s (%s) reading %s/%s; it is active. Check it with `reckon connector verify %s`, "+
						"collect with `reckon connector collect %s`.\n", conn.ID, conn.Kind, printable(conn.Identity()), printable(conn.Prefix), name, name)
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "Created %s for account %s; its trial ends %s. Collect with `reckon connector collect %s`.\n",
					conn.ID, conn.Account(), conn.TrialEnds().Format("2006-01-02"), name)
				return err
			}),
		apiCommand("list", "List the connectors you can read", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
				var res struct {
					Value []struct {
						cost.Connector // with its Collection
						TrialDaysLeft  int
					}
				}
				if err := c.do(cmd.Context(), "GET", "/api/v1/connectors", nil, &res); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), res.Value)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "CONNECTOR\tKIND\tACCOUNT\tREPORT\tSTATE\tTRIAL DAYS LEFT\tBILLING ACCOUNT\tLAST ERROR")
				for _, conn := range res.Value {
					account, report := conn.Account(), conn.ReportName
					if conn.IsSource() {
						account, report = conn.Identity(), conn.Prefix
					}
					lastError := ""
					if conn.Collection != nil && conn.Collection.Error != nil {
						lastError = conn.Collection.Error.Code
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", conn.ID, conn.KindOf(), printable(account), printable(report), conn.State,
						conn.TrialDaysLeft, conn.BillingAccount(), lastError)
				}
				return tw.Flush()
			}),
		apiCommand("show NAME", "Show a connector", cobra.ExactArgs(1), nil,
			func(cmd *cobra.Command, c *apiClient, _ *clientFlags, args []string) error {
				// Everything the server shows: kind, storage, trial, collection info.
				var conn struct {
					cost.Connector              // with its Collection
					TrialDaysLeft  int          `json:"trialDaysLeft"`
					BillingAccount cost.ScopeID `json:"billingAccount,omitempty"`
				}
				if err := c.do(cmd.Context(), "GET", "/api/v1/connectors/"+args[0], nil, &conn); err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), conn)
			}),
		apiCommand("verify NAME", "Check the connector's set-up: an AWS role, report definition and bucket, or a source's credential, storage and exports", cobra.ExactArgs(1), nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				var v struct {
					Checks []struct{ Name, Status, Code, Message string }
				}
				if err := c.do(cmd.Context(), "POST", "/api/v1/connectors/"+args[0]+"/verify", nil, &v); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), v)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
				failed := false
				for _, ch := range v.Checks {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ch.Status, ch.Name, ch.Code, ch.Message)
					failed = failed || ch.Status == "error"
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if failed {
					return fmt.Errorf("verification failed: fix the errors above")
				}
				return nil
			}),
		apiCommand("edit NAME", "Change a connector's settings; flags left out stay as they are", cobra.ExactArgs(1),
			func(cmd *cobra.Command) { settingFlags(cmd, &extEnv, true) },
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				body, err := settingsBody(cmd, extEnv)
				if err != nil {
					return err
				}
				if len(body) == 0 {
					return usageErrorf("nothing to change: give at least one flag")
				}
				var conn struct {
					cost.Connector
					Verification *struct {
						Checks []struct{ Name, Status, Code, Message string }
					}
				}
				if err := c.do(cmd.Context(), "PATCH", "/api/v1/connectors/"+args[0], body, &conn); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), conn)
				}
				out := cmd.OutOrStdout()
				fmt.Fprintf(out, "Updated %s (%s).\n", conn.ID, conn.State)
				if conn.Verification != nil {
					fmt.Fprintln(out, "Verified again:")
					for _, ch := range conn.Verification.Checks {
						fmt.Fprintf(out, "  %s  %s  %s  %s\n", ch.Status, ch.Name, ch.Code, ch.Message)
					}
				}
				return nil
			}),
		apiCommand("delete NAME", "Delete a connector; the next periodic job removes its scopes and data", cobra.ExactArgs(1), nil,
			func(cmd *cobra.Command, c *apiClient, _ *clientFlags, args []string) error {
				if err := c.do(cmd.Context(), "DELETE", "/api/v1/connectors/"+args[0], nil, nil); err != nil {
					return err
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Deleted connectors/%s.\n", args[0])
				return err
			}),
		apiCommand("collect NAME", "Collect now: load changed report versions and discover the accounts", cobra.ExactArgs(1), nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				var res struct {
					Summary, Warnings []string
					Discovered        []string
				}
				if err := c.do(cmd.Context(), "POST", "/api/v1/connectors/"+args[0]+"/collect", nil, &res); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), res)
				}
				out := cmd.OutOrStdout()
				for _, line := range res.Summary {
					fmt.Fprintln(out, line)
				}
				for _, w := range res.Warnings {
					fmt.Fprintln(out, "warning: "+w)
				}
				for _, id := range res.Discovered {
					fmt.Fprintln(out, "discovered "+id)
				}
				return nil
			}),
	)
	return cmd
}

// connectorSettings are the connector fields create and edit set from
// flags: flag, API field, help.
var connectorSettings = [][3]string{
	{"display-name", "displayName", "display name (default: the name)"},
	{"role-arn", "roleArn", "aws: the role Reckon assumes in the management account; an edit keeps its account"},
	{"report", "reportName", "aws: the CUR report name"},
	{"default-group", "defaultManagementGroup", "where new linked accounts and subscriptions go (default mg/root)"},
	{"billing-subscription", "billingSubscription", "aws: an Azure subscription scope to bill: turns on auto-renew"},
	{"storage-url", "storageUrl", "a source's storage account blob endpoint, https://<account>.blob.core.windows.net; an edit keeps it"},
	{"container", "container", "a source's container; an edit keeps it"},
	{"prefix", "prefix", "a source's folder in the container: the exports' root folder"},
	{"credential-env", "credentialEnv", "a source's credential: the name of the environment variable of reckon serve that holds it " +
		"(the server reads it at each collection; it is never sent or shown)"},
	{"credential-type", "credentialType", "a source's credential type: sas (a SAS token with read and list; the default) or key (the account key)"},
	{"account-name", "accountName", "with --credential-type key: the storage account's name, when the URL does not give it"},
	{"bucket", "bucket", "a focus source's S3 bucket, read with --role-arn and --external-id-env instead of Blob Storage; an edit keeps it"},
}

// requiredFor checks the flags create needs for the kind.
func requiredFor(kind, name, extEnv string, body map[string]string) error {
	switch kind {
	case string(cost.ConnectorAWS):
		if name == "" || body["roleArn"] == "" || extEnv == "" || body["reportName"] == "" {
			return usageErrorf("--name, --role-arn, --external-id-env and --report are required")
		}
	case string(cost.ConnectorFOCUS):
		if body["bucket"] != "" {
			if name == "" || body["roleArn"] == "" || extEnv == "" {
				return usageErrorf("--name, --bucket, --role-arn and --external-id-env are required for a focus source in S3")
			}
			return nil
		}
		fallthrough
	case string(cost.ConnectorAzureExport):
		if name == "" || body["storageUrl"] == "" || body["container"] == "" || body["credentialEnv"] == "" {
			return usageErrorf("--name, --storage-url, --container and --credential-env are required for a %s source", kind)
		}
		if extEnv != "" {
			return usageErrorf("a %s source has no external ID: name the server's variable holding its credential with --credential-env", kind)
		}
	default:
		return usageErrorf("--kind %s: use aws, azure-export or focus", printable(kind))
	}
	return nil
}

// settingFlags registers the setting flags; the billing subscription only
// on edit, which is where a connector renews.
func settingFlags(cmd *cobra.Command, extEnv *string, withSubscription bool) {
	for _, s := range connectorSettings {
		if s[0] != "billing-subscription" || withSubscription {
			cmd.Flags().String(s[0], "", s[2])
		}
	}
	cmd.Flags().StringVar(extEnv, "external-id-env", "", "name of the environment variable holding the external ID")
}

// settingsBody is the API body of the setting flags given, with the
// external ID read from the environment variable extEnv names.
func settingsBody(cmd *cobra.Command, extEnv string) (map[string]string, error) {
	body := map[string]string{}
	for _, s := range connectorSettings {
		if cmd.Flags().Changed(s[0]) {
			body[s[1]], _ = cmd.Flags().GetString(s[0])
		}
	}
	if extEnv != "" {
		if body["externalId"] = os.Getenv(extEnv); body["externalId"] == "" {
			return nil, usageErrorf("the environment variable %s named by --external-id-env is empty", extEnv)
		}
	}
	return body, nil
}
