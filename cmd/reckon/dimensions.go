package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

func newDimensionsCommand() *cobra.Command {
	var (
		dataDir, server, scopeID, format string
		limit                            int
		spec                             cost.ValueSpec
	)
	cmd := &cobra.Command{
		Use:   "dimensions (--server URL --scope S | --data DIR) [flags]",
		Short: "List each dimension's values in a scope and period, largest cost first",
		Long: `List the values each dimension takes in a scope's costs over a period,
with the cost of each, largest first: the values to filter or group by.

Dimensions are FOCUS columns (` + strings.Join(cost.Dimensions, ", ") + `)
and tags, as tag:KEY. Without --dimension every column is listed, and the
tag keys with the cost of the rows tagged with each and its number of
values; --dimension tag:KEY lists one tag's values. The empty value (shown
as -) is the rows where the dimension is empty. A value billed in two
currencies is listed once per currency.

The period is month to date unless --from, --to or --timeframe say
otherwise; --to is exclusive. --search keeps the values (and tag keys) that
contain its text, ignoring case. Each list holds at most --limit values
and says how many there are in all.

With --server, the values come through the API with RECKON_TOKEN's rights:
only from rows of the scopes you may read. With --data, from the store in
DIR, restricted to --scope when given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (dataDir == "") == (server == "") {
				return usageErrorf("give either --data DIR (read the store) or --server URL with --scope (list through the API)")
			}
			if format != "table" && format != "json" {
				return usageErrorf("--format %q: use table or json", format)
			}
			for flag, day := range map[string]string{"--from": spec.From, "--to": spec.To} {
				if _, err := parseDay(flag, day); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("limit") {
				spec.Limit = strconv.Itoa(limit)
			}
			var (
				ans *api.DimensionsAnswer
				err error
			)
			if server != "" {
				ans, err = dimensionsFromServer(cmd.Context(), server, scopeID, spec)
			} else {
				ans, err = dimensionsFromStore(cmd.Context(), dataDir, scopeID, spec)
			}
			if err != nil {
				return err
			}
			if format == "json" {
				return printJSON(cmd.OutOrStdout(), ans)
			}
			return renderDimensions(cmd.OutOrStdout(), ans)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	f.StringVar(&server, "server", "", "list through a Reckon server instead, as RECKON_TOKEN's user")
	f.StringVar(&scopeID, "scope", "", "the scope whose values to list, e.g. aws/accounts/123456789012 (required with --server)")
	f.StringVar(&spec.From, "from", "", "first day, YYYY-MM-DD (inclusive)")
	f.StringVar(&spec.To, "to", "", "end day, YYYY-MM-DD (exclusive)")
	f.StringVar(&spec.Timeframe, "timeframe", "", "instead of --from and --to: MonthToDate, TheLastMonth, TheLast30Days…")
	f.StringVar(&spec.Type, "type", "actual", "the cost: actual (BilledCost), amortized (EffectiveCost) or unblended (x_UnblendedCost)")
	f.StringArrayVar(&spec.Dimensions, "dimension", nil, "a column or tag:KEY to list; repeat for several (default: every column and the tag keys)")
	f.StringVar(&spec.Search, "search", "", "keep the values containing this text, ignoring case")
	f.IntVar(&limit, "limit", cost.DefaultValueLimit, "the most values listed per dimension, 1 to "+strconv.Itoa(cost.MaxValueLimit))
	f.StringVar(&format, "format", "table", "table or json")
	return cmd
}

// dimensionsFromServer asks the API, with the caller's rights.
func dimensionsFromServer(ctx context.Context, server, scopeID string, spec cost.ValueSpec) (*api.DimensionsAnswer, error) {
	if scopeID == "" {
		return nil, usageErrorf("--server needs --scope: the scope whose values to list")
	}
	c, err := newAPIClient(server)
	if err != nil {
		return nil, err
	}
	params := url.Values{"scope": {scopeID}}
	for name, v := range map[string]string{"from": spec.From, "to": spec.To, "timeframe": spec.Timeframe,
		"type": spec.Type, "search": spec.Search, "limit": spec.Limit} {
		if v != "" {
			params.Set(name, v)
		}
	}
	params["dimension"] = spec.Dimensions
	var ans api.DimensionsAnswer
	if err := c.do(ctx, "GET", "/api/v1/dimensions?"+params.Encode(), nil, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// dimensionsFromStore reads the store in dataDir, restricted to the
// scope's view (the one rule the API applies too) when one is given.
func dimensionsFromStore(ctx context.Context, dataDir, scopeID string, spec cost.ValueSpec) (*api.DimensionsAnswer, error) {
	q, vq, err := spec.Build(clockOf(ctx).Now())
	if err != nil {
		return nil, err
	}
	store, err := duckstore.Open(ctx, dataDir, duckstore.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	ans := &api.DimensionsAnswer{From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly), Period: q.Period, Type: q.Type}
	if scopeID != "" {
		if ans.Scope, err = cost.ParseScopeID(scopeID); err != nil {
			return nil, err
		}
		var view cost.CostView
		err = store.View(ctx, func(r cost.CatalogReader) (err error) {
			view, err = cost.ViewIn(ctx, r, ans.Scope)
			return err
		})
		if err != nil {
			return nil, err
		}
		if view.Empty {
			none := vq.None()
			ans.Dimensions, ans.TagKeys = none.Dimensions, none.TagKeys
			return ans, nil
		}
		q = view.Restrict(q)
	}
	values, err := store.Values(ctx, q, vq)
	if err != nil {
		return nil, err
	}
	ans.Dimensions, ans.TagKeys = values.Dimensions, values.TagKeys
	return ans, nil
}

// renderDimensions prints each list under its name, costs rounded to the
// currency's minor unit for reading (--format json keeps them exact).
func renderDimensions(w io.Writer, ans *api.DimensionsAnswer) error {
	scope := string(ans.Scope)
	if scope == "" {
		scope = "the whole store"
	}
	fmt.Fprintf(w, "%s, %s to %s (exclusive), %s cost\n", scope, ans.From, ans.To, ans.Type)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, l := range ans.Dimensions {
		fmt.Fprintf(tw, "\n%s\n", listHeading(l.Name, len(l.Values), l.Count))
		for _, v := range l.Values {
			fmt.Fprintf(tw, "  %s\t%s\t  %s\n", money(v.Cost, v.Currency), v.Currency, cmpOrDash(v.Value))
		}
	}
	if k := ans.TagKeys; k != nil {
		fmt.Fprintf(tw, "\n%s\n", listHeading("Tag keys", len(k.Keys), k.Count))
		for _, key := range k.Keys {
			fmt.Fprintf(tw, "  %s\t%s\t  %s  (%d values)\n", money(key.Cost, key.Currency), key.Currency, cost.TagPrefix+key.Key, key.Values)
		}
	}
	return tw.Flush()
}

// listHeading names a list and how much of it is shown.
func listHeading(name string, shown, count int) string {
	switch {
	case count == 0:
		return name + ": none"
	case shown < count:
		return fmt.Sprintf("%s: the largest %d of %d (--limit, --search)", name, shown, count)
	}
	return fmt.Sprintf("%s: %d", name, count)
}

func cmpOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
