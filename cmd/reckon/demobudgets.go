package main

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"text/tabwriter"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The demo's budgets, set up through the API so that a new user sees
// alerts at once: one on the production group (AWS in USD beside Azure in
// EUR, converted at a demo rate) already past 90% of its amount, one on
// the development subscription forecast to pass its amount but not there
// yet, and a subscription to the production group's anomalies. Their
// amounts come from this month's cost so far, so the same alerts fire
// whatever day the demo runs.

// demoRate is the demo's EUR to USD exchange rate.
const demoRate = "1.08"

type demoBudget struct {
	name     string
	scope    cost.ScopeID
	currency string
	// amount returns the amount from the scope's cost so far and forecast
	// this month.
	amount        func(spent, forecast *big.Rat) *big.Rat
	notifications []map[string]any
}

func notification(typ, op string, threshold int) map[string]any {
	return map[string]any{"thresholdType": typ, "operator": op, "threshold": threshold, "contactRoles": []string{"Owner", "Contributor"}}
}

var demoBudgets = []demoBudget{
	{name: "production-monthly", scope: demoProduction, currency: "USD",
		// the cost so far is 95% of it
		amount: func(spent, _ *big.Rat) *big.Rat { return new(big.Rat).Quo(spent, big.NewRat(95, 100)) },
		notifications: []map[string]any{notification("Actual", "GreaterThan", 50), notification("Actual", "GreaterThan", 90),
			notification("Actual", "GreaterThanOrEqualTo", 100), notification("Forecasted", "GreaterThan", 100)}},
	{name: "development-monthly", currency: "EUR", // on the development subscription
		// halfway between the cost so far and the forecast
		amount: func(spent, forecast *big.Rat) *big.Rat {
			return new(big.Rat).Mul(new(big.Rat).Add(spent, forecast), big.NewRat(1, 2))
		},
		notifications: []map[string]any{notification("Actual", "GreaterThanOrEqualTo", 100), notification("Forecasted", "GreaterThan", 100)}},
}

// budgets sets the rate, creates the budgets (a re-run finds them there)
// and subscribes the production group's Owners to its anomalies.
func (d *demoOrg) budgets(ctx context.Context, alerts *budget.Evaluator, now time.Time) error {
	if err := d.api.do(ctx, "PUT", "/api/v1/exchangeRates", map[string]string{"from": "EUR", "to": "USD", "rate": demoRate}, nil); err != nil {
		return fmt.Errorf("set the demo's exchange rate: %w", err)
	}
	rates := cost.Rates{{From: "EUR", To: "USD", Rate: decimal.MustParse(demoRate)}}
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, b := range demoBudgets {
		if b.scope == "" {
			b.scope = cost.ScopeID("azure/subscriptions/" + d.azure.Subscriptions[1].ID)
		}
		probe := cost.Budget{Scope: b.scope, Amount: decimal.FromInt(1), Currency: b.currency, Measure: cost.MeasureBilled,
			TimeGrain: cost.GrainMonthly, StartDate: month, EndDate: month.AddDate(1, 0, 0)}
		p, _ := probe.PeriodAt(now)
		st, err := budget.Measure(ctx, alerts.Query, rates, &probe, p, now)
		if err != nil {
			return fmt.Errorf("measure %s for the demo's budget: %w", b.scope, err)
		}
		amount := b.amount(ratOf(st.Spent), ratOf(st.Forecast)).FloatString(0)
		body := map[string]any{"scope": b.scope, "name": b.name, "amount": amount, "currency": b.currency, "timeGrain": "Monthly",
			"startDate": month.AddDate(0, -2, 0).Format(time.DateOnly), "notifications": b.notifications}
		if err := d.api.do(ctx, "POST", "/api/v1/budgets", body, nil); !conflict(err) {
			return fmt.Errorf("create the demo's budget %s: %w", b.name, err)
		}
	}
	sub := map[string]any{"scope": demoProduction, "name": "production-anomalies", "contactRoles": []string{"Owner"}}
	if err := d.api.do(ctx, "POST", "/api/v1/anomalySubscriptions", sub, nil); !conflict(err) {
		return fmt.Errorf("subscribe to the demo's anomalies: %w", err)
	}
	return alerts.Evaluate(ctx)
}

// printDemoAlerts prints the alerts the demo's evaluation raised.
func printDemoAlerts(ctx context.Context, out io.Writer, c *apiClient) error {
	var res struct {
		Value []cost.Alert `json:"value"`
	}
	if err := c.do(ctx, "GET", "/api/v1/alerts?state=active", nil, &res); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nActive alerts (budgets and anomalies), for the web UI's Budgets page and `reckon alert list`:\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, a := range res.Value {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.ID, a.Kind, a.Message)
	}
	return tw.Flush()
}

// ratOf is a decimal as a fraction.
func ratOf(d decimal.Decimal) *big.Rat {
	return new(big.Rat).SetFrac(d.BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil))
}
