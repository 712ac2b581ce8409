package budget

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Notifier sends what the evaluator has to tell: an email to one address,
// and a JSON body POSTed to a webhook, signed and retried, whose delivery
// it reports.
type Notifier interface {
	Email(ctx context.Context, to string, m Email) error
	Post(ctx context.Context, url string, body []byte) cost.Delivery
}

// Email is a notification's subject and plain-text body.
type Email struct {
	Subject string
	Text    string
}

// percent returns v×100/of with one decimal place, as text; "-" when of
// is zero.
func percent(v, of decimal.Decimal) string {
	if of.IsZero() {
		return "-"
	}
	r := new(big.Rat).SetFrac(new(big.Int).Mul(v.BigInt(), big.NewInt(100)), of.BigInt())
	return r.FloatString(1) + "%"
}

// threshold writes a percent threshold without needless zeros: 90, 92.5.
func threshold(d decimal.Decimal) string {
	t := d.Fixed(6)
	t = strings.TrimRight(t, "0")
	return strings.TrimSuffix(t, ".")
}

// money writes an amount with two decimal places and its currency.
func money(v decimal.Decimal, currency string) string { return v.Fixed(2) + " " + currency }

// budgetMessage says what an alert of a notification saw, in a sentence.
func budgetMessage(b *cost.Budget, n *cost.Notification, a *cost.BudgetAlert, state cost.AlertState) string {
	what, v := "cost so far", a.Spent
	if n.ThresholdType == cost.ThresholdForecasted {
		what, v = "forecast cost", a.Forecast
	}
	where := operatorWords(n.Operator) + " the " + threshold(n.Threshold) + "% threshold"
	if state == cost.AlertResolved {
		where = "back under the " + threshold(n.Threshold) + "% threshold"
	}
	return fmt.Sprintf("Budget %s on %s: the %s of the period from %s is %s, %s of %s, %s", b.Name, b.Scope, what,
		a.Period.Start.Format(time.DateOnly), money(v, a.Currency), percent(v, a.Amount), money(a.Amount, a.Currency), where)
}

// analysisLink is the web UI's cost analysis of the scope over the days
// from..to (to exclusive), under a filter; "" without a base URL.
func analysisLink(base string, scope cost.ScopeID, from, to time.Time, filter string, amortized bool) string {
	if base == "" {
		return ""
	}
	p := url.Values{}
	p.Set("scope", string(scope))
	p.Set("preset", "custom")
	p.Set("from", from.Format(time.DateOnly))
	p.Set("to", to.AddDate(0, 0, -1).Format(time.DateOnly))
	if filter != "" {
		p.Set("filter", filter)
	}
	if amortized {
		p.Set("type", "amortized")
	}
	return strings.TrimRight(base, "/") + "/analysis?" + p.Encode()
}

// budgetEmail is the email of a fired budget alert.
func budgetEmail(base string, b *cost.Budget, a *cost.Alert) Email {
	ba := a.Budget
	var t strings.Builder
	fmt.Fprintf(&t, "%s.\n\n", a.Message)
	line := func(k, v string) { fmt.Fprintf(&t, "%-14s %s\n", k+":", v) }
	line("Budget", b.Name)
	line("Scope", string(b.Scope))
	line("Period", ba.Period.Start.Format(time.DateOnly)+" to "+ba.Period.End.AddDate(0, 0, -1).Format(time.DateOnly))
	line("Amount", money(ba.Amount, ba.Currency)+" ("+string(b.Measure)+")")
	line("Threshold", fmt.Sprintf("%s cost %s %s%% of the amount (%s)", ba.ThresholdType, operatorWords(ba.Operator), threshold(ba.Threshold),
		money(ba.Amount.Mul(ba.Threshold).Mul(decimal.MustParse("0.01")), ba.Currency)))
	line("Spent", money(ba.Spent, ba.Currency)+" ("+percent(ba.Spent, ba.Amount)+")")
	line("Forecast", money(ba.Forecast, ba.Currency)+" ("+percent(ba.Forecast, ba.Amount)+") by the period's end")
	for _, r := range ba.Rates {
		line("Rate", fmt.Sprintf("1 %s = %s %s (set %s)", r.From, r.Rate, r.To, r.Updated.Format(time.DateOnly)))
	}
	if b.Filter != "" {
		line("Filter", b.Filter)
	}
	if link := analysisLink(base, b.Scope, ba.Period.Start, ba.Period.End, b.Filter, b.Measure == cost.MeasureEffective); link != "" {
		fmt.Fprintf(&t, "\nCost analysis: %s\n", link)
		fmt.Fprintf(&t, "Budgets:       %s/budgets?scope=%s\n", strings.TrimRight(base, "/"), url.QueryEscape(string(b.Scope)))
	}
	fmt.Fprintf(&t, "\nAlert %s, fired %s UTC.\n", a.ID, a.Fired.Format("2006-01-02 15:04"))
	subject := fmt.Sprintf("Reckon budget alert: %s on %s at %s of %s (%s %s %s%%)", b.Name, b.Scope,
		percent(thresholdValue(ba), ba.Amount), money(ba.Amount, ba.Currency), ba.ThresholdType, operatorSign(ba.Operator), threshold(ba.Threshold))
	return Email{Subject: subject, Text: t.String()}
}

func thresholdValue(a *cost.BudgetAlert) decimal.Decimal {
	if a.ThresholdType == cost.ThresholdForecasted {
		return a.Forecast
	}
	return a.Spent
}

func operatorWords(op cost.Operator) string {
	if op == cost.OpGreaterThanOrEqualTo {
		return "at or above"
	}
	return "above"
}

func operatorSign(op cost.Operator) string {
	if op == cost.OpGreaterThanOrEqualTo {
		return "≥"
	}
	return ">"
}

// webhookPayload is the JSON a webhook receives.
type webhookPayload struct {
	Type  string      `json:"type"`  // budget.alert or anomaly.alert
	Event string      `json:"event"` // fired or refired
	Alert *cost.Alert `json:"alert"`
	Link  string      `json:"link,omitempty"` // the cost analysis view of the alert
}

// webhookBody is the JSON POSTed to a webhook for an alert.
func webhookBody(base string, a *cost.Alert, event string) ([]byte, error) {
	p := webhookPayload{Type: string(a.Kind) + ".alert", Event: event, Alert: a}
	switch {
	case a.Budget != nil:
		p.Link = analysisLink(base, a.Scope, a.Budget.Period.Start, a.Budget.Period.End, "", false)
	case a.Anomaly != nil:
		p.Link = analysisLink(base, a.Scope, a.Anomaly.Date.AddDate(0, 0, -14), a.Anomaly.Date.AddDate(0, 0, 1), anomalyFilter(a.Anomaly), true)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("write the webhook body of alert %s: %w", a.ID, err)
	}
	return body, nil
}

// anomalyFilter is the filter that shows an anomaly's series.
func anomalyFilter(a *cost.AnomalyAlert) string {
	if a.Dimension == "" {
		return ""
	}
	return a.Dimension + " = " + quoteValue(a.Value)
}

// quoteValue writes a value in the query language's double quotes.
func quoteValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// anomalyEmail is the email of an anomaly alert.
func anomalyEmail(base string, a *cost.Alert) Email {
	an := a.Anomaly
	var t strings.Builder
	fmt.Fprintf(&t, "%s.\n\n", a.Message)
	line := func(k, v string) { fmt.Fprintf(&t, "%-14s %s\n", k+":", v) }
	line("Scope", string(a.Scope))
	if an.Dimension != "" {
		line(an.Dimension, an.Value)
	}
	line("Day", an.Date.Format(time.DateOnly))
	line("Expected", money(an.Expected, an.Currency))
	line("Actual", money(an.Actual, an.Currency))
	line("Impact", sign(an.Impact)+money(an.Impact, an.Currency)+" ("+percent(an.Impact, an.Expected)+")")
	if len(an.Causes) > 0 {
		fmt.Fprintf(&t, "\nWhat moved the most that day (amortized cost):\n")
		for _, c := range an.Causes {
			fmt.Fprintf(&t, "  %-12s %-40s %s (expected %s)\n", c.Dimension, c.Value, sign(c.Impact)+money(c.Impact, an.Currency), money(c.Expected, an.Currency))
		}
	}
	if link := analysisLink(base, a.Scope, an.Date.AddDate(0, 0, -14), an.Date.AddDate(0, 0, 1), anomalyFilter(an), true); link != "" {
		fmt.Fprintf(&t, "\nCost analysis: %s\n", link)
	}
	fmt.Fprintf(&t, "\nAlert %s, found %s UTC.\n", a.ID, a.Fired.Format("2006-01-02 15:04"))
	what := string(a.Scope)
	if an.Dimension != "" {
		what = an.Value + " on " + what
	}
	return Email{Subject: fmt.Sprintf("Reckon cost anomaly: %s on %s, %s%s", what, an.Date.Format(time.DateOnly), sign(an.Impact), money(an.Impact, an.Currency)), Text: t.String()}
}
