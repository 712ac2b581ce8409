package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/reckon-finops/reckon/internal/azsource"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// demoGroup is the management group the demo puts two AWS linked accounts
// and the two Azure subscriptions in, as an admin of the original did.
const demoGroup cost.ScopeID = "mg/production"

// loadDemoAzure generates the Azure exports of two subscriptions (an
// actual and an amortized export a month, laid out as Cost Management
// writes them to a container), loads them beside the AWS data, and prints
// what it loaded.
func loadDemoAzure(ctx context.Context, out io.Writer, store *duckstore.Store, registrar *cost.Registrar, now time.Time) error {
	dir, err := os.MkdirTemp("", "reckon-demo-azure-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := synth.DemoAzureOptions(now)
	if _, err := synth.WriteAzureExports(dir, opts); err != nil {
		return fmt.Errorf("generate demo Azure exports: %w", err)
	}
	fmt.Fprintf(out, "\nGenerated Azure cost exports (actual and amortized, EA) for %d subscriptions of billing account %s in %s\n\n",
		len(opts.Subscriptions), opts.BillingAccountID, dir)
	loader := &ingest.Loader{Store: store, Format: azsource.NewFormat(azsource.Options{}), Register: registrar.Register}
	reports, err := loader.IngestPath(ctx, dir)
	if err != nil {
		return err
	}
	for _, r := range reports {
		printReport(out, r)
	}
	return nil
}

// groupDemoScopes puts the first two AWS linked accounts and every Azure
// subscription into demoGroup, creating it, unless they are in a group
// already (the demo ran on this folder before and someone moved them).
func groupDemoScopes(ctx context.Context, store *duckstore.Store, now time.Time) ([]cost.ScopeID, error) {
	var members []cost.ScopeID
	err := store.Update(ctx, func(tx cost.CatalogTx) error {
		scopes, err := tx.Scopes(ctx)
		if err != nil {
			return err
		}
		var linked, subs []cost.ScopeID
		for _, s := range scopes {
			if s.Group != cost.RootGroup {
				continue
			}
			switch s.ID.Kind() {
			case cost.KindLinkedAccount:
				linked = append(linked, s.ID)
			case cost.KindSubscription:
				subs = append(subs, s.ID)
			}
		}
		slices.Sort(linked)
		members = append(linked[:min(2, len(linked))], subs...)
		if _, ok, err := tx.Scope(ctx, demoGroup); err != nil {
			return err
		} else if !ok {
			if err := cost.AddScope(ctx, tx, cost.Scope{ID: demoGroup, Name: "Production", Group: cost.RootGroup}); err != nil {
				return err
			}
		}
		if err := cost.MoveScopes(ctx, tx, members, demoGroup); err != nil {
			return err
		}
		return tx.Audit(ctx, cost.AuditEntry{Time: now, User: duckstore.LoadOwner, Action: "scope.move", Scope: demoGroup,
			Detail: fmt.Sprintf("the demo's %d accounts and subscriptions", len(members))})
	})
	return members, err
}

// printCrossCloud prints the demo group's cost by provider and month: AWS
// and Azure in one answer, a row per currency.
func printCrossCloud(ctx context.Context, out io.Writer, store *duckstore.Store, members []cost.ScopeID) error {
	var view cost.CostView
	err := store.View(ctx, func(r cost.CatalogReader) error {
		var err error
		view, err = cost.ViewIn(ctx, r, demoGroup)
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
	fmt.Fprintf(out, "\nAmortized cost of %s (%d AWS linked accounts and Azure subscriptions) by provider, account and month\n", demoGroup, len(members))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Month\tProvider\tAccount\tCost\tCurrency\t")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.Date.Format("2006-01"), r.Groups[0], r.Groups[1], money(r.Cost, r.Currency), r.Currency)
	}
	return tw.Flush()
}
