package catalogtest

import (
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// budget is a monthly budget on the scope with every field set.
func budget(id string, scope cost.ScopeID, name, amount string) cost.Budget {
	return cost.Budget{ID: id, Scope: scope, Name: name, Amount: decimal.MustParse(amount), Currency: "USD",
		Measure: cost.MeasureEffective, TimeGrain: cost.GrainMonthly, StartDate: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		EndDate: time.Date(2036, 11, 1, 0, 0, 0, 0, time.UTC), Filter: `ServiceName = "Amazon EC2"`,
		Notifications: []cost.Notification{{Name: "Actual_GreaterThan_87.125_Percent", Enabled: true, Operator: cost.OpGreaterThan,
			Threshold: decimal.MustParse("87.125"), ThresholdType: cost.ThresholdActual, ContactEmails: []string{"finops@example.com"},
			ContactRoles: []cost.Role{cost.RoleOwner}, Webhooks: []string{}}},
		Created: at, CreatedBy: "carol@example.com", Updated: at, UpdatedBy: "carol@example.com"}
}

// alert is an alert of the kind with every field of its kind set.
func alert(id string, scope cost.ScopeID, kind cost.AlertKind, state cost.AlertState, key string, fired time.Time) cost.Alert {
	a := cost.Alert{ID: id, Kind: kind, Scope: scope, State: state, Key: key, Fired: fired, Updated: fired, Message: "m",
		Deliveries: []cost.Delivery{{Channel: "webhook", To: "https://hooks.example.com/x", Status: "failed", Attempts: 3,
			StatusCode: 503, Error: "e", Time: fired, Event: "fired"}}}
	if kind == cost.AlertBudget {
		a.Budget = &cost.BudgetAlert{BudgetID: "b-" + key, BudgetName: "monthly", Notification: "n",
			Period:   cost.BudgetPeriod{Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
			Operator: cost.OpGreaterThan, Threshold: decimal.MustParse("87.125"), ThresholdType: cost.ThresholdForecasted,
			Amount: decimal.MustParse("1234.567890123456789"), Currency: "USD", Spent: decimal.MustParse("-0.000000000000000001"),
			Forecast: decimal.MustParse("99999999999.999999999999999999"), Measure: cost.MeasureEffective, Filter: "ServiceName = S3",
			Rates: []cost.ExchangeRate{{From: "EUR", To: "USD", Rate: decimal.MustParse("1.082345678901234567"), Updated: fired}}}
		return a
	}
	a.Anomaly = &cost.AnomalyAlert{Date: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Dimension: "ServiceName", Value: "Amazon EC2",
		Type: "spike", Currency: "USD", Expected: decimal.MustParse("10.5"), Actual: decimal.MustParse("100.25"), Impact: decimal.MustParse("89.75"),
		Causes: []cost.AnomalyCause{{Dimension: "RegionId", Value: "us-east-1", Expected: decimal.MustParse("1.000000000000000001"),
			Actual: decimal.MustParse("2"), Impact: decimal.MustParse("0.999999999999999999")}}}
	return a
}

func budgetsOn(t *testing.T, c cost.Catalog, scope cost.ScopeID) []string {
	t.Helper()
	bs := read(t, c, func(r cost.CatalogReader) ([]cost.Budget, error) { return r.Budgets(t.Context(), scope) })
	var out []string
	for _, b := range bs {
		out = append(out, string(b.Scope)+" "+b.Name)
	}
	return out
}

var budgetTests = []test{
	{"a budget keeps every decimal and put again replaces the one with its ID", func(t *testing.T, c cost.Catalog) {
		b := budget(cost.NewBudgetID(), cost.RootGroup, "monthly", "1234.567890123456789")
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutBudget(t.Context(), b) })
		got, ok := found(t, c, func(r cost.CatalogReader) (cost.Budget, bool, error) { return r.Budget(t.Context(), b.ID) })
		check(t, "the budget", got, b)
		check(t, "found", ok, true)
		b.Amount, b.Name, b.Notifications = decimal.MustParse("-99999999999999999999.999999999999999999"), "renamed", nil
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutBudget(t.Context(), b) })
		got, _ = found(t, c, func(r cost.CatalogReader) (cost.Budget, bool, error) { return r.Budget(t.Context(), b.ID) })
		check(t, "the replaced budget", got, b)
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.Budget, bool, error) { return r.Budget(t.Context(), "none") }); ok {
			t.Error("an unknown budget was found")
		}
	}},
	{"budgets are listed by scope, then name regardless of case", func(t *testing.T, c cost.Catalog) {
		addScopes(t, c, cost.Scope{ID: payer})
		update(t, c, func(tx cost.CatalogTx) error {
			for _, b := range []cost.Budget{budget("1", cost.RootGroup, "Zeta", "1"), budget("2", payer, "monthly", "2"),
				budget("3", cost.RootGroup, "alpha", "3"), budget("4", cost.RootGroup, "Beta_2", "4"), budget("5", payer, "Annual", "5")} {
				must(t, tx.PutBudget(t.Context(), b))
			}
			return nil
		})
		check(t, "every budget", budgetsOn(t, c, ""), []string{"aws/billing/012345678901 Annual", "aws/billing/012345678901 monthly",
			"mg/root alpha", "mg/root Beta_2", "mg/root Zeta"})
		check(t, "the root's", budgetsOn(t, c, cost.RootGroup), []string{"mg/root alpha", "mg/root Beta_2", "mg/root Zeta"})
		check(t, "a scope with none", budgetsOn(t, c, acctA), []string(nil))
	}},
	{"budget names are unique per scope whatever the case", func(t *testing.T, c cost.Catalog) {
		save := func(b cost.Budget) error {
			return c.Update(t.Context(), func(tx cost.CatalogTx) error { _, err := cost.SaveBudget(t.Context(), tx, b); return err })
		}
		first := budget(cost.NewBudgetID(), cost.RootGroup, "monthly", "10")
		must(t, save(first))
		code(t, "another budget of the name in capitals", save(budget(cost.NewBudgetID(), cost.RootGroup, "MONTHLY", "10")), cost.EConflict)
		code(t, "a budget on an unknown scope", save(budget(cost.NewBudgetID(), payer, "monthly", "10")), cost.ENotFound)
		first.Name = "Monthly"
		code(t, "the budget saved again", save(first), "")
		check(t, "the budgets", budgetsOn(t, c, ""), []string{"mg/root Monthly"})
	}},
	{"deleting a budget reports whether there was one and leaves its alerts", func(t *testing.T, c cost.Catalog) {
		b := budget(cost.NewBudgetID(), cost.RootGroup, "monthly", "10")
		a := alert(cost.NewAlertID(), cost.RootGroup, cost.AlertBudget, cost.AlertActive, "budget/x", at)
		a.Budget.BudgetID = b.ID
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, tx.PutBudget(t.Context(), b))
			return tx.PutAlert(t.Context(), a)
		})
		var first, again bool
		update(t, c, func(tx cost.CatalogTx) (err error) {
			first, err = tx.DeleteBudget(t.Context(), b.ID)
			must(t, err)
			again, err = tx.DeleteBudget(t.Context(), b.ID)
			return err
		})
		if !first || again {
			t.Errorf("deleted %v, then again %v; want true, then false", first, again)
		}
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Alert, error) {
			return r.Alerts(t.Context(), cost.AlertFilter{Budget: b.ID})
		})
		check(t, "the budget's alerts", got, []cost.Alert{a})
	}},
	{"an alert keeps every decimal, its key and its deliveries", func(t *testing.T, c cost.Catalog) {
		resolved := at.Add(time.Hour)
		ba := alert(cost.NewAlertID(), cost.RootGroup, cost.AlertBudget, cost.AlertResolved, "budget/x/n/2026-10-01", at)
		ba.Resolved, ba.Updated = &resolved, resolved
		an := alert(cost.NewAlertID(), cost.RootGroup, cost.AlertAnomaly, cost.AlertDismissed, "anomaly/x", at)
		an.Dismissed, an.DismissedBy, an.Deliveries = &resolved, "carol", []cost.Delivery{}
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, tx.PutAlert(t.Context(), ba))
			return tx.PutAlert(t.Context(), an)
		})
		for _, want := range []cost.Alert{ba, an} {
			got, ok := found(t, c, func(r cost.CatalogReader) (cost.Alert, bool, error) { return r.Alert(t.Context(), want.ID) })
			check(t, "the "+string(want.Kind)+" alert", got, want)
			check(t, "found", ok, true)
		}
	}},
	{"alerts are selected by the filter, the latest fired first", testAlertFilters},
	{"anomaly subscriptions are listed by scope and name", testSubscriptions},
	{"exchange rates keep every decimal and are listed by From and To", testRates},
}

func testAlertFilters(t *testing.T, c cost.Catalog) {
	hour := func(h int) time.Time { return at.Add(time.Duration(h) * time.Hour) }
	as := []cost.Alert{
		alert("0000000000000001", cost.RootGroup, cost.AlertBudget, cost.AlertActive, "k1", hour(1)),
		alert("0000000000000002", payer, cost.AlertBudget, cost.AlertResolved, "k2", hour(3)),
		alert("0000000000000003", cost.RootGroup, cost.AlertAnomaly, cost.AlertActive, "k3", hour(2)),
		alert("0000000000000004", cost.RootGroup, cost.AlertAnomaly, cost.AlertDismissed, "k4", hour(5)),
		alert("0000000000000005", payer, cost.AlertBudget, cost.AlertActive, "k5", hour(4)),
	}
	as[4].Budget.BudgetID = as[0].Budget.BudgetID
	update(t, c, func(tx cost.CatalogTx) error {
		for _, a := range as {
			must(t, tx.PutAlert(t.Context(), a))
		}
		return nil
	})
	for _, tt := range []struct {
		name string
		f    cost.AlertFilter
		want []string // the IDs' last digits
	}{
		{"every alert", cost.AlertFilter{}, []string{"4", "5", "2", "3", "1"}},
		{"a scope's", cost.AlertFilter{Scope: payer}, []string{"5", "2"}},
		{"a kind's", cost.AlertFilter{Kind: cost.AlertAnomaly}, []string{"4", "3"}},
		{"a state's", cost.AlertFilter{State: cost.AlertActive}, []string{"5", "3", "1"}},
		{"a key's", cost.AlertFilter{Key: "k3"}, []string{"3"}},
		{"a budget's", cost.AlertFilter{Budget: as[0].Budget.BudgetID}, []string{"5", "1"}},
		{"those fired since a time, which it includes", cost.AlertFilter{Since: hour(3)}, []string{"4", "5", "2"}},
		{"the newest two", cost.AlertFilter{Limit: 2}, []string{"4", "5"}},
		{"the newest active one on the root", cost.AlertFilter{Scope: cost.RootGroup, State: cost.AlertActive, Limit: 1}, []string{"3"}},
		{"none", cost.AlertFilter{Key: "k9"}, nil},
	} {
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Alert, error) { return r.Alerts(t.Context(), tt.f) })
		var ids []string
		for _, a := range got {
			ids = append(ids, a.ID[len(a.ID)-1:])
		}
		check(t, tt.name, ids, tt.want)
	}
	// A changed alert is selected by what it is now.
	as[0].State, as[0].Updated = cost.AlertDismissed, hour(6)
	update(t, c, func(tx cost.CatalogTx) error { return tx.PutAlert(t.Context(), as[0]) })
	got := read(t, c, func(r cost.CatalogReader) ([]cost.Alert, error) {
		return r.Alerts(t.Context(), cost.AlertFilter{State: cost.AlertDismissed})
	})
	check(t, "the dismissed alerts after a change", got, []cost.Alert{as[3], as[0]})
}

func testSubscriptions(t *testing.T, c cost.Catalog) {
	sub := func(id string, scope cost.ScopeID, name string) cost.AnomalySubscription {
		return cost.AnomalySubscription{ID: id, Scope: scope, Name: name, MinImpact: decimal.MustParse("25.000000000000000005"),
			ContactEmails: []string{"finops@example.com"}, ContactRoles: []cost.Role{}, Webhooks: []string{"https://hooks.example.com/a"},
			Created: at, CreatedBy: "carol@example.com"}
	}
	subs := []cost.AnomalySubscription{sub("1", cost.RootGroup, "shop"), sub("2", payer, "team"), sub("3", cost.RootGroup, "ops"),
		sub("4", payer, "all")}
	update(t, c, func(tx cost.CatalogTx) error {
		for _, s := range subs {
			must(t, tx.PutAnomalySubscription(t.Context(), s))
		}
		return nil
	})
	all := read(t, c, func(r cost.CatalogReader) ([]cost.AnomalySubscription, error) {
		return r.AnomalySubscriptions(t.Context(), "")
	})
	check(t, "every subscription", all, []cost.AnomalySubscription{subs[3], subs[1], subs[2], subs[0]})
	subs[2].Name, subs[2].MinImpact = "zz-ops", decimal.MustParse("0.000000000000000001")
	var first, again bool
	update(t, c, func(tx cost.CatalogTx) (err error) {
		must(t, tx.PutAnomalySubscription(t.Context(), subs[2]))
		first, err = tx.DeleteAnomalySubscription(t.Context(), "1")
		must(t, err)
		again, err = tx.DeleteAnomalySubscription(t.Context(), "1")
		return err
	})
	if !first || again {
		t.Errorf("deleted %v, then again %v; want true, then false", first, again)
	}
	root := read(t, c, func(r cost.CatalogReader) ([]cost.AnomalySubscription, error) {
		return r.AnomalySubscriptions(t.Context(), cost.RootGroup)
	})
	check(t, "the root's subscriptions", root, []cost.AnomalySubscription{subs[2]})
}

func testRates(t *testing.T, c cost.Catalog) {
	rate := func(from, to, r string) cost.ExchangeRate {
		return cost.ExchangeRate{From: from, To: to, Rate: decimal.MustParse(r), Updated: at}
	}
	update(t, c, func(tx cost.CatalogTx) error {
		for _, r := range []cost.ExchangeRate{rate("USD", "EUR", "0.923456789012345678"), rate("EUR", "USD", "1.082345678901234567"),
			rate("EUR", "GBP", "0.85"), rate("GBP", "EUR", "1.17")} {
			must(t, tx.PutExchangeRate(t.Context(), r))
		}
		return nil
	})
	got := read(t, c, func(r cost.CatalogReader) (cost.Rates, error) { return r.ExchangeRates(t.Context()) })
	check(t, "the rates", got, cost.Rates{rate("EUR", "GBP", "0.85"), rate("EUR", "USD", "1.082345678901234567"),
		rate("GBP", "EUR", "1.17"), rate("USD", "EUR", "0.923456789012345678")})
	changed := rate("EUR", "USD", "99999999999999999999.999999999999999999")
	changed.Updated = at.Add(time.Hour)
	var first, again bool
	update(t, c, func(tx cost.CatalogTx) (err error) {
		must(t, tx.PutExchangeRate(t.Context(), changed))
		first, err = tx.DeleteExchangeRate(t.Context(), "GBP", "EUR")
		must(t, err)
		again, err = tx.DeleteExchangeRate(t.Context(), "GBP", "EUR")
		return err
	})
	if !first || again {
		t.Errorf("deleted %v, then again %v; want true, then false", first, again)
	}
	got = read(t, c, func(r cost.CatalogReader) (cost.Rates, error) { return r.ExchangeRates(t.Context()) })
	check(t, "the rates after a change and a deletion", got, cost.Rates{rate("EUR", "GBP", "0.85"), changed,
		rate("USD", "EUR", "0.923456789012345678")})
}
