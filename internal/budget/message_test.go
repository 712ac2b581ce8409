package budget_test

import (
	"context"
	"encoding/json"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// linkIn returns the URL that follows prefix on a line of text.
func linkIn(t *testing.T, text, prefix string) *url.URL {
	t.Helper()
	for line := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			u, err := url.Parse(strings.TrimSpace(rest))
			must(t, err)
			return u
		}
	}
	t.Fatalf("no line %q in\n%s", prefix, text)
	return nil
}

// percentOf writes v×100/of with one decimal place.
func percentOf(t *testing.T, v decimal.Decimal, of string) string {
	return new(big.Rat).Quo(new(big.Rat).Mul(rat(t, v.String()), big.NewRat(100, 1)), rat(t, of)).FloatString(1) + "%"
}

func TestTheAlertMessage(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "612.34"))
	b := atFull(oct)
	b.Name = "platform-monthly"
	b.Notifications[0].Operator, b.Notifications[0].Threshold = cost.OpGreaterThan, decimal.FromInt(50)
	b = saveBudget(t, store, b)
	now := day(2026, 10, 20).Add(6*time.Hour + 30*time.Minute)
	clk := &clock{t: now}
	rec := &recorder{clock: clk}
	must(t, newEvaluator(store, clk, rec, nil).Evaluate(ctx))
	got := rec.take()
	mail, hooks := emails(got), webhooks(got)
	if len(mail) != 1 || len(hooks) != 1 || mail[0].To != "finops@example.com" || hooks[0].To != "https://hooks.example.com/reckon" {
		t.Fatalf("sent %+v, want one email to finops@example.com and one webhook", got)
	}
	a, ok := alertOf(t, store, b, "Actual_GreaterThan_50_Percent", oct)
	if !ok {
		t.Fatal("no alert")
	}
	forecast := a.Budget.Forecast.Fixed(2) + " USD (" + percentOf(t, a.Budget.Forecast, "1000") + ") by the period's end"

	t.Run("the subject names the budget, the scope, the share spent, the amount and the threshold", func(t *testing.T) {
		want := "Reckon budget alert: platform-monthly on aws/billing/111122223333 at 61.2% of 1000.00 USD (Actual > 50%)"
		if mail[0].Email.Subject != want {
			t.Errorf("subject %q\nwant    %q", mail[0].Email.Subject, want)
		}
	})
	t.Run("the text says what happened and gives the figures", func(t *testing.T) {
		text := mail[0].Email.Text
		for _, want := range []string{
			"Budget platform-monthly on aws/billing/111122223333: the cost so far of the period from 2026-10-01 is 612.34 USD, 61.2% of 1000.00 USD, above the 50% threshold.\n",
			"Budget:        platform-monthly\n",
			"Scope:         aws/billing/111122223333\n",
			"Period:        2026-10-01 to 2026-10-31\n",
			"Amount:        1000.00 USD (BilledCost)\n",
			"Threshold:     Actual cost above 50% of the amount (500.00 USD)\n",
			"Spent:         612.34 USD (61.2%)\n",
			"Forecast:      " + forecast + "\n",
			"Budgets:       https://reckon.example.com/budgets?scope=aws%2Fbilling%2F111122223333\n",
			"Alert " + a.ID + ", fired 2026-10-20 06:30 UTC.\n",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the text does not say %q:\n%s", want, text)
			}
		}
		if a.Message+".\n" != strings.SplitAfter(text, "\n")[0] {
			t.Errorf("the text does not start with the alert's message %q", a.Message)
		}
	})
	t.Run("the text links to the cost analysis of the scope over the period", func(t *testing.T) {
		u := linkIn(t, mail[0].Email.Text, "Cost analysis: ")
		q := u.Query()
		if u.Scheme != "https" || u.Host != "reckon.example.com" || u.Path != "/analysis" || q.Get("scope") != string(billing) ||
			q.Get("preset") != "custom" || q.Get("from") != "2026-10-01" || q.Get("to") != "2026-10-31" || len(q) != 4 {
			t.Errorf("link %s", u)
		}
	})
	t.Run("the webhook posts the alert as JSON with its event and link", func(t *testing.T) {
		var raw map[string]json.RawMessage
		must(t, json.Unmarshal(hooks[0].Body, &raw))
		p := hooks[0].Payload
		if string(raw["type"]) != `"budget.alert"` || p.Event != "fired" || p.Alert.ID != a.ID || p.Alert.State != cost.AlertActive ||
			p.Alert.Kind != cost.AlertBudget || p.Alert.Scope != billing || p.Alert.Message != a.Message {
			t.Errorf("payload %s", hooks[0].Body)
		}
		ba := p.Alert.Budget
		if ba == nil || ba.BudgetID != b.ID || ba.BudgetName != b.Name || ba.Notification != "Actual_GreaterThan_50_Percent" ||
			!equalRat(t, ba.Spent, rat(t, "612.34")) || ba.Amount.Cmp(decimal.FromInt(1000)) != 0 || ba.Threshold.Cmp(decimal.FromInt(50)) != 0 ||
			ba.Forecast.Cmp(a.Budget.Forecast) != 0 || !ba.Period.Start.Equal(oct) || !ba.Period.End.Equal(day(2026, 11, 1)) {
			t.Errorf("the payload's budget %+v", ba)
		}
		if !strings.Contains(string(hooks[0].Body), `"spent":612.34`) {
			t.Errorf("the spent is not an exact JSON number: %s", hooks[0].Body)
		}
		if p.Link != linkIn(t, mail[0].Email.Text, "Cost analysis: ").String() {
			t.Errorf("the webhook's link %s is not the email's", p.Link)
		}
	})
	t.Run("the alert records each delivery", func(t *testing.T) {
		var got []string
		for _, d := range a.Deliveries {
			got = append(got, d.Channel+" "+d.To+" "+d.Status+" "+d.Event)
			if !d.Time.Equal(now) {
				t.Errorf("delivery at %s", d.Time)
			}
		}
		if want := []string{"email finops@example.com delivered fired", "webhook https://hooks.example.com/reckon delivered fired"}; !slices.Equal(got, want) {
			t.Errorf("deliveries %q, want %q", got, want)
		}
	})
	t.Run("without a base URL the email has no links", func(t *testing.T) {
		store, _ := newStore(t)
		deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "612.34"))
		saveBudget(t, store, b)
		rec := &recorder{clock: clk}
		must(t, evaluatorAt(store, clk, rec, nil, "").Evaluate(ctx))
		got := rec.take()
		if len(got) != 2 {
			t.Fatalf("sent %d, want an email and a webhook", len(got))
		}
		for _, s := range got {
			if strings.Contains(s.Email.Text, "http") || s.Payload.Link != "" {
				t.Errorf("a link without a base URL: %+v", s)
			}
		}
	})
}

func TestRoleRecipients(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) error {
		for _, a := range []cost.Assignment{
			{User: "reader@example.com", Role: cost.RoleReader, Scope: linked},
			{User: "dev@example.com", Role: cost.RoleContributor, Scope: linked},
			{User: "owner@example.com", Role: cost.RoleOwner, Scope: linked},
			{User: "lead@example.com", Role: cost.RoleContributor, Scope: "mg/platform"}, // inherited by the account
			{User: "mixed@example.com", Role: cost.RoleReader, Scope: linked},
			{User: "mixed@example.com", Role: cost.RoleContributor, Scope: "mg/platform"},
			{User: "payer@example.com", Role: cost.RoleContributor, Scope: billing}, // not the account's
			{User: "ana", Role: cost.RoleContributor, Scope: linked},                // no address
		} {
			if err := tx.PutUser(ctx, cost.User{Name: a.User, Created: oct}); err != nil {
				return err
			}
			if err := tx.AddAssignment(ctx, a); err != nil {
				return err
			}
		}
		return tx.PutUser(ctx, cost.User{Name: "stranger@example.com", Created: oct})
	})
	var charges []charge
	for d := oct; d.Before(day(2026, 10, 20)); d = d.AddDate(0, 0, 1) {
		charges = append(charges, charge{Day: d, Account: member, Service: "Amazon Elastic Compute Cloud", Amount: "40.00"},
			charge{Day: d, Account: payer, Service: "Amazon Simple Storage Service", Amount: "40.00"})
	}
	deliver(t, store, oct, "v1", charges)
	clk := &clock{t: day(2026, 10, 20).Add(6 * time.Hour)}
	for _, c := range []struct {
		name   string
		scope  cost.ScopeID
		roles  []cost.Role
		emails []string
		want   []string
	}{
		{"Contributors of a linked account are its own, those of the group above it, and the strongest role counts", linked,
			[]cost.Role{cost.RoleContributor}, nil, []string{"dev@example.com", "lead@example.com", "mixed@example.com"}},
		{"a contact email who is also a Contributor is told once", linked,
			[]cost.Role{cost.RoleContributor}, []string{"dev@example.com"}, []string{"dev@example.com", "lead@example.com", "mixed@example.com"}},
		{"Readers and Owners are the users whose strongest role is one of them", linked,
			[]cost.Role{cost.RoleOwner, cost.RoleReader}, nil, []string{"owner@example.com", "reader@example.com"}},
		{"a billing account's Contributors are its own: the group's do not reach it", billing,
			[]cost.Role{cost.RoleContributor}, nil, []string{"payer@example.com"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := atFull(oct)
			b.Scope, b.Amount = c.scope, decimal.FromInt(500)
			b.Notifications[0].ContactEmails, b.Notifications[0].Webhooks, b.Notifications[0].ContactRoles = c.emails, nil, c.roles
			b = saveBudget(t, store, b)
			defer change(t, store, func(ctx context.Context, tx cost.CatalogTx) error { _, err := tx.DeleteBudget(ctx, b.ID); return err })
			rec := &recorder{clock: clk}
			must(t, newEvaluator(store, clk, rec, nil).Evaluate(ctx))
			var got []string
			for _, s := range rec.take() {
				if s.Channel != "email" || !strings.Contains(s.Email.Subject, string(c.scope)) {
					t.Errorf("sent %s to %s: %s", s.Channel, s.To, s.Email.Subject)
				}
				got = append(got, s.To)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("mailed %v, want %v", got, c.want)
			}
		})
	}
}

func TestTheLinksOfAFilteredAmortizedBudget(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "1612.34"))
	b := atFull(oct)
	b.Measure, b.Filter = cost.MeasureEffective, `ServiceName = "Amazon Elastic Compute Cloud"`
	b = saveBudget(t, store, b)
	clk := &clock{t: day(2026, 10, 20).Add(6 * time.Hour)}
	rec := &recorder{clock: clk}
	must(t, newEvaluator(store, clk, rec, nil).Evaluate(ctx))
	got := rec.take()
	if len(got) != 2 {
		t.Fatalf("sent %d, want an email and a webhook", len(got))
	}
	mail, hook := emails(got)[0], webhooks(got)[0]
	link := linkIn(t, mail.Email.Text, "Cost analysis: ")
	t.Run("the email's link shows the budget's filter, amortized", func(t *testing.T) {
		if q := link.Query(); q.Get("filter") != b.Filter || q.Get("type") != "amortized" || q.Get("from") != "2026-10-01" {
			t.Errorf("link %s", link)
		}
		if !strings.Contains(mail.Email.Text, "Filter:        "+b.Filter+"\n") || !strings.Contains(mail.Email.Text, "(EffectiveCost)") {
			t.Errorf("the text does not give the filter and measure:\n%s", mail.Email.Text)
		}
	})
	t.Run("the webhook's link is the email's", func(t *testing.T) {
		if hook.Payload.Link != link.String() {
			t.Errorf("webhook link %s\nemail link   %s", hook.Payload.Link, link)
		}
	})
}
