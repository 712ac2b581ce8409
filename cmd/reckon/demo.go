package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

func newDemoCommand() *cobra.Command {
	var (
		dataDir, listen string
		once            bool
	)
	cmd := &cobra.Command{
		Use:   "demo [--data DIR] [--listen 127.0.0.1:8080] [--once]",
		Short: "Run Reckon over a generated organisation: AWS beside Azure, a connector, groups, users and views",
		Long: `Generate three months of AWS CUR for a payer and five linked accounts and
serve them from an emulated AWS account on 127.0.0.1 (its S3 bucket, the
Organizations accounts with their names, the connector's role with an
external ID, the report definition); generate Azure cost exports (actual and
amortized) for two subscriptions. Then start the server on --listen and, as
its administrator, create the management groups mg/production and
mg/development, a connector for the payer (collected: its accounts are
discovered with their Organizations names), load the Azure exports, put two
linked accounts and one subscription in mg/production, save views, and
create the users ana (Reader of one linked account) and finops (Contributor
of mg/production). It prints the AWS cost by month and service, the
production group's cost by provider, account and month (a row per
currency), the URL and a sign-in token for each user, and waits; Ctrl-C
stops it.

With --once it prints the summary and exits; with --data too, the folder
keeps the organisation for reckon serve --data DIR, and the tokens are
printed. Without --data the data folder is temporary and removed at the end.
Run again on a folder it made, the demo finds its groups, connector, users
and views there, collects from a new emulator (no version changed) and
prints new tokens.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr := listen
			if once {
				addr = "127.0.0.1:0" // the demo talks to itself; nothing stays to connect to
			}
			// A taken port is said before anything is generated.
			ln, err := listenOn(addr, "--listen")
			if err != nil {
				return err
			}
			defer ln.Close()
			work, err := os.MkdirTemp("", "reckon-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(work)
			d := &demoRun{out: cmd.OutOrStdout(), log: cmd.ErrOrStderr(), work: work, dataDir: dataDir, kept: dataDir != "", once: once, ln: ln}
			if !d.kept {
				tmp, err := os.MkdirTemp("", "reckon-demo-data-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				d.dataDir = tmp
			}
			return d.run(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "data folder to load into and keep (default: a temporary folder)")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "the address to serve on (127.0.0.1:0 for any free port)")
	cmd.Flags().BoolVar(&once, "once", false, "exit after printing the summary (the server then listens on a free port for the demo's own set-up only, not on --listen)")
	return cmd
}

// demoRun is one run of reckon demo.
type demoRun struct {
	out, log      io.Writer
	work, dataDir string // work holds the generated bucket and exports
	kept, once    bool
	ln            net.Listener
}

// run generates the organisation, starts the emulator and the server,
// sets the organisation up through the API, prints the summary and, unless
// once, waits for ctx. It stops the server, then the emulator, then the
// store.
func (d *demoRun) run(ctx context.Context) error {
	clock := clockOf(ctx)
	now := clock.Now()
	opts := synth.DemoOptions(now)
	bucket := filepath.Join(d.work, "bucket")
	totals, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		return fmt.Errorf("generate demo CUR: %w", err)
	}
	fmt.Fprintf(d.out, "Generated %d CUR rows for a payer and %d linked accounts over %d months, served from an emulated AWS account's S3 bucket\n",
		totals.Rows, len(totals.ByAccount)-1, opts.Months)
	azDir, azOpts := filepath.Join(d.work, "azure"), synth.DemoAzureOptions(now)
	if _, err := synth.WriteAzureExports(azDir, azOpts); err != nil {
		return fmt.Errorf("generate demo Azure exports: %w", err)
	}
	fmt.Fprintf(d.out, "Generated Azure cost exports (actual and amortized, EA) for %d subscriptions of billing account %s\n\n",
		len(azOpts.Subscriptions), azOpts.BillingAccountID)
	emu := newDemoAWS(bucket, opts)
	endpoint, err := emu.start(clock)
	if err != nil {
		return fmt.Errorf("start the AWS emulator: %w", err)
	}
	// The set-up's own requests are not logged; the user's are, once the
	// URL is out.
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	srv, err := openServer(ctx, serverOptions{dataDir: d.dataDir, awsEndpoint: endpoint, awsCredentials: emu.creds,
		store: loadOptions(), limits: defaultQueryLimits(), maxUpload: 1 << 30, log: d.log, logLevel: level})
	if err != nil {
		emu.close()
		return err
	}
	running := false
	defer func() {
		if running {
			srv.shutdown()
		}
		emu.close()
		srv.backend.Close()
	}()
	token, err := demoAdminToken(ctx, srv.store, clock)
	if err != nil {
		return err
	}
	srv.start(ctx, d.ln)
	running = true
	base := "http://" + d.ln.Addr().String()
	org := &demoOrg{api: &apiClient{server: base, token: token, http: &http.Client{}}, out: d.out, aws: emu,
		azureDir: azDir, azure: azOpts, report: emu.state.Reports[0].ReportName}
	users, err := org.build(ctx)
	if err != nil {
		return err
	}
	if err := org.budgets(ctx, srv.alerts, now); err != nil {
		return err
	}
	if err := d.summarise(ctx, srv.store, now); err != nil {
		return err
	}
	if err := printDemoAlerts(ctx, d.out, org.api); err != nil {
		return err
	}
	if d.once {
		if d.kept {
			fmt.Fprintf(d.out, "\nThe demo organisation stays in %s. `reckon serve --data %[1]s` serves it (its connector's next\n"+
				"collection fails: no AWS account is behind it); `reckon demo --data %[1]s` serves it beside its emulated AWS account again.\n", d.dataDir)
			printDemoUsers(d.out, users)
		}
		return nil
	}
	fmt.Fprintf(d.out, "\nReckon is serving the demo at %s/ (the API under /api/v1; data in %s)\n", base, d.dataDir)
	fmt.Fprintf(d.out, "Sign in and open %s/analysis?scope=mg%%2Fproduction&preset=this-year&granularity=monthly&groupBy=ProviderName\n"+
		"for the production group's AWS and Azure costs this year, by month, and\n"+
		"%[1]s/budgets?scope=mg%%2Fproduction for its budget and the alerts.\n\n", base)
	printDemoUsers(d.out, users)
	level.Set(slog.LevelInfo)
	fmt.Fprintf(d.out, "\nIn another terminal:\n"+
		"  export RECKON_SERVER=%s RECKON_TOKEN=<a token above>\n"+
		"  go run ./cmd/reckon scope list\n"+
		"  go run ./cmd/reckon query --server %[1]s --scope mg/production --granularity monthly --group-by ProviderName,SubAccountName\n"+
		"  go run ./cmd/reckon connector show %[2]s\n"+
		"Press Ctrl-C to stop.\n", base, demoConnector)
	running = false
	if err := srv.wait(ctx); err != nil {
		return err
	}
	fmt.Fprintln(d.out, "Reckon stopped.")
	return nil
}

// summarise prints the AWS cost by service and month, actual and
// amortized, the production group's cost across clouds, and the views it
// saves.
func (d *demoRun) summarise(ctx context.Context, store *duckstore.Store, now time.Time) error {
	for _, typ := range []cost.CostType{cost.CostActual, cost.CostAmortized} {
		q := &cost.Query{Granularity: cost.GranularityMonthly, Type: typ,
			GroupBy: []cost.Dimension{{Column: "ServiceName"}},
			Where:   cost.In(cost.Dimension{Column: "ProviderName"}, "AWS")}
		res, err := store.Query(ctx, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(d.out, "\n%s\n", map[cost.CostType]string{
			cost.CostActual:    "AWS actual cost (sum of BilledCost) by service and month",
			cost.CostAmortized: "AWS amortized cost (sum of EffectiveCost) by service and month",
		}[typ])
		printPivot(d.out, res)
	}
	if err := printCrossCloud(ctx, d.out, store); err != nil {
		return err
	}
	return saveDemoViews(ctx, d.out, store, now)
}

// demoAdminToken is a token of the administrator, the demo's first user:
// the one a fresh data folder's bootstrap makes, or a new one in a folder
// made before.
func demoAdminToken(ctx context.Context, store *duckstore.Store, clock cost.Clock) (string, error) {
	token, err := api.EnsureAdmin(ctx, store, clock, "")
	if err != nil || token != "" {
		return token, err
	}
	plain, t := cost.NewToken(api.AdminUser, clock.Now())
	err = store.Update(ctx, func(tx cost.CatalogTx) error {
		if _, ok, err := tx.User(ctx, api.AdminUser); err != nil || !ok {
			if err != nil {
				return err
			}
			return fmt.Errorf("the data folder %s has users but no %s to set the demo up as: give reckon demo a new --data folder", store.Dir(), api.AdminUser)
		}
		if err := tx.PutToken(ctx, t); err != nil {
			return err
		}
		return tx.Audit(ctx, cost.AuditEntry{Time: clock.Now(), User: "reckon", Action: "token.create", Scope: cost.RootGroup,
			Detail: "token " + t.ID + " for " + api.AdminUser + ", by reckon demo"})
	})
	return plain, err
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
