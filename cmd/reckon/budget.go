package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newBudgetCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "budget", Short: "Budgets: an amount per month, quarter or year on a scope, with alerts",
		Long: `A budget is an amount a scope's cost should stay under in each period of its
grain (Monthly, Quarterly or Annually, counted from its start date, the
first of a month), with up to 5 notifications: when the period's actual
cost, or its forecast total, crosses a percent of the amount, Reckon raises
an alert and tells the notification's contacts (see reckon alert).

Readers of the scope list and read its budgets; Contributors create, edit
and delete them. Names are unique on a scope, whatever their case. The same
budgets are served at Azure's paths (Microsoft.Consumption/budgets).`}
	cmd.AddCommand(newBudgetCreateCommand(), newBudgetEditCommand(),
		withLong(apiCommand("list --scope S", "List a scope's budgets with this period's cost and forecast", cobra.NoArgs,
			func(cmd *cobra.Command) { cmd.Flags().String("scope", "", "the scope, e.g. mg/root") },
			listBudgets), `List the budgets of a scope: each one's amount, what the current period
has cost so far and its forecast total, with their percent of the amount,
and ALERTS, how many of its notifications have an active alert. A budget
that cannot be measured (a currency without an exchange rate) shows ? and
says why below the table.`),
		apiCommand("show ID", "Show a budget, its notifications, this period and the periods before", oneBudgetID, nil,
			showBudget),
		apiCommand("delete ID", "Delete a budget; its alerts stay as history", oneBudgetID, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				if err := c.do(cmd.Context(), "DELETE", "/api/v1/budgets/"+url.PathEscape(args[0]), nil, nil); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), map[string]string{"deleted": args[0]})
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Deleted budget %s.\n", args[0])
				return err
			}),
	)
	return cmd
}

// withLong gives a command its long help.
func withLong(cmd *cobra.Command, long string) *cobra.Command {
	cmd.Long = long
	return cmd
}

// oneBudgetID takes a budget's ID as the only argument.
func oneBudgetID(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give one budget ID, as `reckon budget list --scope S` shows; got %d arguments", len(args))
	}
	return nil
}

func newBudgetCreateCommand() *cobra.Command {
	var bf budgetFlags
	return apiCommand("create --scope S --name N --amount A [flags]", "Create a budget on a scope", cobra.NoArgs,
		func(cmd *cobra.Command) { bf.register(cmd, true) },
		func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
			body, err := bf.body(cmd, true)
			if err != nil {
				return err
			}
			return saveBudget(cmd, c, f, "POST", "/api/v1/budgets", body, "Created")
		})
}

func newBudgetEditCommand() *cobra.Command {
	var bf budgetFlags
	return apiCommand("edit ID [flags]", "Change a budget: the flags given replace its fields (--notify replaces every notification)", oneBudgetID,
		func(cmd *cobra.Command) { bf.register(cmd, false) },
		func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
			body, err := bf.body(cmd, false)
			if err != nil {
				return err
			}
			return saveBudget(cmd, c, f, "PATCH", "/api/v1/budgets/"+url.PathEscape(args[0]), body, "Changed")
		})
}

// saveBudget sends a new or changed budget and says what the server kept.
func saveBudget(cmd *cobra.Command, c *apiClient, f *clientFlags, method, path string, body *budgetBody, done string) error {
	var raw json.RawMessage
	if err := c.do(cmd.Context(), method, path, body, &raw); err != nil {
		return err
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), raw)
	}
	var b budgetView
	if err := json.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("the server at %s sent a budget this reckon cannot read: %w", c.server, err)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s budget %s, %q on %s: %s %s %s from %s to %s, %d notifications.\n", done, b.ID, printable(b.Name), b.Scope,
		moneyOf(b.Amount, b.Currency), b.Currency, b.TimeGrain, day(b.StartDate), day(b.EndDate), len(b.Notifications))
	if b.Error != "" {
		fmt.Fprintf(w, "It cannot be measured now: %s\n", b.Error)
	}
	return nil
}

// budgetBody is a budget as POST and PATCH /api/v1/budgets take it: the
// fields left empty are left out (PATCH keeps them).
type budgetBody struct {
	Scope     string      `json:"scope,omitempty"`
	Name      string      `json:"name,omitempty"`
	Amount    json.Number `json:"amount,omitempty"`
	Currency  string      `json:"currency,omitempty"`
	Measure   string      `json:"measure,omitempty"`
	TimeGrain string      `json:"timeGrain,omitempty"`
	StartDate string      `json:"startDate,omitempty"`
	EndDate   string      `json:"endDate,omitempty"`
	Filter    *string     `json:"filter,omitempty"`
	// Notifications is null to keep a budget's (PATCH), [] to drop them.
	Notifications []notificationBody `json:"notifications"`
}

// notificationBody is one notification as the API takes it.
type notificationBody struct {
	Name          string      `json:"name,omitempty"`
	Operator      string      `json:"operator"`
	Threshold     json.Number `json:"threshold"`
	ThresholdType string      `json:"thresholdType"`
	ContactEmails []string    `json:"contactEmails,omitempty"`
	ContactRoles  []string    `json:"contactRoles,omitempty"`
	Webhooks      []string    `json:"webhooks,omitempty"`
}

// budgetView is a budget as the API answers it, with where it stands.
// Amounts stay json.Numbers: exact, and printed as money.
type budgetView struct {
	ID            string
	Scope         string
	Name          string
	Amount        json.Number
	Currency      string
	Measure       string
	TimeGrain     string
	StartDate     time.Time
	EndDate       time.Time
	Filter        string
	Notifications []notificationView
	Created       time.Time
	CreatedBy     string
	Updated       time.Time
	UpdatedBy     string
	Status        *budgetStatus
	History       []periodSpend
	Error         string
}

type notificationView struct {
	Name          string
	Enabled       bool
	Operator      string
	Threshold     json.Number
	ThresholdType string
	ContactEmails []string
	ContactRoles  []string
	Webhooks      []string
}

type budgetStatus struct {
	Period   budgetPeriod
	Currency string
	Amount   json.Number
	Spent    json.Number
	Forecast json.Number
	Rates    []rateView
	Notes    []string
}

type budgetPeriod struct{ Start, End time.Time }

type periodSpend struct {
	Period budgetPeriod
	Spent  json.Number
}

func listBudgets(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
	scope, _ := cmd.Flags().GetString("scope")
	if scope == "" {
		return usageErrorf("--scope is required: the scope whose budgets to list")
	}
	var raw struct{ Value json.RawMessage }
	if err := c.do(cmd.Context(), "GET", "/api/v1/budgets?scope="+url.QueryEscape(scope), nil, &raw); err != nil {
		return err
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), raw.Value)
	}
	var budgets []budgetView
	if err := json.Unmarshal(raw.Value, &budgets); err != nil {
		return fmt.Errorf("the server at %s sent budgets this reckon cannot read: %w", c.server, err)
	}
	active, err := activeAlerts(cmd, c, scope)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tGRAIN\tAMOUNT\tSPENT\tFORECAST\tALERTS")
	var problems []string
	for _, b := range budgets {
		spent, forecast := "-", "-"
		if s := b.Status; s != nil {
			spent = moneyOf(s.Spent, b.Currency) + " (" + percentOf(s.Spent, b.Amount) + ")"
			forecast = moneyOf(s.Forecast, b.Currency) + " (" + percentOf(s.Forecast, b.Amount) + ")"
		}
		if b.Error != "" {
			spent, forecast = "?", "?"
			problems = append(problems, printable(b.Name)+": "+b.Error)
		}
		alerts := fmt.Sprintf("%d of %d", active[b.ID], len(b.Notifications))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s\t%s\t%s\n", b.ID, printable(b.Name), b.TimeGrain, moneyOf(b.Amount, b.Currency), b.Currency,
			spent, forecast, alerts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(w, "cannot measure "+p)
	}
	return nil
}

// activeAlerts counts the active alerts of each budget of the scope.
func activeAlerts(cmd *cobra.Command, c *apiClient, scope string) (map[string]int, error) {
	var res struct{ Value []alertView }
	q := url.Values{"scope": {scope}, "kind": {"budget"}, "state": {"active"}}
	if err := c.do(cmd.Context(), "GET", "/api/v1/alerts?"+q.Encode(), nil, &res); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, a := range res.Value {
		if a.Budget != nil {
			out[a.Budget.BudgetID]++
		}
	}
	return out, nil
}

func showBudget(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
	var raw json.RawMessage
	if err := c.do(cmd.Context(), "GET", "/api/v1/budgets/"+url.PathEscape(args[0]), nil, &raw); err != nil {
		return err
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), raw)
	}
	var b budgetView
	if err := json.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("the server at %s sent a budget this reckon cannot read: %w", c.server, err)
	}
	return printBudget(cmd.OutOrStdout(), &b)
}

// printBudget prints a budget's fields, its notifications, where it stands
// and its history, a bar to a period.
func printBudget(w io.Writer, b *budgetView) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	stamp := func(t time.Time, by string) string { return t.UTC().Format("2006-01-02 15:04 UTC") + " by " + by }
	fmt.Fprintf(tw, "ID\t%s\nName\t%s\nScope\t%s\nAmount\t%s %s %s\nMeasure\t%s\nPeriods\t%s to %s\n", b.ID, printable(b.Name), b.Scope,
		moneyOf(b.Amount, b.Currency), b.Currency, b.TimeGrain, b.Measure, day(b.StartDate), day(b.EndDate))
	if b.Filter != "" {
		fmt.Fprintf(tw, "Filter\t%s\n", printable(b.Filter))
	}
	fmt.Fprintf(tw, "Created\t%s\nUpdated\t%s\n", stamp(b.Created, b.CreatedBy), stamp(b.Updated, b.UpdatedBy))
	if s := b.Status; s != nil {
		fmt.Fprintf(tw, "This period\t%s to %s\n", day(s.Period.Start), day(s.Period.End.AddDate(0, 0, -1)))
		fmt.Fprintf(tw, "  spent\t%s %s, %s\n", moneyOf(s.Spent, b.Currency), b.Currency, percentOf(s.Spent, b.Amount))
		fmt.Fprintf(tw, "  forecast\t%s %s, %s\n", moneyOf(s.Forecast, b.Currency), b.Currency, percentOf(s.Forecast, b.Amount))
		for _, r := range s.Rates {
			fmt.Fprintf(tw, "  rate\t1 %s = %s %s (set %s)\n", r.From, plain(r.Rate), r.To, day(r.Updated))
		}
		for _, n := range s.Notes {
			fmt.Fprintf(tw, "  note\t%s\n", n)
		}
	}
	if b.Error != "" {
		fmt.Fprintf(tw, "Cannot measure\t%s\n", b.Error)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := printNotifications(w, b.Notifications); err != nil {
		return err
	}
	return printHistory(w, b)
}

func printNotifications(w io.Writer, ns []notificationView) error {
	if len(ns) == 0 {
		_, err := fmt.Fprintln(w, "\nNo notifications.")
		return err
	}
	fmt.Fprintln(w, "\nNotifications")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tWHEN\tENABLED\tCONTACTS")
	for _, n := range ns {
		var contacts []string
		for _, e := range n.ContactEmails {
			contacts = append(contacts, "email="+e)
		}
		for _, r := range n.ContactRoles {
			contacts = append(contacts, "role="+r)
		}
		for _, h := range n.Webhooks {
			contacts = append(contacts, "webhook="+h)
		}
		fmt.Fprintf(tw, "%s\t%s %s %s%%\t%t\t%s\n", printable(n.Name), n.ThresholdType, operatorSign(n.Operator), plain(n.Threshold), n.Enabled,
			printable(strings.Join(contacts, ", ")))
	}
	return tw.Flush()
}

// operatorSign is an operator as --notify writes it.
func operatorSign(op string) string {
	if op == "GreaterThanOrEqualTo" {
		return ">="
	}
	return ">"
}

func printHistory(w io.Writer, b *budgetView) error {
	if len(b.History) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nHistory")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PERIOD\tSPENT\t\t")
	for _, p := range b.History {
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t\n", periodName(p.Period, b.TimeGrain), moneyOf(p.Spent, b.Currency), b.Currency, bar(p.Spent, b.Amount))
	}
	return tw.Flush()
}

// periodName names a period: 2026-11 for a month, 2026-10 to 2026-12 for
// a longer one.
func periodName(p budgetPeriod, grain string) string {
	if grain == "Monthly" {
		return p.Start.UTC().Format("2006-01")
	}
	return p.Start.UTC().Format("2006-01") + " to " + p.End.UTC().AddDate(0, 0, -1).Format("2006-01")
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }
