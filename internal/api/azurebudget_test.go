package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// azureBudgetAnswer is the door's budget, its figures read exactly.
type azureBudgetAnswer struct {
	ID, Name, Type, ETag string
	Properties           struct {
		Category      string
		Amount        json.Number
		TimeGrain     string
		TimePeriod    struct{ StartDate, EndDate string }
		Notifications map[string]azureNotification
		CurrentSpend  *struct {
			Amount json.Number
			Unit   string
		}
		ForecastSpend *struct {
			Amount json.Number
			Unit   string
		}
	}
}

// azureBudgetBody is a budget as Azure's documentation writes one: a
// filter on a resource group and a tag, and two notifications.
func azureBudgetBody(amount any) map[string]any {
	return map[string]any{"properties": map[string]any{
		"category": "Cost", "amount": amount, "timeGrain": "Monthly",
		"timePeriod": map[string]any{"startDate": "2026-11-01T00:00:00Z", "endDate": "2027-10-31T00:00:00Z"},
		"filter": map[string]any{"and": []any{
			map[string]any{"dimensions": map[string]any{"name": "ResourceGroupName", "operator": "In", "values": []string{"rg-api"}}},
			map[string]any{"tags": map[string]any{"name": "env", "operator": "In", "values": []string{"prod"}}},
		}},
		"notifications": map[string]any{
			"Actual_GreaterThan_80_Percent": map[string]any{"enabled": true, "operator": "GreaterThan", "threshold": 80,
				"contactEmails": []string{"johndoe@contoso.com", "janesmith@contoso.com"}, "contactRoles": []string{"Contributor", "Reader"},
				"contactGroups": []string{}, "thresholdType": "Actual", "locale": "en-us"},
			"Forecasted_GreaterThanOrEqualTo_100_Percent": map[string]any{"enabled": false, "operator": "GreaterThanOrEqualTo",
				"threshold": 100, "contactEmails": []string{"johndoe@contoso.com"}, "thresholdType": "Forecasted"},
		},
	}}
}

const budgetsAPI = "/providers/Microsoft.Consumption/budgets"

// TestTheAzureBudgetsAPIKeepsABudget puts, reads, lists, replaces and
// deletes a budget at a subscription's ARM path with Azure's body.
func TestTheAzureBudgetsAPIKeepsABudget(t *testing.T) {
	fx := newAzureFixture(t)
	base := "/subscriptions/" + fxSub + budgetsAPI
	path := base + "/api-budget"
	var b azureBudgetAnswer
	if got := fx.do(fx.admin, "PUT", path+"?api-version=2023-05-01", azureBudgetBody(100), &b); got != 200 {
		t.Fatalf("PUT: %d %+v", got, b)
	}
	// The filter keeps rg-api's rows tagged env=prod: vm1 alone.
	want := sumRows(and(inAccounts(fxSub), inMonth("2026-11-01"), tagIs("env", "prod"),
		func(r *cost.Row) bool {
			return strings.Contains(strings.ToLower(r.ResourceID), "/resourcegroups/rg-api/")
		}), billed)
	p := b.Properties
	if b.ID != path || b.Name != "api-budget" || b.Type != "Microsoft.Consumption/budgets" || b.ETag == "" || p.Category != "Cost" ||
		p.Amount != "100.0" || p.TimeGrain != "Monthly" || p.TimePeriod.StartDate != "2026-11-01T00:00:00Z" ||
		p.TimePeriod.EndDate != "2027-10-31T00:00:00Z" || p.CurrentSpend == nil || p.CurrentSpend.Unit != "USD" ||
		p.CurrentSpend.Amount != json.Number(want.Fixed(2)) || p.ForecastSpend == nil || p.ForecastSpend.Unit != "USD" {
		t.Errorf("the budget: %+v; want current spend %s", b, want.Fixed(2))
	}
	n, ok := p.Notifications["Actual_GreaterThan_80_Percent"]
	if len(p.Notifications) != 2 || !ok || !n.Enabled || n.Operator != "GreaterThan" || n.ThresholdType != "Actual" ||
		strings.Join(n.ContactEmails, ",") != "johndoe@contoso.com,janesmith@contoso.com" || strings.Join(n.ContactRoles, ",") != "Contributor,Reader" ||
		p.Notifications["Forecasted_GreaterThanOrEqualTo_100_Percent"].Enabled {
		t.Errorf("the notifications: %+v", p.Notifications)
	}

	var got azureBudgetAnswer
	if status := fx.do(fx.admin, "GET", path+"?api-version=2023-05-01", nil, &got); status != 200 || got.ID != path ||
		got.Properties.CurrentSpend == nil || got.Properties.CurrentSpend.Amount != p.CurrentSpend.Amount {
		t.Errorf("GET: %d %+v", status, got)
	}
	var list struct{ Value []azureBudgetAnswer }
	if status := fx.do(fx.admin, "GET", base+"?api-version=2023-05-01", nil, &list); status != 200 || len(list.Value) != 1 || list.Value[0].ID != path {
		t.Errorf("the list: %d %+v", status, list.Value)
	}

	// A PUT replaces the budget whole: no filter, one notification.
	body := azureBudgetBody("250.5")
	props := body["properties"].(map[string]any)
	delete(props, "filter")
	delete(props["notifications"].(map[string]any), "Forecasted_GreaterThanOrEqualTo_100_Percent")
	var replaced azureBudgetAnswer // a fresh one: decoding into got's map would add to it
	if status := fx.do(fx.admin, "PUT", path+"?api-version=2023-05-01", body, &replaced); status != 200 || replaced.Properties.Amount != "250.5" ||
		len(replaced.Properties.Notifications) != 1 || replaced.Properties.CurrentSpend.Amount != json.Number(sumRows(and(inAccounts(fxSub), inMonth("2026-11-01")), billed).Fixed(2)) {
		t.Errorf("the PUT that replaces: %d %+v", status, replaced)
	}
	var mine struct{ Value []budgetReply }
	if fx.do(fx.admin, "GET", "/api/v1/budgets?scope=azure/subscriptions/"+fxSub, nil, &mine); len(mine.Value) != 1 || mine.Value[0].Filter != "" ||
		mine.Value[0].Amount.Cmp(decimal.MustParse("250.5")) != 0 ||
		!mine.Value[0].EndDate.Equal(time.Date(2027, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("one budget after two PUTs, as replaced, to 2027-11-01 exclusive (Azure's endDate is its last day): %+v", mine.Value)
	}

	if status := fx.do(fx.admin, "DELETE", path+"?api-version=2023-05-01", nil, nil); status != 200 {
		t.Errorf("DELETE: %d", status)
	}
	var e ErrorBody
	if status := fx.do(fx.admin, "GET", path+"?api-version=2023-05-01", nil, &e); status != 404 || e.Error.Code != cost.ENotFound {
		t.Errorf("GET after DELETE: %d %+v", status, e)
	}
}

// TestTheAzureBudgetsAPIServesEveryScopeForm: AWS's external scopes and
// management groups, both providers, any letter case of the fixed
// segments, and the same budgets as /api/v1/budgets.
func TestTheAzureBudgetsAPIServesEveryScopeForm(t *testing.T) {
	fx := newAzureFixture(t)
	for _, tt := range []struct{ path, scope, typ string }{
		{"/providers/Microsoft.CostManagement/externalBillingAccounts/" + fxPayer + budgetsAPI + "/payer-budget", "aws/billing/" + fxPayer, "Microsoft.Consumption/budgets"},
		{"/providers/Microsoft.Management/managementGroups/apps" + budgetsAPI + "/apps-budget", "mg/apps", "Microsoft.Consumption/budgets"},
		{"/providers/Microsoft.CostManagement/externalSubscriptions/" + fxData + "/providers/Microsoft.CostManagement/budgets/data-budget",
			"aws/accounts/" + fxData, "Microsoft.CostManagement/budgets"},
	} {
		body := azureBudgetBody(10)
		delete(body["properties"].(map[string]any), "filter")
		var b azureBudgetAnswer
		if got := fx.do(fx.admin, "PUT", tt.path+"?api-version=2023-05-01", body, &b); got != 200 || b.ID != tt.path || b.Type != tt.typ {
			t.Errorf("PUT %s: %d %+v", tt.path, got, b)
			continue
		}
		var mine struct{ Value []budgetReply }
		name := tt.path[strings.LastIndex(tt.path, "/")+1:]
		if fx.do(fx.admin, "GET", "/api/v1/budgets?scope="+tt.scope, nil, &mine); len(mine.Value) != 1 || mine.Value[0].Name != name {
			t.Errorf("%s's budgets through /api/v1: %+v", tt.scope, mine.Value)
		}
	}

	// A budget made through /api/v1 is read through the door, by its name
	// in any case and with the fixed segments in any case.
	var made budgetReply
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", map[string]any{"scope": "azure/subscriptions/" + fxSub, "name": "Made-Here", "amount": 50,
		"timeGrain": "Quarterly", "startDate": "2026-10-01"}, &made); got != 201 {
		t.Fatalf("create through /api/v1: %d", got)
	}
	var b azureBudgetAnswer
	path := "/subscriptions/" + fxSub + "/providers/microsoft.consumption/Budgets/made-here?api-version=2023-05-01"
	if got := fx.do(fx.admin, "GET", path, nil, &b); got != 200 || b.Name != "Made-Here" || b.Properties.TimeGrain != "Quarterly" ||
		b.Properties.Amount != "50.0" || b.Properties.CurrentSpend == nil {
		t.Errorf("GET %s: %d %+v", path, got, b)
	}
	if got := fx.do(fx.admin, "DELETE", "/SUBSCRIPTIONS/"+fxSub+"/PROVIDERS/Microsoft.Consumption/budgets/Made-Here?api-version=2023-05-01", nil, nil); got != 200 {
		t.Errorf("DELETE in capitals: %d", got)
	}
	if got := fx.do(fx.admin, "GET", "/api/v1/budgets/"+made.ID, nil, nil); got != 404 {
		t.Errorf("the budget deleted through the door, through /api/v1: %d", got)
	}
}

func TestTheAzureBudgetsAPIRefusesWhatItCannotKeep(t *testing.T) {
	fx := newAzureFixture(t)
	path := "/subscriptions/" + fxSub + budgetsAPI + "/b"
	withGroups := azureBudgetBody(10)
	n := withGroups["properties"].(map[string]any)["notifications"].(map[string]any)["Actual_GreaterThan_80_Percent"].(map[string]any)
	n["contactGroups"] = []string{"/subscriptions/" + fxSub + "/resourceGroups/rg/providers/microsoft.insights/actionGroups/ops"}
	otherCategory := azureBudgetBody(10)
	otherCategory["properties"].(map[string]any)["category"] = "Usage"
	badFilter := azureBudgetBody(10)
	badFilter["properties"].(map[string]any)["filter"] = map[string]any{"dimensions": map[string]any{"name": "Colour", "operator": "In", "values": []string{"red"}}}
	named := azureBudgetBody(10)
	named["name"] = "other"
	for _, tt := range []struct {
		name, method, query string
		body                any
		status              int
		msg                 string
	}{
		{"no api-version", "PUT", "", azureBudgetBody(10), 400, "The api-version query parameter (?api-version=) is required"},
		{"no api-version on GET", "GET", "", nil, 400, "api-version"},
		{"contact groups", "PUT", "?api-version=2023-05-01", withGroups, 400,
			`contactGroups name Azure action groups, which Reckon cannot reach; give webhooks (http or https URLs, Reckon's own field) or contactEmails instead`},
		{"a category not Cost", "PUT", "?api-version=2023-05-01", otherCategory, 400, `category "Usage": a budget's category is Cost`},
		{"a filter on an unknown dimension", "PUT", "?api-version=2023-05-01", badFilter, 400, "Colour"},
		{"a body naming another budget", "PUT", "?api-version=2023-05-01", named, 400, `the body names budget "other" and the path "b": give one name`},
		{"no amount", "PUT", "?api-version=2023-05-01", azureBudgetBody(nil), 400, "give the amount"},
		{"a budget that does not exist", "GET", "?api-version=2023-05-01", nil, 404, `budget "b" does not exist on azure/subscriptions/` + fxSub},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var e ErrorBody
			if got := fx.do(fx.admin, tt.method, path+tt.query, tt.body, &e); got != tt.status || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("%d %q, want %d and %q", got, e.Error.Message, tt.status, tt.msg)
			}
		})
	}
	var mine struct{ Value []budgetReply }
	if fx.do(fx.admin, "GET", "/api/v1/budgets?scope=azure/subscriptions/"+fxSub, nil, &mine); len(mine.Value) != 0 {
		t.Errorf("a refused PUT kept a budget: %+v", mine.Value)
	}
	// ana reads the linked account fxWeb only: she may not put a budget
	// on it, and the subscription's are unknown to her.
	var e ErrorBody
	webPath := "/providers/Microsoft.CostManagement/externalSubscriptions/" + fxWeb + budgetsAPI + "/anas?api-version=2023-05-01"
	body := azureBudgetBody(10)
	delete(body["properties"].(map[string]any), "filter")
	if got := fx.do(fx.ana, "PUT", webPath, body, &e); got != 403 || !strings.Contains(e.Error.Message, "that needs Contributor on it") {
		t.Errorf("ana puts a budget on the account she reads: %d %+v", got, e)
	}
	if got := fx.do(fx.ana, "GET", "/subscriptions/"+fxSub+budgetsAPI+"?api-version=2023-05-01", nil, &e); got != 403 {
		t.Errorf("ana lists the subscription's budgets: %d %+v", got, e)
	}
}

// TestTheAzureBudgetsAPIAnswersTheFilterItKeeps: the door answers a
// budget's filter in Azure's shape, and the budget put back as it was read
// (as the Azure SDKs replace one: read, change, put) keeps its filter. A
// filter made through /api/v1 in Reckon's syntax reads back as one the
// door takes, and means the same.
func TestTheAzureBudgetsAPIAnswersTheFilterItKeeps(t *testing.T) {
	fx := newAzureFixture(t)
	filterOf := func(name string) string {
		t.Helper()
		var mine struct{ Value []budgetReply }
		fx.do(fx.admin, "GET", "/api/v1/budgets?scope=azure/subscriptions/"+fxSub, nil, &mine)
		for _, b := range mine.Value {
			if b.Name == name {
				return b.Filter
			}
		}
		t.Fatalf("no budget %s: %+v", name, mine.Value)
		return ""
	}
	normal := func(filter string) string {
		t.Helper()
		e, err := cost.ParseFilter(filter)
		if err != nil {
			t.Fatalf("%q: %v", filter, err)
		}
		return e.String()
	}
	roundTrip := func(name string) (sent, kept string) {
		t.Helper()
		path := "/subscriptions/" + fxSub + budgetsAPI + "/" + name + "?api-version=2023-05-01"
		var read map[string]any
		if got := fx.do(fx.admin, "GET", path, nil, &read); got != 200 {
			t.Fatalf("GET %s: %d %+v", path, got, read)
		}
		before := filterOf(name)
		var put map[string]any
		if got := fx.do(fx.admin, "PUT", path, read, &put); got != 200 {
			t.Fatalf("PUT back %s: %d %+v", path, got, put)
		}
		after := filterOf(name)
		if normal(before) != normal(after) || !reflect.DeepEqual(read["properties"].(map[string]any)["filter"], put["properties"].(map[string]any)["filter"]) {
			t.Errorf("%s put back as read: the filter %q became %q; Azure's %v became %v", name, before, after,
				read["properties"].(map[string]any)["filter"], put["properties"].(map[string]any)["filter"])
		}
		out, _ := json.Marshal(read["properties"].(map[string]any)["filter"])
		return string(out), after
	}

	body := azureBudgetBody(100)
	if got := fx.do(fx.admin, "PUT", "/subscriptions/"+fxSub+budgetsAPI+"/from-azure?api-version=2023-05-01", body, nil); got != 200 {
		t.Fatalf("PUT: %d", got)
	}
	want, _ := json.Marshal(body["properties"].(map[string]any)["filter"])
	if azure, _ := roundTrip("from-azure"); azure != string(want) {
		t.Errorf("the door answers the filter %s; it was sent %s", azure, want)
	}

	filter := `(ServiceName in ("Virtual Machines") or not tag:team exists) and ChargeCategory not in ("Tax") and ResourceId contains ("/resourceGroups/rg-api/", "vm1")`
	if got := fx.do(fx.admin, "POST", "/api/v1/budgets", map[string]any{"scope": "azure/subscriptions/" + fxSub, "name": "from-reckon", "amount": 50,
		"timeGrain": "Monthly", "startDate": "2026-11-01", "filter": filter}, nil); got != 201 {
		t.Fatalf("create through /api/v1: %d", got)
	}
	azure, kept := roundTrip("from-reckon")
	if normal(kept) != normal(filter) {
		t.Errorf("the /api/v1 filter %q, read through the door and put back, is %q (Azure's shape: %s)", filter, kept, azure)
	}
	t.Logf("%s reads through the door as %s", filter, azure)
}
