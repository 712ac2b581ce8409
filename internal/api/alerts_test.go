package api

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// putAlerts puts alerts in the catalog as the evaluator would, the first
// fired latest; it returns their IDs.
func putAlerts(t *testing.T, h *harness, alerts ...cost.Alert) []string {
	t.Helper()
	var ids []string
	fired := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		for i, a := range alerts {
			a.ID, a.Key = cost.NewAlertID(), fmt.Sprintf("test/%d", i)
			a.Fired = fired.Add(-time.Duration(i) * time.Hour)
			a.Updated, a.Message, a.Deliveries = a.Fired, fmt.Sprintf("alert %d on %s", i, a.Scope), []cost.Delivery{}
			if a.State == cost.AlertResolved {
				a.Resolved = &a.Updated
			}
			must(t, tx.PutAlert(ctx, a))
			ids = append(ids, a.ID)
		}
	})
	return ids
}

func budgetAlertOn(scope, budgetID string, state cost.AlertState) cost.Alert {
	return cost.Alert{Kind: cost.AlertBudget, Scope: cost.ScopeID(scope), State: state, Budget: &cost.BudgetAlert{BudgetID: budgetID,
		BudgetName: "b", Notification: "n", Operator: cost.OpGreaterThan, Threshold: decimal.FromInt(80), ThresholdType: cost.ThresholdActual,
		Amount: decimal.FromInt(100), Currency: "USD", Spent: decimal.MustParse("80.01"), Forecast: decimal.FromInt(120)}}
}

func anomalyAlertOn(scope string, state cost.AlertState) cost.Alert {
	return cost.Alert{Kind: cost.AlertAnomaly, Scope: cost.ScopeID(scope), State: state, Anomaly: &cost.AnomalyAlert{
		Date: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Type: "spike", Currency: "USD", Expected: decimal.FromInt(10),
		Actual: decimal.FromInt(80), Impact: decimal.FromInt(70), Causes: []cost.AnomalyCause{}}}
}

// alertIDs lists the alerts the token sees at the query.
func alertIDs(t *testing.T, h *harness, token, query string) (int, []string) {
	t.Helper()
	var res struct{ Value []cost.Alert }
	status := h.do(token, "GET", "/api/v1/alerts"+query, nil, &res)
	var ids []string
	for _, a := range res.Value {
		ids = append(ids, a.ID)
	}
	return status, ids
}

func TestAlertsAreListedToTheReadersOfTheirScope(t *testing.T) {
	fx := newAzureFixture(t)
	rita := userWithRole(t, fx.harness, "rita", cost.RoleReader, "mg/apps")
	nora := userWithRole(t, fx.harness, "nora", cost.RoleReader, "aws/accounts/"+fxData)
	budgetID := cost.NewBudgetID()
	ids := putAlerts(t, fx.harness,
		budgetAlertOn("mg/apps", budgetID, cost.AlertActive),                        // 0
		anomalyAlertOn("azure/subscriptions/"+fxSub, cost.AlertActive),              // 1: below mg/apps
		budgetAlertOn("aws/accounts/"+fxData, cost.NewBudgetID(), cost.AlertActive), // 2: outside it
		budgetAlertOn("mg/apps", budgetID, cost.AlertResolved),                      // 3
		anomalyAlertOn("aws/accounts/"+fxData, cost.AlertDismissed),                 // 4
	)
	for _, tt := range []struct {
		name, token, query string
		want               []string
	}{
		{"the admin sees every alert, the latest first", fx.admin, "", ids},
		{"a Reader of mg/apps sees its alerts and those below it", rita, "", []string{ids[0], ids[1], ids[3]}},
		{"a Reader of another scope sees that scope's", nora, "", []string{ids[2], ids[4]}},
		{"?state=active", fx.admin, "?state=ACTIVE", ids[:3]},
		{"?kind=anomaly, in any case", fx.admin, "?kind=Anomaly", []string{ids[1], ids[4]}},
		{"?scope= is that scope's alone", rita, "?scope=mg/apps", []string{ids[0], ids[3]}},
		{"?budget=", rita, "?budget=" + budgetID, []string{ids[0], ids[3]}},
		{"filters together", fx.admin, "?scope=aws/accounts/" + fxData + "&kind=budget&state=active", []string{ids[2]}},
		{"a filter no alert passes", nora, "?kind=anomaly&state=active", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if status, got := alertIDs(t, fx.harness, tt.token, tt.query); status != 200 || !slices.Equal(got, tt.want) {
				t.Errorf("%d %v, want %v", status, got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		query  string
		status int
		msg    string
	}{
		{"?state=open", 400, `alert state "open" is not one of active, dismissed, resolved`},
		{"?kind=cost", 400, `alert kind "cost" is not budget or anomaly`},
		{"?scope=apps", 400, `scope ID "apps" is not valid`},
	} {
		var e ErrorBody
		if got := fx.do(rita, "GET", "/api/v1/alerts"+tt.query, nil, &e); got != tt.status || e.Error.Code != cost.EInvalid || !strings.Contains(e.Error.Message, tt.msg) {
			t.Errorf("%s: %d %+v, want %d and %q", tt.query, got, e, tt.status, tt.msg)
		}
	}
	var e ErrorBody
	if got := fx.do(nora, "GET", "/api/v1/alerts?scope=mg/apps", nil, &e); got != 403 ||
		e.Error.Message != "nora may not read mg/apps: reading its budgets and alerts needs Reader on it" {
		t.Errorf("nora lists mg/apps's alerts: %d %+v", got, e)
	}

	// One alert: its Readers read it; to anyone else it does not exist.
	var a cost.Alert
	if got := fx.do(rita, "GET", "/api/v1/alerts/"+ids[1], nil, &a); got != 200 || a.ID != ids[1] || a.Anomaly == nil ||
		a.Anomaly.Impact.Cmp(decimal.FromInt(70)) != 0 {
		t.Errorf("rita reads an alert below mg/apps: %d %+v", got, a)
	}
	for _, path := range []string{ids[0], cost.NewAlertID(), "nope"} {
		if got := fx.do(nora, "GET", "/api/v1/alerts/"+path, nil, &e); got != 404 || e.Error.Code != cost.ENotFound ||
			!strings.Contains(e.Error.Message, "does not exist") {
			t.Errorf("nora reads alert %s: %d %+v, want 404", path, got, e)
		}
	}
}

func TestAnAlertIsDismissedByAContributor(t *testing.T) {
	fx := newAzureFixture(t)
	carl := userWithRole(t, fx.harness, "carl", cost.RoleContributor, "mg/apps")
	rita := userWithRole(t, fx.harness, "rita", cost.RoleReader, "mg/apps")
	ids := putAlerts(t, fx.harness, budgetAlertOn("mg/apps", cost.NewBudgetID(), cost.AlertActive),
		budgetAlertOn("mg/apps", cost.NewBudgetID(), cost.AlertResolved), budgetAlertOn("aws/accounts/"+fxData, cost.NewBudgetID(), cost.AlertActive))
	var e ErrorBody
	if got := fx.do(rita, "POST", "/api/v1/alerts/"+ids[0]+"/dismiss", nil, &e); got != 403 ||
		e.Error.Message != "rita may not change the budgets, alerts or anomaly subscriptions of mg/apps: that needs Contributor on it" {
		t.Errorf("rita dismisses: %d %+v, want 403", got, e)
	}
	if got := fx.do(carl, "POST", "/api/v1/alerts/"+ids[2]+"/dismiss", nil, &e); got != 404 {
		t.Errorf("carl dismisses an alert he cannot read: %d %+v, want 404", got, e)
	}
	var a cost.Alert
	if got := fx.do(carl, "POST", "/api/v1/alerts/"+ids[0]+"/dismiss", nil, &a); got != 200 || a.State != cost.AlertDismissed ||
		a.DismissedBy != "carl" || a.Dismissed == nil || !a.Dismissed.Equal(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("carl dismisses: %d %+v", got, a)
	}
	for _, id := range ids[:2] {
		if got := fx.do(carl, "POST", "/api/v1/alerts/"+id+"/dismiss", nil, &e); got != 409 || e.Error.Code != cost.EConflict ||
			!strings.Contains(e.Error.Message, "only an active alert is dismissed") {
			t.Errorf("dismiss a %s alert: %d %+v, want 409", id, got, e)
		}
	}
	if _, got := alertIDs(t, fx.harness, carl, "?state=dismissed"); !slices.Equal(got, ids[:1]) {
		t.Errorf("the dismissed alerts: %v", got)
	}
}

func TestExchangeRatesAreSetAtTheRoot(t *testing.T) {
	fx := newAzureFixture(t)
	carl := userWithRole(t, fx.harness, "carl", cost.RoleContributor, "mg/apps")
	root := userWithRole(t, fx.harness, "rose", cost.RoleContributor, cost.RootGroup)
	reader := userWithRole(t, fx.harness, "rex", cost.RoleReader, cost.RootGroup)
	var e ErrorBody
	for _, token := range []string{carl, reader} {
		if got := fx.do(token, "PUT", "/api/v1/exchangeRates", map[string]any{"from": "EUR", "to": "USD", "rate": 1.08}, &e); got != 403 ||
			!strings.Contains(e.Error.Message, "may not set exchange rates: every budget converts with them, so that needs Contributor at mg/root") {
			t.Errorf("a PUT without Contributor at the root: %d %+v", got, e)
		}
		if got := fx.do(token, "DELETE", "/api/v1/exchangeRates?from=EUR&to=USD", nil, &e); got != 403 {
			t.Errorf("a DELETE without Contributor at the root: %d %+v", got, e)
		}
	}
	var r cost.ExchangeRate
	if got := fx.do(root, "PUT", "/api/v1/exchangeRates", map[string]any{"from": "eur", "to": "usd", "rate": "1.0825"}, &r); got != 200 ||
		r.From != "EUR" || r.To != "USD" || r.Rate.Cmp(decimal.MustParse("1.0825")) != 0 {
		t.Fatalf("rose sets a rate: %d %+v", got, r)
	}
	var list struct{ Value []cost.ExchangeRate }
	if got := fx.do(fx.ana, "GET", "/api/v1/exchangeRates", nil, &list); got != 200 || len(list.Value) != 1 || list.Value[0].Rate.Cmp(r.Rate) != 0 {
		t.Errorf("anyone signed in reads the rates: %d %+v", got, list.Value)
	}
	for _, tt := range []struct {
		name string
		body map[string]any
		msg  string
	}{
		{"one currency", map[string]any{"from": "USD", "to": "usd", "rate": 1}, "a rate converts one currency into another; USD to USD is 1"},
		{"a rate of 0", map[string]any{"from": "EUR", "to": "USD", "rate": 0}, "the rate from EUR to USD must be above 0"},
		{"a negative rate", map[string]any{"from": "EUR", "to": "USD", "rate": -1.2}, "the rate from EUR to USD must be above 0; got -1.2"},
		{"no rate", map[string]any{"from": "EUR", "to": "USD"}, "give the rate"},
		{"a rate that is not a number", map[string]any{"from": "EUR", "to": "USD", "rate": "about 1"}, "invalid number literal"},
		{"a code that is not one", map[string]any{"from": "EURO", "to": "USD", "rate": 1.1}, `currency "EURO": give an ISO 4217 code`},
		{"no code", map[string]any{"to": "USD", "rate": 1.1}, `currency "": give an ISO 4217 code`},
		{"an unknown field", map[string]any{"from": "EUR", "to": "USD", "rate": 1.1, "date": "2026-11-01"}, `unknown field "date"`},
	} {
		if got := fx.do(root, "PUT", "/api/v1/exchangeRates", tt.body, &e); got != 400 || e.Error.Code != cost.EInvalid || !strings.Contains(e.Error.Message, tt.msg) {
			t.Errorf("%s: %d %+v, want 400 and %q", tt.name, got, e, tt.msg)
		}
	}
	if got := fx.do(root, "DELETE", "/api/v1/exchangeRates?from=eur&to=usd", nil, nil); got != 200 {
		t.Errorf("rose deletes the rate: %d", got)
	}
	if got := fx.do(root, "DELETE", "/api/v1/exchangeRates?from=EUR&to=USD", nil, &e); got != 404 ||
		e.Error.Message != `there is no rate from "EUR" to "USD"` {
		t.Errorf("delete a rate gone: %d %+v", got, e)
	}
	if got := fx.do(root, "DELETE", "/api/v1/exchangeRates?from=EUR", nil, &e); got != 400 || e.Error.Message != "give the rate's currencies, ?from=EUR&to=USD" {
		t.Errorf("delete without ?to=: %d %+v", got, e)
	}
}

func TestAnomalySubscriptionsAreAScopes(t *testing.T) {
	fx := newAzureFixture(t)
	carl := userWithRole(t, fx.harness, "carl", cost.RoleContributor, "mg/apps")
	rita := userWithRole(t, fx.harness, "rita", cost.RoleReader, "mg/apps")
	nora := userWithRole(t, fx.harness, "nora", cost.RoleReader, "aws/accounts/"+fxData)
	body := func(fields map[string]any) map[string]any {
		b := map[string]any{"scope": "mg/apps", "name": "apps-anomalies", "minImpact": "25.5", "contactEmails": []string{"ops@example.com"},
			"contactRoles": []string{"owner"}, "webhooks": []string{"https://hooks.example.com/a"}}
		for k, v := range fields {
			b[k] = v
		}
		return b
	}
	var sub cost.AnomalySubscription
	if got := fx.do(carl, "POST", "/api/v1/anomalySubscriptions", body(nil), &sub); got != 201 || sub.Scope != "mg/apps" || sub.CreatedBy != "carl" ||
		sub.MinImpact.Cmp(decimal.MustParse("25.5")) != 0 || !slices.Equal(sub.ContactRoles, []cost.Role{cost.RoleOwner}) {
		t.Fatalf("carl subscribes: %d %+v", got, sub)
	}
	var list struct{ Value []cost.AnomalySubscription }
	if got := fx.do(rita, "GET", "/api/v1/anomalySubscriptions?scope=mg/apps", nil, &list); got != 200 || len(list.Value) != 1 || list.Value[0].ID != sub.ID {
		t.Errorf("rita lists: %d %+v", got, list.Value)
	}
	var e ErrorBody
	for _, tt := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
		msg    string
	}{
		{"a Reader", rita, body(map[string]any{"name": "ritas"}), 403, "rita may not change the budgets, alerts or anomaly subscriptions of mg/apps: that needs Contributor on it"},
		{"a user without a role there", nora, body(map[string]any{"name": "noras"}), 403, "nora may not change"},
		{"a name taken", carl, body(nil), 409, `mg/apps already has an anomaly subscription named "apps-anomalies"`},
		{"a name with a space", carl, body(map[string]any{"name": "apps anomalies"}), 400, `subscription name "apps anomalies": use 1-63 letters`},
		{"a negative impact", carl, body(map[string]any{"name": "neg", "minImpact": -1}), 400, "minImpact -1"},
		{"an impact that is not a number", carl, body(map[string]any{"name": "nan", "minImpact": "lots"}), 400, "invalid number literal"},
		{"no contacts", carl, map[string]any{"scope": "mg/apps", "name": "none"}, 400, "give at least one of contactEmails, contactRoles or webhooks"},
		{"a bad email", carl, body(map[string]any{"name": "bad", "contactEmails": []string{"ops"}}), 400, `contact email "ops" is not an address`},
		{"a webhook with a password", carl, body(map[string]any{"name": "pw", "webhooks": []string{"https://u:hunter2@hooks.example.com/"}}), 400,
			"has a user name or password in it"},
		{"a connector", carl, body(map[string]any{"scope": "connectors/demo"}), 400, "a connector has no costs of its own"},
		{"a scope that is not one", carl, body(map[string]any{"scope": "apps"}), 400, `scope ID "apps" is not valid`},
	} {
		if got := fx.do(tt.token, "POST", "/api/v1/anomalySubscriptions", tt.body, &e); got != tt.status || !strings.Contains(e.Error.Message, tt.msg) {
			t.Errorf("%s: %d %+v, want %d and %q", tt.name, got, e, tt.status, tt.msg)
		}
	}
	if strings.Contains(fx.seen.String(), "hunter2") {
		t.Errorf("a webhook's password was sent back")
	}
	if got := fx.do(nora, "GET", "/api/v1/anomalySubscriptions?scope=mg/apps", nil, &e); got != 403 {
		t.Errorf("nora lists mg/apps's subscriptions: %d %+v", got, e)
	}
	path := "/api/v1/anomalySubscriptions/" + sub.ID
	if got := fx.do(rita, "DELETE", path, nil, &e); got != 403 {
		t.Errorf("rita deletes: %d %+v, want 403", got, e)
	}
	for _, p := range []string{path, "/api/v1/anomalySubscriptions/" + cost.NewBudgetID(), "/api/v1/anomalySubscriptions/x"} {
		if got := fx.do(nora, "DELETE", p, nil, &e); got != 404 || e.Error.Code != cost.ENotFound {
			t.Errorf("nora deletes %s: %d %+v, want 404", p, got, e)
		}
	}
	var raw map[string]any
	if got := fx.do(carl, "POST", "/api/v1/anomalySubscriptions", map[string]any{"scope": "mg/apps", "name": "mail-only",
		"contactEmails": []string{"ops@example.com"}}, &raw); got != 201 || fmt.Sprint(raw["contactRoles"]) != "[]" || fmt.Sprint(raw["minImpact"]) != "0" {
		t.Errorf("a subscription by email alone: %d %v, want contactRoles [] and minImpact 0", got, raw)
	}
	if got := fx.do(carl, "DELETE", path, nil, nil); got != 200 {
		t.Errorf("carl deletes: %d", got)
	}
	if got := fx.do(carl, "DELETE", path, nil, &e); got != 404 {
		t.Errorf("a second deletion: %d %+v", got, e)
	}
}

// TestAReaderSeesTheirLatestAlertsWhateverOthersHave: the listing's limit
// counts the alerts the caller reads, not those of scopes hidden from them.
func TestAReaderSeesTheirLatestAlertsWhateverOthersHave(t *testing.T) {
	fx := newAzureFixture(t)
	rita := userWithRole(t, fx.harness, "rita", cost.RoleReader, "mg/apps")
	others := make([]cost.Alert, maxAlerts+1)
	for i := range others {
		others[i] = anomalyAlertOn("aws/accounts/"+fxData, cost.AlertActive)
	}
	ids := putAlerts(t, fx.harness, append(others, budgetAlertOn("mg/apps", cost.NewBudgetID(), cost.AlertActive))...)
	if status, got := alertIDs(t, fx.harness, rita, ""); status != 200 || !slices.Equal(got, ids[len(ids)-1:]) {
		t.Errorf("rita's alerts under %d newer ones of another scope: %d %v", len(others), status, got)
	}
	if _, got := alertIDs(t, fx.harness, fx.admin, ""); len(got) != maxAlerts || got[0] != ids[0] {
		t.Errorf("the admin's listing: %d alerts from %v, want the latest %d", len(got), got[:1], maxAlerts)
	}
}
