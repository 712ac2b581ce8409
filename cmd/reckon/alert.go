package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newAlertCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "alert", Short: "Budget and anomaly alerts on the scopes you read",
		Long: `An alert is a budget's notification that fired in a period, or a cost
anomaly found on a scope. It is active when it fires, dismissed by a
Contributor of its scope who has seen it (it stays dismissed while the cost
stays over the threshold), and resolved when the cost falls back under.
Readers of a scope see its alerts and whom each was sent to.`}
	cmd.AddCommand(
		apiCommand("list [--scope S] [--state STATE] [--kind KIND]", "List alerts, the latest first", cobra.NoArgs,
			func(cmd *cobra.Command) {
				cmd.Flags().String("scope", "", "only the alerts of this scope (default: every scope you read)")
				cmd.Flags().String("state", "", "only the alerts in this state: active, dismissed or resolved")
				cmd.Flags().String("kind", "", "only budget or anomaly alerts")
				cmd.Flags().String("budget", "", "only the alerts of this budget ID")
			},
			listAlerts),
		apiCommand("show ID", "Show an alert and whom it was sent to", oneAlertID, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				return alertCall(cmd, c, f, "GET", "/api/v1/alerts/"+url.PathEscape(args[0]), printAlert)
			}),
		apiCommand("dismiss ID", "Dismiss an active alert", oneAlertID, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				return alertCall(cmd, c, f, "POST", "/api/v1/alerts/"+url.PathEscape(args[0])+"/dismiss",
					func(w io.Writer, a *alertView) error {
						_, err := fmt.Fprintf(w, "Dismissed alert %s: %s\n", a.ID, printable(a.Message))
						return err
					})
			}),
	)
	return cmd
}

// oneAlertID takes an alert's ID as the only argument.
func oneAlertID(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give one alert ID, as `reckon alert list` shows; got %d arguments", len(args))
	}
	return nil
}

// alertView is an alert as the API answers it.
type alertView struct {
	ID          string
	Kind        string
	Scope       string
	State       string
	Budget      *budgetAlertView
	Anomaly     *anomalyView
	Fired       time.Time
	Updated     time.Time
	Resolved    *time.Time
	Dismissed   *time.Time
	DismissedBy string
	Message     string
	Deliveries  []deliveryView
}

type budgetAlertView struct {
	BudgetID      string
	BudgetName    string
	Notification  string
	Period        budgetPeriod
	Operator      string
	Threshold     json.Number
	ThresholdType string
	Amount        json.Number
	Currency      string
	Spent         json.Number
	Forecast      json.Number
	Rates         []rateView
}

type anomalyView struct {
	Date      time.Time
	Dimension string
	Value     string
	Type      string
	Currency  string
	Expected  json.Number
	Actual    json.Number
	Impact    json.Number
}

type deliveryView struct {
	Channel    string
	To         string
	Status     string
	Attempts   int
	StatusCode int
	Error      string
	Time       time.Time
	Event      string
}

// alertCall calls the API for one alert and prints the answer.
func alertCall(cmd *cobra.Command, c *apiClient, f *clientFlags, method, path string, print func(io.Writer, *alertView) error) error {
	var raw json.RawMessage
	if err := c.do(cmd.Context(), method, path, nil, &raw); err != nil {
		return err
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), raw)
	}
	var a alertView
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("the server at %s sent an alert this reckon cannot read: %w", c.server, err)
	}
	return print(cmd.OutOrStdout(), &a)
}

func listAlerts(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
	q := url.Values{}
	for _, name := range []string{"scope", "state", "kind", "budget"} {
		if v, _ := cmd.Flags().GetString(name); v != "" {
			q.Set(name, v)
		}
	}
	if st := q.Get("state"); st != "" && !oneOfFold(st, "active", "dismissed", "resolved") {
		return usageErrorf("--state %q: use active, dismissed or resolved", st)
	}
	if k := q.Get("kind"); k != "" && !oneOfFold(k, "budget", "anomaly") {
		return usageErrorf("--kind %q: use budget or anomaly", k)
	}
	var raw struct{ Value json.RawMessage }
	if err := c.do(cmd.Context(), "GET", "/api/v1/alerts?"+q.Encode(), nil, &raw); err != nil {
		return err
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), raw.Value)
	}
	var alerts []alertView
	if err := json.Unmarshal(raw.Value, &alerts); err != nil {
		return fmt.Errorf("the server at %s sent alerts this reckon cannot read: %w", c.server, err)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tKIND\tSCOPE\tFIRED\tMESSAGE")
	for _, a := range alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.State, a.Kind, a.Scope, a.Fired.UTC().Format("2006-01-02 15:04"), printable(a.Message))
	}
	return tw.Flush()
}

// oneOfFold reports whether s is one of the words, in any letter case.
func oneOfFold(s string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// printAlert prints an alert's fields, what it saw and its deliveries.
func printAlert(w io.Writer, a *alertView) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
	fmt.Fprintf(tw, "ID\t%s\nKind\t%s\nState\t%s\nScope\t%s\nMessage\t%s\nFired\t%s\nUpdated\t%s\n", a.ID, a.Kind, a.State, a.Scope,
		printable(a.Message), stamp(a.Fired), stamp(a.Updated))
	if a.Resolved != nil {
		fmt.Fprintf(tw, "Resolved\t%s\n", stamp(*a.Resolved))
	}
	if a.Dismissed != nil {
		fmt.Fprintf(tw, "Dismissed\t%s by %s\n", stamp(*a.Dismissed), a.DismissedBy)
	}
	if b := a.Budget; b != nil {
		fmt.Fprintf(tw, "Budget\t%s (%s)\nNotification\t%s: %s %s %s%% of %s %s\nPeriod\t%s to %s\n", printable(b.BudgetName), b.BudgetID,
			printable(b.Notification), b.ThresholdType, operatorSign(b.Operator), plain(b.Threshold), moneyOf(b.Amount, b.Currency), b.Currency,
			day(b.Period.Start), day(b.Period.End.AddDate(0, 0, -1)))
		fmt.Fprintf(tw, "Spent\t%s %s, %s\nForecast\t%s %s, %s\n", moneyOf(b.Spent, b.Currency), b.Currency, percentOf(b.Spent, b.Amount),
			moneyOf(b.Forecast, b.Currency), b.Currency, percentOf(b.Forecast, b.Amount))
		for _, r := range b.Rates {
			fmt.Fprintf(tw, "Rate\t1 %s = %s %s\n", r.From, plain(r.Rate), r.To)
		}
	}
	if an := a.Anomaly; an != nil {
		what := "the scope's cost"
		if an.Dimension != "" {
			what = an.Dimension + " " + printable(an.Value)
		}
		fmt.Fprintf(tw, "Anomaly\t%s on %s: %s\nExpected\t%s %s\nActual\t%s %s\nImpact\t%s %s\n", an.Type, day(an.Date), what,
			moneyOf(an.Expected, an.Currency), an.Currency, moneyOf(an.Actual, an.Currency), an.Currency, moneyOf(an.Impact, an.Currency), an.Currency)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(a.Deliveries) == 0 {
		_, err := fmt.Fprintln(w, "\nNo deliveries.")
		return err
	}
	fmt.Fprintln(w, "\nDeliveries")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tEVENT\tCHANNEL\tTO\tSTATUS\tATTEMPTS\tERROR")
	for _, d := range a.Deliveries {
		status := d.Status
		if d.StatusCode != 0 {
			status += " (" + strconv.Itoa(d.StatusCode) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", stamp(d.Time), d.Event, d.Channel, printable(d.To), status, d.Attempts, printable(d.Error))
	}
	return tw.Flush()
}
