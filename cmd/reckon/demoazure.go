package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// printCrossCloud prints the demo group's cost by provider and month: AWS
// and Azure in one answer, a row per currency.
func printCrossCloud(ctx context.Context, out io.Writer, store *duckstore.Store) error {
	var view cost.CostView
	err := store.View(ctx, func(r cost.CatalogReader) error {
		var err error
		view, err = cost.ViewIn(ctx, r, demoProduction)
		return err
	})
	if err != nil {
		return err
	}
	res, err := store.Query(ctx, view.Restrict(&cost.Query{Granularity: cost.GranularityMonthly, Type: cost.CostAmortized,
		GroupBy: []cost.Dimension{{Column: "ProviderName"}, {Column: "SubAccountName"}}}))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nAmortized cost of %s (AWS linked accounts and an Azure subscription) by provider, account and month\n", demoProduction)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Month\tProvider\tAccount\tCost\tCurrency\t")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.Date.Format("2006-01"), r.Groups[0], r.Groups[1], money(r.Cost, r.Currency), r.Currency)
	}
	return tw.Flush()
}
