package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// budgetReply is a budgetAnswer as a client reads it: the budget, then its
// status, history and error. Decoding a budgetAnswer whole would stop at
// the budget should cost.Budget read its own JSON (its UnmarshalJSON would
// be promoted).
type budgetReply struct {
	cost.Budget
	Status  *budget.Status
	History []budget.PeriodSpend
	Error   string
}

func (b *budgetReply) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &b.Budget); err != nil {
		return err
	}
	var rest struct {
		Status  *budget.Status       `json:"status"`
		History []budget.PeriodSpend `json:"history"`
		Error   string               `json:"error"`
	}
	if err := json.Unmarshal(data, &rest); err != nil {
		return err
	}
	b.Status, b.History, b.Error = rest.Status, rest.History, rest.Error
	return nil
}

// inMonth keeps the fixture rows charged in the month of day.
func inMonth(day string) func(*cost.Row) bool {
	m, _ := time.Parse(time.DateOnly, day)
	return func(r *cost.Row) bool {
		return r.ChargePeriodStart.Year() == m.Year() && r.ChargePeriodStart.Month() == m.Month()
	}
}

// appsBudget is a valid budget on mg/apps, with fields to add or replace.
func appsBudget(fields map[string]any) map[string]any {
	b := map[string]any{"scope": "mg/apps", "name": "apps-monthly", "amount": 200, "timeGrain": "Monthly", "startDate": "2026-10-01",
		"notifications": []map[string]any{{"operator": "GreaterThanOrEqualTo", "threshold": 50, "contactEmails": []string{"ops@example.com"}}}}
	for k, v := range fields {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// TestABudgetIsCreatedListedShownEditedAndDeleted walks a budget's life
// through /api/v1/budgets; its figures are summed from the fixture's rows.
func TestABudgetIsCreatedListedShownEditedAndDeleted(t *testing.T) {
	fx := newAzureFixture(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // the harness's clock
	var b budgetReply
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", appsBudget(nil), &b); got != 201 {
		t.Fatalf("create: %d %+v", got, b)
	}
	if _, err := cost.ParseBudgetID(b.ID); err != nil || b.Scope != "mg/apps" || b.Name != "apps-monthly" || b.Currency != "USD" ||
		b.Measure != cost.MeasureBilled || b.TimeGrain != cost.GrainMonthly || !b.StartDate.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) ||
		!b.EndDate.Equal(time.Date(2036, 10, 1, 0, 0, 0, 0, time.UTC)) || b.Amount.Cmp(decimal.FromInt(200)) != 0 ||
		!b.Created.Equal(now) || b.CreatedBy != AdminUser || b.Error != "" {
		t.Errorf("the created budget: %+v", b)
	}
	if len(b.Notifications) != 1 || !strings.Contains(b.Notifications[0].Name, "_GreaterThanOrEqualTo_50") || !b.Notifications[0].Enabled ||
		b.Notifications[0].ThresholdType != cost.ThresholdActual {
		t.Errorf("its notification: %+v", b.Notifications)
	}
	apps := inAccounts(fxWeb, fxSub)
	november, october := sumRows(and(apps, inMonth("2026-11-01")), billed), sumRows(and(apps, inMonth("2026-10-01")), billed)
	if b.Status == nil || b.Status.Spent.Cmp(november) != 0 || b.Status.Currency != "USD" || b.Status.Amount.Cmp(decimal.FromInt(200)) != 0 ||
		!b.Status.Period.Start.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !b.Status.Period.End.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) ||
		b.Status.Forecast.Cmp(november) < 0 {
		t.Fatalf("the status: %+v; want spent %s", b.Status, november)
	}

	var list struct{ Value []budgetReply }
	if got := fx.do(fx.admin, "GET", "/api/v1/budgets?scope=mg/apps", nil, &list); got != 200 || len(list.Value) != 1 ||
		list.Value[0].ID != b.ID || list.Value[0].Status == nil || list.Value[0].Status.Spent.Cmp(november) != 0 || list.Value[0].History != nil {
		t.Errorf("the list: %d %+v", got, list.Value)
	}
	var shown budgetReply
	path := "/api/v1/budgets/" + b.ID
	if got := fx.do(fx.admin, "GET", path, nil, &shown); got != 200 || len(shown.History) != 2 ||
		shown.History[0].Spent.Cmp(october) != 0 || shown.History[1].Spent.Cmp(november) != 0 ||
		!shown.History[0].Period.Start.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the budget shown: %d %+v; want October %s and November %s", got, shown.History, october, november)
	}

	// An edit changes the fields given; the rest stay.
	var edited budgetReply
	if got := fx.do(fx.admin, "PATCH", path, map[string]any{"name": "Apps", "amount": "150.5", "filter": "ServiceName = \"Virtual Machines\""}, &edited); got != 200 ||
		edited.Name != "Apps" || edited.Amount.Cmp(decimal.MustParse("150.5")) != 0 || len(edited.Notifications) != 1 || edited.Currency != "USD" {
		t.Fatalf("edit: %d %+v", got, edited)
	}
	vms := sumRows(and(apps, inMonth("2026-11-01"), field(func(r *cost.Row) string { return r.ServiceName }, "Virtual Machines")), billed)
	if edited.Status == nil || edited.Status.Spent.Cmp(vms) != 0 || edited.Filter == "" {
		t.Errorf("the filtered status: %+v; want spent %s", edited.Status, vms)
	}
	if got := fx.do(fx.admin, "DELETE", path, nil, nil); got != 200 {
		t.Errorf("delete: %d", got)
	}
	var e ErrorBody
	if got := fx.do(fx.admin, "GET", path, nil, &e); got != 404 || e.Error.Code != cost.ENotFound {
		t.Errorf("the deleted budget: %d %+v", got, e)
	}

	var log struct{ Value []cost.AuditEntry }
	fx.do(fx.admin, "GET", "/api/v1/auditLog", nil, &log)
	var got []string
	for _, a := range log.Value {
		if strings.HasPrefix(a.Action, "budget.") {
			got = append(got, a.Action+" "+string(a.Scope)+" "+a.Detail)
		}
	}
	want := fmt.Sprint([]string{"budget.create mg/apps " + b.ID + " apps-monthly", "budget.update mg/apps " + b.ID + " Apps : name, amount, filter",
		"budget.delete mg/apps " + b.ID + " Apps"})
	if fmt.Sprint(got) != want {
		t.Errorf("the audit log's budget entries:\n%q\nwant\n%s", got, want)
	}
}

func TestBudgetsAreValidated(t *testing.T) {
	fx := newAzureFixture(t)
	var first budgetReply
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", appsBudget(nil), &first); got != 201 {
		t.Fatalf("the first budget: %d", got)
	}
	notify := func(fields map[string]any) map[string]any {
		n := map[string]any{"operator": "GreaterThan", "threshold": 80, "contactEmails": []string{"ops@example.com"}}
		for k, v := range fields {
			if v == nil {
				delete(n, k)
			} else {
				n[k] = v
			}
		}
		return appsBudget(map[string]any{"name": "other", "notifications": []map[string]any{n}})
	}
	six := make([]map[string]any, 6)
	emails := make([]string, 51)
	for i := range six {
		six[i] = map[string]any{"operator": "GreaterThan", "threshold": 10 * (i + 1), "contactRoles": []string{"Owner"}}
	}
	for i := range emails {
		emails[i] = fmt.Sprintf("u%d@example.com", i)
	}
	tests := []struct {
		name   string
		method string // POST a new budget, or PATCH the first
		body   map[string]any
		status int
		msg    string
	}{
		{"a name with a space", "POST", appsBudget(map[string]any{"name": "apps monthly"}), 400, `budget name "apps monthly": use 1-63 letters, digits, - and _`},
		{"a name of 64 characters", "POST", appsBudget(map[string]any{"name": strings.Repeat("a", 64)}), 400, "use 1-63 letters, digits, - and _"},
		{"no name", "POST", appsBudget(map[string]any{"name": nil}), 400, `budget name "": use 1-63 letters`},
		{"no amount", "POST", appsBudget(map[string]any{"amount": nil}), 400, "give the budget's amount, such as 1000"},
		{"an amount of 0", "POST", appsBudget(map[string]any{"amount": 0}), 400, "the budget's amount must be above 0; got 0"},
		{"a negative amount", "POST", appsBudget(map[string]any{"amount": -5}), 400, "the budget's amount must be above 0; got -5"},
		{"an amount that is not a number", "POST", appsBudget(map[string]any{"amount": "a lot"}), 400, `invalid number literal`},
		{"an amount too large", "POST", appsBudget(map[string]any{"amount": "1000000000000.01"}), 400, "is above 1000000000000, the largest Reckon takes"},
		{"a currency that is not a code", "POST", appsBudget(map[string]any{"currency": "dollars"}), 400, `currency "DOLLARS": give the amount's ISO 4217 code`},
		{"a grain not in the set", "POST", appsBudget(map[string]any{"timeGrain": "Weekly"}), 400, `timeGrain "Weekly" is not one of Monthly, Quarterly, Annually`},
		{"no grain", "POST", appsBudget(map[string]any{"timeGrain": nil}), 400, `timeGrain "" is not one of Monthly, Quarterly, Annually`},
		{"a measure not in the set", "POST", appsBudget(map[string]any{"measure": "ListCost"}), 400, `measure "ListCost": a budget counts BilledCost`},
		{"a start not the first of a month", "POST", appsBudget(map[string]any{"startDate": "2026-11-15"}), 400,
			"the budget's startDate 2026-11-15T00:00:00Z must be the first day of a month at midnight UTC, such as 2026-11-01"},
		{"a start that is not a date", "POST", appsBudget(map[string]any{"startDate": "November"}), 400, `the startDate "November" is not a date: write YYYY-MM-DD`},
		{"no start", "POST", appsBudget(map[string]any{"startDate": nil}), 400, "give the budget's startDate"},
		{"an end before the start", "POST", appsBudget(map[string]any{"endDate": "2026-09-01"}), 400, "the budget's endDate 2026-09-01 is not after its startDate 2026-10-01"},
		{"an end more than ten years on", "POST", appsBudget(map[string]any{"endDate": "2036-10-02"}), 400, "is more than 10 years after its startDate"},
		{"six notifications", "POST", appsBudget(map[string]any{"notifications": six}), 400, "a budget has at most 5 notifications; got 6"},
		{"a threshold of 0", "POST", notify(map[string]any{"threshold": 0}), 400, "is a percent of the amount: above 0 and at most 1000"},
		{"a threshold of 1001", "POST", notify(map[string]any{"threshold": 1001}), 400, "threshold 1001"},
		{"a threshold that is not a number", "POST", notify(map[string]any{"threshold": "abc"}), 400, "invalid number literal"},
		{"no threshold", "POST", notify(map[string]any{"threshold": nil}), 400, "give the notification's threshold"},
		{"an operator not in the set", "POST", notify(map[string]any{"operator": "LessThan"}), 400, `operator "LessThan" is not GreaterThan or GreaterThanOrEqualTo`},
		{"a threshold type not in the set", "POST", notify(map[string]any{"thresholdType": "Budgeted"}), 400, `thresholdType "Budgeted" is not Actual or Forecasted`},
		{"51 contact emails", "POST", notify(map[string]any{"contactEmails": emails}), 400, "at most 50 contactEmails; got 51"},
		{"a contact email that is not an address", "POST", notify(map[string]any{"contactEmails": []string{"ops at example.com"}}), 400,
			`contact email "ops at example.com" is not an address such as name@example.com`},
		{"a role not in the set", "POST", notify(map[string]any{"contactRoles": []string{"Admin"}}), 400, `contactRoles: role "Admin" is not valid`},
		{"an ftp webhook", "POST", notify(map[string]any{"webhooks": []string{"ftp://hooks.example.com/x"}}), 400,
			`webhook "ftp://hooks.example.com/x" is not an absolute http or https URL`},
		{"a webhook with a password", "POST", notify(map[string]any{"webhooks": []string{"https://bob:s3cret@hooks.example.com/x"}}), 400,
			"has a user name or password in it"},
		{"a notification telling no one", "POST", notify(map[string]any{"contactEmails": nil}), 400, "give at least one of contactEmails, contactRoles or webhooks"},
		{"two notifications of one name", "POST", appsBudget(map[string]any{"notifications": []map[string]any{
			{"name": "warn", "operator": "GreaterThan", "threshold": 50, "contactRoles": []string{"Owner"}},
			{"name": "WARN", "operator": "GreaterThan", "threshold": 90, "contactRoles": []string{"Owner"}}}}), 400,
			`two notifications are named "WARN": give each its own name`},
		{"a filter that does not parse", "POST", appsBudget(map[string]any{"filter": "ServiceName ~ EC2"}), 400, "the budget's filter: "},
		{"an unknown field", "POST", appsBudget(map[string]any{"colour": "red"}), 400, `the request body has an unknown field "colour"`},
		{"a connector's scope", "POST", appsBudget(map[string]any{"scope": "connectors/demo"}), 400, "a connector has no costs of its own"},
		{"a scope that is not a scope ID", "POST", appsBudget(map[string]any{"scope": "apps"}), 400, `scope ID "apps" is not valid`},
		{"a scope that does not exist", "POST", appsBudget(map[string]any{"scope": "mg/nowhere"}), 403, "admin may not change the budgets, alerts or anomaly subscriptions of mg/nowhere"},
		{"a name taken on the scope, in another case", "POST", appsBudget(map[string]any{"name": "APPS-MONTHLY"}), 409,
			`mg/apps already has a budget named "apps-monthly": choose another name, or edit that one`},
		{"an edit to a name taken", "PATCH", map[string]any{"name": "Taken"}, 409, `already has a budget named "taken"`},
		{"an edit that moves the budget", "PATCH", map[string]any{"scope": "mg/root"}, 400,
			"a budget's scope cannot change: create the budget on mg/root and delete this one"},
		{"an edit of nothing", "PATCH", map[string]any{}, 400, "give what to change: name, amount"},
		{"an edit to an amount of 0", "PATCH", map[string]any{"amount": 0}, 400, "the budget's amount must be above 0"},
	}
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", appsBudget(map[string]any{"name": "taken"}), nil); got != 201 {
		t.Fatalf("a second budget: %d", got)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/api/v1/budgets"
			if tt.method == "PATCH" {
				path += "/" + first.ID
			}
			var e ErrorBody
			got := fx.do(fx.admin, tt.method, path, tt.body, &e)
			code := map[int]string{400: cost.EInvalid, 403: cost.EForbidden, 409: cost.EConflict}[tt.status]
			if got != tt.status || e.Error.Code != code || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("%d %s %q, want %d %s and %q", got, e.Error.Code, e.Error.Message, tt.status, code, tt.msg)
			}
		})
	}
	if strings.Contains(fx.seen.String(), "s3cret") {
		t.Errorf("a webhook's password was sent back")
	}
	var list struct{ Value []budgetReply }
	fx.do(fx.admin, "GET", "/api/v1/budgets?scope=mg/apps", nil, &list)
	if len(list.Value) != 2 || list.Value[0].Name != "apps-monthly" || list.Value[0].Amount.Cmp(decimal.FromInt(200)) != 0 {
		t.Errorf("after the refusals mg/apps has %+v, want the two budgets as created", list.Value)
	}
}

// TestBudgetsFollowTheRolesOnTheirScope: Readers list and read, only
// Contributors change, and a budget is unknown to whoever cannot read its
// scope.
func TestBudgetsFollowTheRolesOnTheirScope(t *testing.T) {
	fx := newAzureFixture(t)
	carl := userWithRole(t, fx.harness, "carl", cost.RoleContributor, "mg/apps")
	rita := userWithRole(t, fx.harness, "rita", cost.RoleReader, "mg/apps")
	nora := userWithRole(t, fx.harness, "nora", cost.RoleReader, "aws/accounts/"+fxData)
	var b budgetReply
	if got := fx.do(carl, "POST", "/api/v1/budgets", appsBudget(nil), &b); got != 201 || b.CreatedBy != "carl" {
		t.Fatalf("carl creates a budget: %d %+v", got, b)
	}
	path := "/api/v1/budgets/" + b.ID
	var list struct{ Value []budgetReply }
	if got := fx.do(rita, "GET", "/api/v1/budgets?scope=mg/apps", nil, &list); got != 200 || len(list.Value) != 1 || list.Value[0].Status == nil {
		t.Errorf("rita lists: %d %+v", got, list.Value)
	}
	var shown budgetReply
	if got := fx.do(rita, "GET", path, nil, &shown); got != 200 || shown.ID != b.ID {
		t.Errorf("rita reads: %d %+v", got, shown)
	}
	var e ErrorBody
	for _, call := range []struct{ method, path string }{{"POST", "/api/v1/budgets"}, {"PATCH", path}, {"DELETE", path}} {
		body := map[string]any{"amount": 5}
		if call.method == "POST" {
			body = appsBudget(map[string]any{"name": "ritas"})
		}
		if got := fx.do(rita, call.method, call.path, body, &e); got != 403 || e.Error.Code != cost.EForbidden ||
			e.Error.Message != "rita may not change the budgets, alerts or anomaly subscriptions of mg/apps: that needs Contributor on it" {
			t.Errorf("rita: %s %s: %d %+v, want 403", call.method, call.path, got, e)
		}
	}
	for _, call := range []struct{ method, path string }{{"GET", path}, {"PATCH", path}, {"DELETE", path},
		{"GET", "/api/v1/budgets/" + cost.NewBudgetID()}, {"GET", "/api/v1/budgets/NOT-AN-ID"}} {
		if got := fx.do(nora, call.method, call.path, map[string]any{"amount": 5}, &e); got != 404 || e.Error.Code != cost.ENotFound ||
			!strings.Contains(e.Error.Message, "does not exist") {
			t.Errorf("nora: %s %s: %d %+v, want 404", call.method, call.path, got, e)
		}
	}
	if got := fx.do(nora, "GET", "/api/v1/budgets?scope=mg/apps", nil, &e); got != 403 ||
		e.Error.Message != "nora may not read mg/apps: reading its budgets and alerts needs Reader on it" {
		t.Errorf("nora lists mg/apps: %d %+v, want 403", got, e)
	}
	if got := fx.do(nora, "POST", "/api/v1/budgets", appsBudget(map[string]any{"name": "noras"}), &e); got != 403 {
		t.Errorf("nora creates on mg/apps: %d %+v, want 403", got, e)
	}
	if got := fx.do(carl, "DELETE", path, nil, nil); got != 200 {
		t.Errorf("carl deletes: %d", got)
	}
}

// eurSub is a subscription billed in euros, added to mg/apps by
// TestABudgetOverTwoCurrenciesNeedsARate.
const eurSub = "9d2f4a3c-0b5e-4a3c-8b1e-7a2b7f6e1a9c"

var eurRows = []fxRow{
	{eurSub, "2026-11-03", "Virtual Machines", "westeurope", "Usage", "Usage-Based", "Standard", "vm-eu", "40.40", "40.40", "24", nil},
	{eurSub, "2026-11-04", "Storage", "westeurope", "Usage", "Usage-Based", "Standard", "st-eu", "0.005", "0.005", "1", nil},
}

type eurSource struct{ fxSource }

func (s *eurSource) Next() (*cost.Row, error) {
	r, err := s.fxSource.Next()
	if r != nil {
		r.BillingCurrency, r.BillingAccountID = "EUR", "azure-ea-eu"
	}
	return r, err
}

func TestABudgetOverTwoCurrenciesNeedsARate(t *testing.T) {
	fx := newAzureFixture(t)
	if _, err := fx.store.ReplacePeriods(context.Background(), cost.Load{Source: "eur", Version: "1"}, &eurSource{fxSource{rows: eurRows}}); err != nil {
		t.Fatal(err)
	}
	change(t, fx.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID("azure/subscriptions/" + eurSub), Name: "EU", Group: "mg/apps"}))
	})
	var e ErrorBody
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", appsBudget(nil), &e); got != 400 ||
		!strings.Contains(e.Error.Message, "mg/apps has costs in EUR, USD: give the budget's currency, and exchange rates for the others") {
		t.Errorf("a budget without a currency: %d %+v", got, e)
	}
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", appsBudget(map[string]any{"currency": "USD"}), &e); got != 400 || e.Error.Code != cost.EInvalid ||
		!strings.Contains(e.Error.Message, "costs in EUR and Reckon has no exchange rate from EUR to USD") ||
		!strings.Contains(e.Error.Message, "reckon rate set EUR USD RATE") {
		t.Errorf("a budget in USD without a rate: %d %+v", got, e)
	}
	if got := fx.do(fx.admin, "PUT", "/api/v1/exchangeRates", map[string]any{"from": "eur", "to": "usd", "rate": "1.0825"}, nil); got != 200 {
		t.Fatalf("set the rate: %d", got)
	}
	var b budgetReply
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", appsBudget(map[string]any{"currency": "USD"}), &b); got != 201 {
		t.Fatalf("a budget in USD with the rate: %d %+v", got, b)
	}
	usd := sumRows(and(inAccounts(fxWeb, fxSub), inMonth("2026-11-01")), billed)
	eur := decimal.MustParse("40.405")
	want := usd.Add(eur.Mul(decimal.MustParse("1.0825")))
	if b.Status == nil || b.Status.Spent.Cmp(want) != 0 || len(b.Status.Rates) != 1 || b.Status.Rates[0].From != "EUR" {
		t.Errorf("the status: %+v; want spent %s (%s USD and %s EUR at 1.0825)", b.Status, want, usd, eur)
	}
	// With the rate gone, the budget stays and says why it cannot be
	// measured.
	if got := fx.do(fx.admin, "DELETE", "/api/v1/exchangeRates?from=EUR&to=USD", nil, nil); got != 200 {
		t.Fatalf("delete the rate: %d", got)
	}
	var shown budgetReply
	if got := fx.do(fx.admin, "GET", "/api/v1/budgets/"+b.ID, nil, &shown); got != 200 || shown.Status != nil ||
		!strings.Contains(shown.Error, "no exchange rate from EUR to USD") {
		t.Errorf("the budget without its rate: %d %+v", got, shown)
	}
}
