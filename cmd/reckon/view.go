package main

import (
	"cmp"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
)

func newViewCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "view", Short: "Saved views: named queries with their chart, on a scope",
		Long: `A saved view is a named query with the chart that draws it, owned by a
scope: Readers of the scope list and read its views, Contributors create,
edit and delete them. Names are unique on a scope, whatever their case.

Charts: area, line, column and stackedColumn plot cost over time (the query
needs --granularity daily or monthly); bar and pie compare the groups of a
query with --group-by and no granularity; table shows any answer.`}
	cmd.AddCommand(newViewCreateCommand(),
		apiCommand("list --scope S", "List the views saved on a scope", cobra.NoArgs,
			func(cmd *cobra.Command) { cmd.Flags().String("scope", "", "the scope, e.g. mg/root") },
			listViews),
		apiCommand("show ID", "Show one saved view", oneID, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				var v cost.SavedView
				if err := c.do(cmd.Context(), "GET", "/api/v1/views/"+url.PathEscape(args[0]), nil, &v); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), v)
				}
				return printView(cmd.OutOrStdout(), v)
			}),
		apiCommand("delete ID", "Delete a saved view", oneID, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				if err := c.do(cmd.Context(), "DELETE", "/api/v1/views/"+url.PathEscape(args[0]), nil, nil); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), map[string]string{"deleted": args[0]})
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Deleted view %s.\n", args[0])
				return err
			}),
	)
	return cmd
}

// oneID takes a view's ID as the only argument; anything else is a
// mistake in the command line (exit 2).
func oneID(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give one view ID, as `reckon view list --scope S` shows; got %d arguments", len(args))
	}
	return nil
}

// newViewCreateCommand saves a view whose query the query flags write, as
// `reckon query` takes them.
func newViewCreateCommand() *cobra.Command {
	var scope, name, chart string
	var qf queryFlags
	return apiCommand("create --scope S --name N [--chart C] [query flags]", "Save a query and its chart as a view on a scope", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&scope, "scope", "", "the scope that owns the view, e.g. mg/root or aws/billing/123456789012")
			cmd.Flags().StringVar(&name, "name", "", "the view's name, unique on its scope")
			cmd.Flags().StringVar(&chart, "chart", string(cost.ChartTable), "area, line, column, stackedColumn, bar, pie or table")
			qf.register(cmd)
		},
		func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
			if scope == "" || name == "" {
				return usageErrorf("--scope and --name are required")
			}
			if _, err := cost.ParseChart(chart); err != nil {
				return usageErrorf("--chart %q: use one of area, line, column, stackedColumn, bar, pie or table", chart)
			}
			spec, _, err := qf.spec(clockOf(cmd.Context()).Now())
			if err != nil {
				return err
			}
			body := map[string]any{"scope": scope, "name": name, "chart": chart, "query": spec}
			var v cost.SavedView
			if err := c.do(cmd.Context(), "POST", "/api/v1/views", body, &v); err != nil {
				return err
			}
			if f.format == "json" {
				return printJSON(cmd.OutOrStdout(), v)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Saved view %s, %q (%s) on %s.\n", v.ID, printable(v.Name), v.Chart, v.Scope)
			return err
		})
}

func listViews(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
	scope, _ := cmd.Flags().GetString("scope")
	if scope == "" {
		return usageErrorf("--scope is required: the scope whose views to list")
	}
	var res struct{ Value []cost.SavedView }
	if err := c.do(cmd.Context(), "GET", "/api/v1/views?scope="+url.QueryEscape(scope), nil, &res); err != nil {
		return err
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), res.Value)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCHART\tQUERY\tUPDATED")
	for _, v := range res.Value {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.ID, printable(v.Name), v.Chart, printable(describeQuery(v.Query)),
			v.Updated.UTC().Format(time.DateOnly))
	}
	return tw.Flush()
}

// printView prints a view's fields, and its query's one to a line.
func printView(w io.Writer, v cost.SavedView) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	stamp := func(t time.Time, by string) string { return t.UTC().Format("2006-01-02 15:04 UTC") + " by " + by }
	fmt.Fprintf(tw, "ID\t%s\nName\t%s\nScope\t%s\nChart\t%s\nCreated\t%s\nUpdated\t%s\nQuery\t%s\n", v.ID, printable(v.Name), v.Scope,
		v.Chart, stamp(v.Created, v.CreatedBy), stamp(v.Updated, v.UpdatedBy), printable(describeQuery(v.Query)))
	q := v.Query
	for _, field := range []struct{ name, value string }{
		{"from", q.From}, {"to", q.To}, {"timeframe", q.Timeframe}, {"granularity", q.Granularity}, {"type", q.Type},
		{"measures", strings.Join(q.Measures, ", ")}, {"groupBy", strings.Join(q.GroupBy, ", ")},
		{"filters", strings.Join(q.Filters, " and ")}, {"filter", q.Filter}, {"orderBy", strings.Join(q.OrderBy, ", ")},
		{"top", nonZero(q.Top)}, {"pageSize", nonZero(q.PageSize)},
	} {
		if field.value != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", field.name, printable(field.value))
		}
	}
	return tw.Flush()
}

func nonZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// describeQuery sums a query up in a few words for a listing: its range,
// granularity, measures, groups, top and whether it filters.
func describeQuery(q cost.QuerySpec) string {
	var parts []string
	switch {
	case q.Timeframe != "":
		parts = append(parts, q.Timeframe)
	case q.From != "" || q.To != "":
		parts = append(parts, cmp.Or(q.From, "…")+" to "+cmp.Or(q.To, "…"))
	default:
		parts = append(parts, "all days")
	}
	if g := strings.ToLower(q.Granularity); g != "" && g != string(cost.GranularityNone) {
		parts = append(parts, g)
	}
	switch t := strings.ToLower(q.Type); {
	case len(q.Measures) > 0:
		parts = append(parts, strings.Join(q.Measures, "+"))
	case t != "" && t != string(cost.CostActual):
		parts = append(parts, t)
	}
	if len(q.GroupBy) > 0 {
		parts = append(parts, "by "+strings.Join(q.GroupBy, ", "))
	}
	if q.Top > 0 {
		parts = append(parts, "top "+strconv.Itoa(q.Top))
	}
	if q.Filter != "" || len(q.Filters) > 0 {
		parts = append(parts, "filtered")
	}
	return strings.Join(parts, ", ")
}
