package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/forecast"
)

func newForecastCommand() *cobra.Command {
	var (
		dataDir, server, scopeID, horizon, measure, format string
		qf                                                 queryFlags
	)
	cmd := &cobra.Command{
		Use:   "forecast --data DIR | --server URL --scope S [flags]",
		Short: "Daily cost to date and a forecast to the end of the month, quarter or year, with an 80% band",
		Long: `Show a scope's daily cost from the start of the current month, quarter or
year (--horizon, UTC) to today, and a forecast of each day to its end with
an 80% band, from the store in DIR or through a Reckon server.

Each day is forecast at the median of the same weekday over the last 4
weeks of complete days, plus the Recurring charges (monthly fees, tax) of
the latest same day of the month. The band is the 10th to 90th percentile
of the errors the same rule made on the last 28 days. The period's total is
the complete days' actual cost plus the forecast of today and the days to
come; its band is the sum of the daily bands.

--type or --measure picks the cost (one cost measure); --filter takes the
filter expressions reckon query takes, and repeated flags must all hold.

The table rounds to the currency's minor unit, with thousands separators.
csv, json and jsonl are exact: every decimal place (at least 10); json also
holds the totals, the method and the notes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (dataDir == "") == (server == "") {
				return usageErrorf("give either --data DIR (read the store) or --server URL with --scope (forecast through the API)")
			}
			h, err := forecast.ParseHorizon(horizon)
			if err != nil {
				return usageErrorf("--horizon %q: use month, quarter or year", horizon)
			}
			if measure != "" {
				qf.measures = []string{measure}
			}
			now := clockOf(cmd.Context()).Now()
			spec, q, err := qf.spec(now)
			if err != nil {
				return err
			}
			render, err := forecastRenderer(format)
			if err != nil {
				return err
			}
			var a *forecast.Answer
			if server != "" {
				a, err = forecastServer(cmd, server, scopeID, spec, h)
			} else {
				a, err = forecastStore(cmd, dataDir, q, forecast.PeriodOf(h, now), h)
			}
			if err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), a)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	f.StringVar(&server, "server", "", "forecast through a Reckon server instead, as RECKON_TOKEN's user")
	f.StringVar(&scopeID, "scope", "", "with --server: the scope whose costs to forecast, e.g. aws/accounts/123456789012")
	f.StringVar(&horizon, "horizon", "month", "forecast to the end of the current month, quarter or year")
	f.StringVar(&qf.costType, "type", "actual", "actual (BilledCost), amortized (EffectiveCost) or unblended (x_UnblendedCost)")
	f.StringVar(&measure, "measure", "", "instead of --type: BilledCost, EffectiveCost, ListCost or x_UnblendedCost")
	f.StringArrayVar(&qf.filters, "filter", nil, `a filter expression, e.g. 'ServiceName in (EC2, S3) and not tag:env = dev'; repeat to require several`)
	f.StringVar(&format, "format", "table", "table, csv, json or jsonl (JSON Lines)")
	return cmd
}

// forecastServer asks the server, with the caller's rights.
func forecastServer(cmd *cobra.Command, server, scopeID string, spec cost.QuerySpec, h forecast.Horizon) (*forecast.Answer, error) {
	if scopeID == "" {
		return nil, usageErrorf("--server needs --scope: the scope whose costs to forecast")
	}
	c, err := newAPIClient(server)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"scope": scopeID, "horizon": h, "filter": spec.Filter, "filters": spec.Filters}
	if len(spec.Measures) > 0 {
		body["measure"] = spec.Measures[0]
	} else {
		body["type"] = spec.Type
	}
	var a forecast.Answer
	if err := c.do(cmd.Context(), "POST", "/api/v1/forecast", body, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// forecastStore forecasts the whole store in dataDir.
func forecastStore(cmd *cobra.Command, dataDir string, base *cost.Query, p forecast.Period, h forecast.Horizon) (*forecast.Answer, error) {
	q, err := forecast.HistoryQuery(base, p)
	if err != nil {
		return nil, err
	}
	store, err := duckstore.Open(cmd.Context(), dataDir, duckstore.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	res, err := store.Query(cmd.Context(), q)
	if err != nil {
		return nil, err
	}
	return forecast.Build(res, p, h)
}

type forecastRenderFunc func(io.Writer, *forecast.Answer) error

func forecastRenderer(format string) (forecastRenderFunc, error) {
	switch format {
	case "table":
		return renderForecastTable, nil
	case cost.FormatCSV, cost.FormatJSONL:
		return func(w io.Writer, a *forecast.Answer) error {
			return streamRows(w, format, forecast.Columns, forecastRows(a))
		}, nil
	case "json":
		return func(w io.Writer, a *forecast.Answer) error {
			b, err := json.MarshalIndent(a, "", "  ")
			if err == nil {
				_, err = fmt.Fprintf(w, "%s\n", b)
			}
			return err
		}, nil
	}
	return nil, usageErrorf("--format %q: use table, csv, json or jsonl", format)
}

// renderForecastTable prints the days, then each currency's totals and
// the notes. An actual day has no band: its Low and High are "-".
func renderForecastTable(w io.Writer, a *forecast.Answer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Date\tKind\tCost\tLow\tHigh\tCurrency\t")
	for _, s := range a.Series {
		for _, p := range s.Points {
			low, high := "-", "-"
			if p.Kind == forecast.Forecast {
				low, high = money(p.Low, s.Currency), money(p.High, s.Currency)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", p.Date.Format(time.DateOnly), p.Kind, money(p.Cost, s.Currency), low, high, s.Currency)
		}
	}
	if len(a.Series) == 0 {
		fmt.Fprintln(tw, "(no costs match)\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	period := fmt.Sprintf("%s to %s", a.Period.Start.Format(time.DateOnly), a.Period.End.AddDate(0, 0, -1).Format(time.DateOnly))
	if a.Horizon != "" {
		period += " (this " + string(a.Horizon) + ")"
	}
	fmt.Fprintf(w, "\n%s, today %s:\n", period, a.Period.Today.Format(time.DateOnly))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range a.Series {
		fmt.Fprintf(tw, "  %s\tactual to date %s\tforecast %s\t80%% band %s to %s\n", s.Currency, money(s.Actual, s.Currency),
			money(s.Total, s.Currency), money(s.Low, s.Currency), money(s.High, s.Currency))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range a.Notes {
		fmt.Fprintf(w, "Note: %s.\n", n)
	}
	return nil
}

// forecastRows gives each point of the answer as a row of
// forecast.Columns, for streamRows.
func forecastRows(a *forecast.Answer) func(func(*cost.ResultRow) error) error {
	return func(fn func(*cost.ResultRow) error) error {
		for _, s := range a.Series {
			for _, p := range s.Points {
				row := cost.ResultRow{Cost: p.Cost, More: []decimal.Decimal{p.Low, p.High}, Currency: s.Currency,
					Date: p.Date, Groups: []string{string(p.Kind)}}
				if err := fn(&row); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
