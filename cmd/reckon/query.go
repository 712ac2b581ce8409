package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

func newQueryCommand() *cobra.Command {
	var (
		dataDir, server, scopeID, from, to, granularity, groupBy, costType, format string
		filters                                                                    []string
	)
	cmd := &cobra.Command{
		Use:   "query --data DIR [flags]",
		Short: "Sum actual or amortized cost by time and up to two dimensions",
		Long: `Sum cost from the store in DIR.

Cost is the exact sum of BilledCost (--type actual), EffectiveCost
(--type amortized) or x_UnblendedCost (--type unblended, Cost Explorer's
UnblendedCost). Dimensions for --group-by and --filter are FOCUS columns
(` + strings.Join(cost.Dimensions, ", ") + `) or tag:KEY.
--to is exclusive. Repeated --filter flags must all hold, also on one
dimension (RegionId=a and RegionId=b match nothing); a query may have at
most ` + strconv.Itoa(cost.MaxFilters) + ` of them. COL= (an empty value)
matches rows where the column is empty.

JSON output has the shape of the Azure Cost Management Query API response;
Cost is a JSON number written with every decimal place (at least 10).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (dataDir == "") == (server == "") {
				return usageErrorf("give either --data DIR (read the store) or --server URL with --scope (query through the API)")
			}
			spec, q, err := buildQuery(from, to, granularity, groupBy, costType, filters)
			if err != nil {
				return err
			}
			render, err := renderer(format)
			if err != nil {
				return err
			}
			if server != "" {
				return queryServer(cmd, server, scopeID, spec, render)
			}
			store, err := duckstore.Open(cmd.Context(), dataDir, duckstore.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer store.Close()
			res, err := store.Query(cmd.Context(), q)
			if err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	f.StringVar(&server, "server", "", "query a Reckon server instead, as RECKON_TOKEN's user")
	f.StringVar(&scopeID, "scope", "", "with --server: the scope whose costs to sum, e.g. aws/accounts/123456789012")
	f.StringVar(&from, "from", "", "first day, YYYY-MM-DD (inclusive)")
	f.StringVar(&to, "to", "", "end day, YYYY-MM-DD (exclusive)")
	f.StringVar(&granularity, "granularity", "none", "none, daily or monthly")
	f.StringVar(&groupBy, "group-by", "", "up to two dimensions, comma-separated: COL or tag:KEY")
	f.StringVar(&costType, "type", "actual", "actual (BilledCost), amortized (EffectiveCost) or unblended (x_UnblendedCost)")
	f.StringArrayVar(&filters, "filter", nil, "COL=VALUE or tag:KEY=VALUE; repeat to require several")
	f.StringVar(&format, "format", "table", "table, csv or json")
	return cmd
}

// buildQuery turns the query flags into a validated cost.Query.
func buildQuery(from, to, granularity, groupBy, costType string, filters []string) (cost.QuerySpec, *cost.Query, error) {
	// The command line's own mistakes are usage errors (exit 2).
	for flag, day := range map[string]string{"--from": from, "--to": to} {
		if _, err := parseDay(flag, day); err != nil {
			return cost.QuerySpec{}, nil, err
		}
	}
	for _, f := range filters {
		if !strings.Contains(f, "=") {
			return cost.QuerySpec{}, nil, usageErrorf("--filter %q: write COL=VALUE or tag:KEY=VALUE", f)
		}
	}
	spec := cost.QuerySpec{From: from, To: to, Granularity: granularity, Type: costType, Filters: filters}
	if groupBy != "" {
		spec.GroupBy = strings.Split(groupBy, ",")
	}
	q, err := spec.Build(time.Now())
	return spec, q, err
}

// queryServer runs the query through the API, with the caller's rights.
func queryServer(cmd *cobra.Command, server, scopeID string, spec cost.QuerySpec, render renderFunc) error {
	if scopeID == "" {
		return usageErrorf("--server needs --scope: the scope whose costs to sum")
	}
	c, err := newAPIClient(server)
	if err != nil {
		return err
	}
	var res cost.Result
	body := struct {
		Scope string `json:"scope"`
		cost.QuerySpec
	}{scopeID, spec}
	if err := c.do(cmd.Context(), "POST", "/api/v1/query", body, &res); err != nil {
		return err
	}
	return render(cmd.OutOrStdout(), &res)
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
