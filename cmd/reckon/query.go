package main

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

func newQueryCommand() *cobra.Command {
	var (
		dataDir, from, to, granularity, groupBy, costType, format string
		filters                                                   []string
	)
	cmd := &cobra.Command{
		Use:   "query --data DIR [flags]",
		Short: "Sum actual or amortized cost by time and up to two dimensions",
		Long: `Sum cost from the store in DIR.

Cost is the exact sum of BilledCost (--type actual), EffectiveCost
(--type amortized) or x_UnblendedCost (--type unblended, Cost Explorer's
UnblendedCost). Dimensions for --group-by and --filter are FOCUS columns
(` + strings.Join(cost.Dimensions, ", ") + `) or tag:KEY.
--to is exclusive. Repeated --filter flags must all hold; COL= (an empty
value) matches rows where the column is empty.

JSON output has the shape of the Azure Cost Management Query API response;
Cost is a JSON number written with every decimal place (at least 10).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" {
				return usageErrorf("--data DIR is required")
			}
			q, err := buildQuery(from, to, granularity, groupBy, costType, filters)
			if err != nil {
				return err
			}
			render, err := renderer(format)
			if err != nil {
				return err
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
func buildQuery(from, to, granularity, groupBy, costType string, filters []string) (*cost.Query, error) {
	q := &cost.Query{Granularity: cost.Granularity(granularity), Type: cost.CostType(costType)}
	var err error
	if q.From, err = parseDay("--from", from); err != nil {
		return nil, err
	}
	if q.To, err = parseDay("--to", to); err != nil {
		return nil, err
	}
	if groupBy != "" {
		for _, name := range strings.Split(groupBy, ",") {
			d, err := cost.ParseDimension(strings.TrimSpace(name))
			if err != nil {
				return nil, err
			}
			q.GroupBy = append(q.GroupBy, d)
		}
	}
	for _, f := range filters {
		name, value, ok := strings.Cut(f, "=")
		if !ok {
			return nil, usageErrorf("--filter %q: write COL=VALUE or tag:KEY=VALUE", f)
		}
		d, err := cost.ParseDimension(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		q.Filters = append(q.Filters, cost.Filter{Dimension: d, Values: []string{value}})
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
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
