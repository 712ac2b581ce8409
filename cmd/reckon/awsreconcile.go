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

// reckonColumn names the FOCUS column each cost type sums, for the output.
var reckonColumn = map[cost.CostType]string{
	cost.CostUnblended: "x_UnblendedCost",
	cost.CostActual:    "BilledCost",
	cost.CostAmortized: "EffectiveCost",
}

func newReconcileCommand() *cobra.Command {
	var (
		aws                     connectorFlags
		dataDir, format, metric string
	)
	cmd := &cobra.Command{
		Use:   "reconcile --data DIR --role-arn ARN --external-id-env VAR [--metric M] [--endpoint URL] [--format table|json]",
		Short: "Compare each loaded month's cost per account with Cost Explorer",
		Long: `For every month in the store, compare the cost per linked account with
Cost Explorer's MONTHLY metric grouped by LINKED_ACCOUNT, and print month,
account, Reckon, Cost Explorer and the difference. Totals match when they
differ by less than half a cent; exit status 1 when one does not.

--metric picks the Cost Explorer metric and the cost Reckon sums for it:
  UnblendedCost (default)  x_UnblendedCost
  NetUnblendedCost         BilledCost, the invoice
  NetAmortizedCost         EffectiveCost, net amortized where the CUR has net columns
  AmortizedCost            EffectiveCost, only where Cost Explorer's AmortizedCost
                           equals its NetAmortizedCost (no negotiated discounts);
                           refused otherwise, as Reckon keeps no amortized cost
                           before discounts`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" {
				return usageErrorf("--data DIR is required")
			}
			if format != "table" && format != "json" {
				return usageErrorf("--format %q: use table or json", format)
			}
			m := cost.Metric(metric)
			costType, err := m.CostType()
			if err != nil {
				return usageErrorf("--%s", cost.ErrorMessage(err))
			}
			client, err := aws.client(cmd.Context())
			if err != nil {
				return err
			}
			reckon, start, end, err := storeMonthlyTotals(cmd, dataDir, costType)
			if err != nil {
				return err
			}
			if len(reckon) == 0 {
				return fmt.Errorf("the store in %s holds no costs to reconcile", dataDir)
			}
			metrics := []cost.Metric{m}
			if m == cost.MetricAmortized {
				metrics = append(metrics, cost.MetricNetAmortized)
			}
			ce, err := client.CostExplorerTotals(cmd.Context(), start, end, metrics...)
			if err != nil {
				return err
			}
			if m == cost.MetricAmortized {
				if err := cost.AmortizedComparable(ce[m], ce[cost.MetricNetAmortized], cost.HalfCent); err != nil {
					return err
				}
			}
			rows := cost.Reconcile(reckon, ce[m], cost.HalfCent)
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"metric": m, "reckonCost": reckonColumn[costType], "rows": rows}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Reckon's %s against Cost Explorer's %s\n", reckonColumn[costType], m)
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
	f.StringVar(&metric, "metric", string(cost.MetricUnblended), "Cost Explorer metric: UnblendedCost, NetUnblendedCost, AmortizedCost or NetAmortizedCost")
	f.StringVar(&format, "format", "table", "table or json")
	return cmd
}

// storeMonthlyTotals sums the cost of costType per month and SubAccountId,
// and returns the months' span.
func storeMonthlyTotals(cmd *cobra.Command, dataDir string, costType cost.CostType) (map[cost.MonthAccount]decimal.Decimal, time.Time, time.Time, error) {
	store, err := duckstore.Open(cmd.Context(), dataDir, duckstore.Options{ReadOnly: true})
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	defer store.Close()
	res, err := store.Query(cmd.Context(), &cost.Query{Granularity: cost.GranularityMonthly, Type: costType,
		GroupBy: []cost.Dimension{{Column: "SubAccountId"}}})
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	totals := map[cost.MonthAccount]decimal.Decimal{}
	var start, end time.Time
	for _, r := range res.Rows {
		k := cost.MonthAccount{Month: r.Date.Format("2006-01"), Account: r.Groups[0]}
		totals[k] = totals[k].Add(r.Cost)
		if start.IsZero() || r.Date.Before(start) {
			start = r.Date
		}
		if next := r.Date.AddDate(0, 1, 0); next.After(end) {
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
