package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// demoView is a view the demo saves, on the root group or, when billing
// is set, on the demo's billing account.
type demoView struct {
	name    string
	chart   cost.Chart
	billing bool
	query   cost.QuerySpec
}

// The demo's data ends with last month, so its views look back from now.
var demoViews = []demoView{
	{name: "Daily cost by service, last month", chart: cost.ChartStackedColumn,
		query: cost.QuerySpec{Timeframe: string(cost.TimeframeTheLastMonth), Granularity: "daily", GroupBy: []string{"ServiceName"}}},
	{name: "Cost by account, monthly", chart: cost.ChartColumn,
		query: cost.QuerySpec{Granularity: "monthly", GroupBy: []string{"SubAccountName"}}},
	{name: "Top 10 resources, last month", chart: cost.ChartBar,
		query: cost.QuerySpec{Timeframe: string(cost.TimeframeTheLastMonth), GroupBy: []string{"ResourceId"}, Top: 10}},
	{name: "Amortized cost by charge category, last billing month", chart: cost.ChartPie, billing: true,
		query: cost.QuerySpec{Timeframe: string(cost.TimeframeTheLastBillingMonth), Type: string(cost.CostAmortized), GroupBy: []string{"ChargeCategory"}}},
}

// saveDemoViews saves the demo's views as the administrator, each with its
// audit entry, and says where they are. A view whose name its scope
// already has (the demo ran on this folder before) stays as it is.
func saveDemoViews(ctx context.Context, out io.Writer, store *duckstore.Store, now time.Time) error {
	var saved []cost.SavedView
	err := store.Update(ctx, func(tx cost.CatalogTx) error {
		billing, err := demoBillingAccount(ctx, tx)
		if err != nil {
			return err
		}
		for _, d := range demoViews {
			v := cost.SavedView{ID: cost.NewViewID(), Scope: cost.RootGroup, Name: d.name, Chart: d.chart, Query: d.query,
				Created: now, CreatedBy: duckstore.LoadOwner, Updated: now, UpdatedBy: duckstore.LoadOwner}
			if d.billing {
				v.Scope = billing
			}
			if v, err = cost.SaveView(ctx, tx, v, now); cost.ErrorCode(err) == cost.EConflict {
				continue
			} else if err != nil {
				return fmt.Errorf("save the demo view %q: %w", d.name, err)
			}
			saved = append(saved, v)
			if err := tx.Audit(ctx, cost.AuditEntry{Time: now, User: duckstore.LoadOwner, Action: "view.create",
				Scope: v.Scope, Detail: v.ID + " " + v.Name}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(saved) == 0 {
		return err
	}
	fmt.Fprintln(out, "\nSaved views, for the web UI and `reckon view`:")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, v := range saved {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", v.ID, v.Name, v.Chart, v.Scope)
	}
	return tw.Flush()
}

// demoBillingAccount is the billing account the demo's load registered.
func demoBillingAccount(ctx context.Context, r cost.CatalogReader) (cost.ScopeID, error) {
	scopes, err := r.Scopes(ctx)
	if err != nil {
		return "", err
	}
	for _, s := range scopes {
		if s.ID.Kind() == cost.KindBillingAccount && s.ID.Provider() == "AWS" {
			return s.ID, nil
		}
	}
	var ids []string
	for _, s := range scopes {
		ids = append(ids, string(s.ID))
	}
	return "", fmt.Errorf("the demo's load registered no billing account (scopes: %s)", strings.Join(ids, ", "))
}
