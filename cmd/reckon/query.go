package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// queryFlags are the flags that write a query, shared by the commands that
// take one (query, view create, forecast).
type queryFlags struct {
	from, to, timeframe, granularity, groupBy, costType string
	measures, filters, orderBy                          []string
	top                                                 int
}

func (f *queryFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "first day, YYYY-MM-DD (inclusive)")
	fl.StringVar(&f.to, "to", "", "end day, YYYY-MM-DD (exclusive)")
	fl.StringVar(&f.timeframe, "timeframe", "", "instead of --from/--to: MonthToDate, BillingMonthToDate, TheLastMonth, "+
		"TheLastBillingMonth, WeekToDate, TheLast7Days, TheLast30Days or YearToDate")
	fl.StringVar(&f.granularity, "granularity", "none", "none, daily or monthly")
	fl.StringVar(&f.groupBy, "group-by", "", "up to two dimensions, comma-separated: COL or tag:KEY")
	fl.StringVar(&f.costType, "type", "actual", "actual (BilledCost), amortized (EffectiveCost) or unblended (x_UnblendedCost)")
	fl.StringSliceVar(&f.measures, "measure", nil, "instead of --type, one or more of "+measureNames())
	fl.StringArrayVar(&f.filters, "filter", nil, `a filter expression, e.g. 'ServiceName in (EC2, S3) and not tag:env = dev'; repeat to require several`)
	fl.StringArrayVar(&f.orderBy, "order-by", nil, "a column to sort by, optionally followed by asc or desc; repeat for more")
	fl.IntVar(&f.top, "top", 0, "keep the N largest groups and sum the rest as Others")
}

func measureNames() string {
	var names []string
	for _, m := range cost.AllMeasures {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// spec turns the flags into a QuerySpec, and checks it builds at now. A
// --filter that is not an expression but reads as COL=VALUE (a value with
// spaces, as older releases took it) is kept as such.
func (f *queryFlags) spec(now time.Time) (cost.QuerySpec, *cost.Query, error) {
	// The command line's own mistakes are usage errors (exit 2).
	for flag, day := range map[string]string{"--from": f.from, "--to": f.to} {
		if _, err := parseDay(flag, day); err != nil {
			return cost.QuerySpec{}, nil, err
		}
	}
	spec := cost.QuerySpec{From: f.from, To: f.to, Timeframe: f.timeframe, Granularity: f.granularity,
		Measures: f.measures, OrderBy: f.orderBy, Top: f.top}
	if len(f.measures) == 0 {
		spec.Type = f.costType
	}
	if f.groupBy != "" {
		spec.GroupBy = strings.Split(f.groupBy, ",")
	}
	var exprs []*cost.Expr
	for _, text := range f.filters {
		e, err := cost.ParseFilter(text)
		if err != nil {
			name, _, ok := strings.Cut(text, "=")
			if _, bad := cost.ParseDimension(strings.TrimSpace(name)); !ok || bad != nil {
				return cost.QuerySpec{}, nil, err
			}
			spec.Filters = append(spec.Filters, text)
			continue
		}
		exprs = append(exprs, e)
	}
	spec.Filter = cost.And(exprs...).String()
	q, err := spec.Build(now)
	return spec, q, err
}

func newQueryCommand() *cobra.Command {
	var (
		dataDir, server, scopeID, format string
		qf                               queryFlags
	)
	cmd := &cobra.Command{
		Use:   "query --data DIR | --server URL --scope S [flags]",
		Short: "Sum cost by time and up to two dimensions, filtered with and/or/not",
		Long: `Sum cost from the store in DIR, or through a Reckon server.

Cost is the exact sum of BilledCost (--type actual), EffectiveCost
(--type amortized) or x_UnblendedCost (--type unblended, Cost Explorer's
UnblendedCost); --measure asks for one or more of ` + measureNames() + `
instead. Dimensions for --group-by and --filter are FOCUS columns
(` + strings.Join(cost.Dimensions, ", ") + `) or tag:KEY.
--to is exclusive.

--filter takes an expression; repeated flags must all hold:

` + cost.FilterGrammar + `

for example: --filter 'ServiceName in (EC2, "Amazon S3") and not tag:env = dev'.
Keywords ignore case, and binds tighter than or, "contains" ignores case,
COL = "" matches rows where the column is empty. A filter may hold at most
` + strconv.Itoa(cost.MaxFilterValues) + ` values.

--top N keeps the N largest groups over the range and sums the rest as
Others, so that the rows still add up to the total.

The table rounds to the currency's minor unit, with thousands separators.
csv, json and jsonl are exact: every decimal place (at least 10). json has
the shape of the Azure Cost Management Query API response.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (dataDir == "") == (server == "") {
				return usageErrorf("give either --data DIR (read the store) or --server URL with --scope (query through the API)")
			}
			spec, q, err := qf.spec(clockOf(cmd.Context()).Now())
			if err != nil {
				return err
			}
			render, err := renderer(format)
			if err != nil {
				return err
			}
			if server != "" {
				return queryServer(cmd, server, scopeID, spec, format, render)
			}
			store, err := duckstore.Open(cmd.Context(), dataDir, duckstore.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer store.Close()
			if streamed(format) {
				q.Whole = true
				return streamRows(cmd.OutOrStdout(), format, q.Columns(), func(fn func(*cost.ResultRow) error) error {
					return store.Each(cmd.Context(), q, fn)
				})
			}
			res, err := store.Query(cmd.Context(), q)
			if err != nil {
				return err
			}
			if res.More {
				cmd.PrintErrf("warning: the answer has more than %d rows; this shows the first. --format csv or jsonl gives them all\n", q.PageSize())
			}
			return render(cmd.OutOrStdout(), res)
		},
	}
	qf.register(cmd)
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	f.StringVar(&server, "server", "", "query a Reckon server instead, as RECKON_TOKEN's user")
	f.StringVar(&scopeID, "scope", "", "with --server: the scope whose costs to sum, e.g. aws/accounts/123456789012")
	f.StringVar(&format, "format", "table", "table, csv, json or jsonl (JSON Lines)")
	return cmd
}

// queryServer runs the query through the API, with the caller's rights:
// csv and jsonl stream the whole answer, table and json follow nextLink
// to the last page.
func queryServer(cmd *cobra.Command, server, scopeID string, spec cost.QuerySpec, format string, render renderFunc) error {
	if scopeID == "" {
		return usageErrorf("--server needs --scope: the scope whose costs to sum")
	}
	c, err := newAPIClient(server)
	if err != nil {
		return err
	}
	body := struct {
		Scope string `json:"scope"`
		cost.QuerySpec
	}{scopeID, spec}
	if streamed(format) {
		accept := map[string]string{"csv": "text/csv", "jsonl": "application/x-ndjson"}[format]
		return c.stream(cmd.Context(), "POST", "/api/v1/query", body, accept, cmd.OutOrStdout())
	}
	res, err := allPages(cmd.Context(), c, "/api/v1/query", body)
	if err != nil {
		return err
	}
	return render(cmd.OutOrStdout(), res)
}

// allPages posts body to path and to each nextLink after it, and returns
// the rows of every page in one answer.
func allPages(ctx context.Context, c *apiClient, path string, body any) (*cost.Result, error) {
	var all *cost.Result
	for link := path; link != ""; {
		var page cost.Result
		if err := c.do(ctx, "POST", link, body, &page); err != nil {
			return nil, err
		}
		if all == nil {
			all = &page
		} else {
			all.Rows = append(all.Rows, page.Rows...)
		}
		link = page.NextLink
	}
	all.NextLink = ""
	return all, nil
}

func parseDay(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usageErrorf("%s %q: write a day as YYYY-MM-DD", flag, s)
	}
	return t, nil
}
