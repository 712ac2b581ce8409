package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

func newDemoCommand() *cobra.Command {
	var (
		dataDir string
		once    bool
	)
	cmd := &cobra.Command{
		Use:   "demo [--data DIR] [--once]",
		Short: "Generate three months of AWS and Azure costs for a small organisation, load them and summarise them",
		Long: `Generate three months of AWS CUR for a payer and five linked accounts into a
temporary folder laid out like an S3 bucket, and Azure cost exports (actual
and amortized) for two subscriptions laid out like a storage container; load
both, put two linked accounts and the two subscriptions in the management
group mg/production, and print the AWS cost by month and service and the
group's cost by provider, account and month, a row per currency. Without --once the demo then waits (Ctrl-C ends it) so
that the data can be queried from another terminal with the printed command.
Without --data the data folder is temporary and removed at the end.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			bucket, err := os.MkdirTemp("", "reckon-demo-bucket-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(bucket)
			if dataDir == "" {
				tmp, err := os.MkdirTemp("", "reckon-demo-data-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dataDir = tmp
			}
			if err := runDemo(cmd, out, bucket, dataDir); err != nil {
				return err
			}
			if once {
				return nil
			}
			fmt.Fprintf(out, "\nThe data stays in %s while the demo runs. In another terminal, try:\n"+
				"  go run ./cmd/reckon query --data %[2]s --granularity monthly --group-by SubAccountId --type amortized\n"+
				"  go run ./cmd/reckon query --data %[2]s --group-by ServiceName --top 5 --measure BilledCost,EffectiveCost \\\n"+
				"      --filter 'ChargeCategory = Usage and not ServiceName contains storage'\n"+
				"Press Ctrl-C to stop.\n", dataDir, dataDir)
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "data folder to load into (default: a temporary folder)")
	cmd.Flags().BoolVar(&once, "once", false, "exit after printing the summary")
	return cmd
}

func runDemo(cmd *cobra.Command, out io.Writer, bucket, dataDir string) error {
	ctx := cmd.Context()
	opts := synth.DemoOptions(clockOf(ctx).Now())
	totals, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		return fmt.Errorf("generate demo CUR: %w", err)
	}
	fmt.Fprintf(out, "Generated %d CUR rows for a payer and %d linked accounts over %d months, laid out like an S3 bucket in %s\n\n",
		totals.Rows, len(totals.ByAccount)-1, opts.Months, bucket)
	store, err := duckstore.Open(ctx, dataDir, loadOptions())
	if err != nil {
		return err
	}
	defer store.Close()
	// The demo's accounts become scopes of the administrator, as `reckon
	// ingest` makes them, so that `reckon serve --data DIR` shows them.
	registrar := &cost.Registrar{Template: cost.Registration{Owner: duckstore.LoadOwner, Group: cost.RootGroup, Time: clockOf(ctx).Now()}}
	loader := &ingest.Loader{Store: store, Format: cursource.Format{}, Register: registrar.Register}
	reports, err := loader.IngestPath(ctx, bucket)
	if err != nil {
		return err
	}
	for _, r := range reports {
		printReport(out, r)
	}
	if err := loadDemoAzure(ctx, out, store, registrar, clockOf(ctx).Now()); err != nil {
		return err
	}
	for _, typ := range []cost.CostType{cost.CostActual, cost.CostAmortized} {
		q := &cost.Query{Granularity: cost.GranularityMonthly, Type: typ,
			GroupBy: []cost.Dimension{{Column: "ServiceName"}},
			Where:   cost.In(cost.Dimension{Column: "ProviderName"}, "AWS")}
		res, err := store.Query(ctx, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%s\n", map[cost.CostType]string{
			cost.CostActual:    "AWS actual cost (sum of BilledCost) by service and month",
			cost.CostAmortized: "AWS amortized cost (sum of EffectiveCost) by service and month",
		}[typ])
		printPivot(out, res)
	}
	members, err := groupDemoScopes(ctx, store, clockOf(ctx).Now())
	if err != nil {
		return err
	}
	if err := printCrossCloud(ctx, out, store, members); err != nil {
		return err
	}
	return saveDemoViews(ctx, out, store, clockOf(ctx).Now())
}

// printPivot prints a monthly, by-service query result as services by
// months, with totals, largest service first. Amounts are rounded to cents
// for reading; `reckon query` gives every decimal place.
func printPivot(w io.Writer, res *cost.Result) {
	type key struct{ service, month, currency string }
	cells := map[key]decimal.Decimal{}
	rowTotals := map[string]decimal.Decimal{}
	colTotals := map[string]decimal.Decimal{}
	var months []string
	var grand decimal.Decimal
	currency := ""
	for _, r := range res.Rows {
		amount, cur := r.Cost, r.Currency
		month, service := r.Date.Format("2006-01"), r.Groups[0]
		cells[key{service, month, cur}] = cells[key{service, month, cur}].Add(amount)
		rowTotals[service] = rowTotals[service].Add(amount)
		colTotals[month] = colTotals[month].Add(amount)
		grand = grand.Add(amount)
		if !slices.Contains(months, month) {
			months = append(months, month)
		}
		currency = cur
	}
	slices.Sort(months)
	services := slices.Collect(maps.Keys(rowTotals))
	slices.SortFunc(services, func(a, b string) int { return rowTotals[b].Cmp(rowTotals[a]) })
	// Service names are padded by hand to read left-aligned; the amounts
	// align right.
	width := len("Total")
	for _, svc := range services {
		width = max(width, utf8.RuneCountInString(svc))
	}
	name := func(s string) string { return s + strings.Repeat(" ", width-utf8.RuneCountInString(s)) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t%s\tTotal\t\n", name("Service ("+currency+")"), strings.Join(months, "\t"))
	for _, svc := range services {
		line := name(svc) + "\t"
		for _, m := range months {
			line += cells[key{svc, m, currency}].Fixed(2) + "\t"
		}
		fmt.Fprintln(tw, line+rowTotals[svc].Fixed(2)+"\t")
	}
	line := name("Total") + "\t"
	for _, m := range months {
		line += colTotals[m].Fixed(2) + "\t"
	}
	fmt.Fprintln(tw, line+grand.Fixed(2)+"\t")
	tw.Flush()
}
