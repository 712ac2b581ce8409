package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

func newReconcileCommand() *cobra.Command {
	var (
		aws             connectorFlags
		dataDir, format string
	)
	cmd := &cobra.Command{
		Use:   "reconcile --data DIR --role-arn ARN --external-id-env VAR [--endpoint URL] [--format table|json]",
		Short: "Compare each loaded month's cost per account with Cost Explorer",
		Long: `For every month in the store, compare the unblended cost per linked account
with Cost Explorer's MONTHLY UnblendedCost grouped by LINKED_ACCOUNT, and
print month, account, Reckon, Cost Explorer and the difference. Totals match
when they differ by less than half a cent; exit status 1 when one does not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" {
				return usageErrorf("--data DIR is required")
			}
			if format != "table" && format != "json" {
				return usageErrorf("--format %q: use table or json", format)
			}
			client, err := aws.client(cmd.Context())
			if err != nil {
				return err
			}
			reckon, start, end, err := storeMonthlyTotals(cmd, dataDir)
			if err != nil {
				return err
			}
			if len(reckon) == 0 {
				return fmt.Errorf("the store in %s holds no costs to reconcile", dataDir)
			}
			ce, err := client.CostExplorerTotals(cmd.Context(), start, end)
			if err != nil {
				return err
			}
			rows := cost.Reconcile(reckon, ce, cost.HalfCent)
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"rows": rows}); err != nil {
					return err
				}
			} else {
				printReconciliation(cmd.OutOrStdout(), rows)
			}
			for _, r := range rows {
				if !r.Match {
					return fmt.Errorf("some totals differ from Cost Explorer by half a cent or more")
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	aws.register(f, false)
	f.StringVar(&format, "format", "table", "table or json")
	return cmd
}

// storeMonthlyTotals sums x_UnblendedCost per month and SubAccountId, and
// returns the months' span.
func storeMonthlyTotals(cmd *cobra.Command, dataDir string) (map[cost.MonthAccount]decimal.Decimal, time.Time, time.Time, error) {
	store, err := duckstore.Open(cmd.Context(), dataDir, duckstore.Options{ReadOnly: true})
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	defer store.Close()
	res, err := store.Query(cmd.Context(), &cost.Query{Granularity: cost.GranularityMonthly, Type: cost.CostUnblended,
		GroupBy: []cost.Dimension{{Column: "SubAccountId"}}})
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	totals := map[cost.MonthAccount]decimal.Decimal{}
	var start, end time.Time
	for _, r := range res.Rows {
		month := r[2].(time.Time)
		k := cost.MonthAccount{Month: month.Format("2006-01"), Account: r[3].(string)}
		totals[k] = totals[k].Add(r[0].(decimal.Decimal))
		if start.IsZero() || month.Before(start) {
			start = month
		}
		if next := month.AddDate(0, 1, 0); next.After(end) {
			end = next
		}
	}
	return totals, start, end, nil
}

func printReconciliation(w io.Writer, rows []cost.ReconciliationRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Month\tAccount\tReckon\tCost Explorer\tDifference\t\t")
	for _, r := range rows {
		status := "ok"
		if !r.Match {
			status = "MISMATCH"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Month, r.Account, r.Reckon.Fixed(2), r.Provider.Fixed(2), r.Difference.Append(nil, 2), status)
	}
	tw.Flush()
}
