package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// The budget test's own rows, on the first day of the month the test runs
// in (a budget counts the period the server's clock is in, and the server
// runs on the system's clock): resources in two resource groups, tagged
// env=prod or dev. The budget's filter, Azure's documented example, keeps
// rg-api's rows tagged env=prod: the first row alone. The rows of
// seedSDKData have no tags, and so never count.
var sdkBudgetRows = []struct{ account, group, env, amount string }{
	{sdkSub, "rg-api", "prod", "64.25"},
	{sdkSub, "rg-api", "dev", "8.5"},
	{sdkSub, "rg-web", "prod", "16"},
	{sdkWeb, "", "prod", "4.125"},
	{sdkData, "", "prod", "2"},
}

const (
	sdkBudgetName = "sdk-budget"
	// sdkBudgetFilter is the filter of sdkBudgetBody in Reckon's own
	// syntax, for the twin budget made through /api/v1.
	sdkBudgetFilter = `ResourceId contains ("/resourceGroups/rg-api/") and tag:env in ("prod")`
)

// sdkBudgetCounted reports whether the budget's filter keeps the row.
func sdkBudgetCounted(group, env string) bool { return group == "rg-api" && env == "prod" }

// sdkBudgetWant sums the rows of the accounts that the filter keeps.
func sdkBudgetWant(accounts []string) decimal.Decimal {
	sum := decimal.Zero
	for _, r := range sdkBudgetRows {
		if slices.Contains(accounts, r.account) && sdkBudgetCounted(r.group, r.env) {
			sum = sum.Add(decimal.MustParse(r.amount))
		}
	}
	return sum
}

// sdkBudgetBody is the budget as Azure's REST API takes it, from the month
// for a year (Azure's endDate is the last day it covers).
func sdkBudgetBody(month time.Time) map[string]any {
	return map[string]any{"properties": map[string]any{
		"category": "Cost", "amount": 100, "timeGrain": "Monthly",
		"timePeriod": map[string]string{"startDate": month.Format(time.RFC3339), "endDate": month.AddDate(1, 0, -1).Format(time.RFC3339)},
		"filter": map[string]any{"and": []any{
			map[string]any{"dimensions": map[string]any{"name": "ResourceGroupName", "operator": "In", "values": []string{"rg-api"}}},
			map[string]any{"tags": map[string]any{"name": "env", "operator": "In", "values": []string{"prod"}}},
		}},
		"notifications": map[string]any{
			"Actual_GreaterThan_80_Percent": map[string]any{"enabled": true, "operator": "GreaterThan", "threshold": 80,
				"contactEmails": []string{"finops@contoso.com", "ops@contoso.com"}, "contactRoles": []string{"Owner"},
				"thresholdType": "Actual", "locale": "en-us"},
		},
	}}
}

// sdkBudget is a budget as the SDK read it: its model, printed as JSON.
type sdkBudget struct {
	ID, Name, Type, ETag, Category, TimeGrain string
	Amount                                    json.Number
	Filter                                    any
	TimePeriod                                struct{ StartDate, EndDate string }
	Notifications                             map[string]struct {
		Enabled                     bool
		Operator, ThresholdType     string
		Locale                      string
		Threshold                   json.Number
		ContactEmails, ContactRoles []string
	}
	CurrentSpend, ForecastSpend *struct {
		Amount json.Number
		Unit   string
	}
}

// sdkBudgetResult is what budgets.js prints for one scope.
type sdkBudgetResult struct {
	Scope              string
	Created, Got       sdkBudget
	Replaced, GotAgain sdkBudget
	List, ListAgain    []sdkBudget
	Deleted            bool
	AfterDelete        struct {
		Error, Code, Message string
		StatusCode           int
		Found                *sdkBudget
	}
}

// TestTheAzureConsumptionSDKManagesBudgets starts reckon serve with TLS and
// has the official @azure/arm-consumption client, run by Node, create,
// read, list, replace and delete a budget at each ARM scope form. The
// budget keeps what the SDK sent; its current spend is the filtered rows'
// sum, and the figure of a twin budget made through /api/v1; after the
// delete, /api/v1 no longer has it and the SDK's read fails with a
// RestError 404. Skipped only when test/azure-sdk/node_modules lacks the
// client and RECKON_REQUIRE_AZURE_SDK is unset.
func TestTheAzureConsumptionSDKManagesBudgets(t *testing.T) {
	sdk := filepath.Join("..", "..", "test", "azure-sdk")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(sdk, "node_modules", "@azure", "arm-consumption")); statErr != nil || err != nil {
		if os.Getenv("RECKON_REQUIRE_AZURE_SDK") != "" {
			t.Fatalf("RECKON_REQUIRE_AZURE_SDK is set, but the SDK cannot run (node: %v; the SDK: %v): run npm ci --prefix test/azure-sdk", err, statErr)
		}
		t.Skip("the Azure Consumption SDK is not installed: npm ci --prefix test/azure-sdk")
	}
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	data := t.TempDir()
	seedSDKData(t, data)
	seedBudgetRows(t, data, month)
	cert, key := selfSignedCert(t, t.TempDir())
	base, stop := startTLSServe(t, data, "--tls-cert", cert, "--tls-key", key)
	defer stop()
	client := trustingClient(t, cert)

	body := sdkBudgetBody(month)
	results := runBudgetSDK(t, node, sdk, base, cert, body, "250.5")
	if again := time.Now().UTC(); again.Month() != now.Month() {
		t.Skipf("the month turned while the test ran (%s, then %s): the spends counted differ", now, again)
	}
	for _, sc := range sdkScopes {
		r, ok := results[sc.arm]
		if !ok {
			t.Errorf("budgets.js printed nothing for %s", sc.arm)
			continue
		}
		id := "/" + sc.arm + "/providers/Microsoft.Consumption/budgets/" + sdkBudgetName
		want := sdkBudgetWant(sc.accounts)
		checkSDKBudget(t, sc.arm+" createOrUpdate", r.Created, id, "100", want, month)
		checkSDKBudget(t, sc.arm+" get", r.Got, id, "100", want, month)
		checkSDKBudget(t, sc.arm+" the second createOrUpdate", r.Replaced, id, "250.5", want, month)
		checkSDKBudget(t, sc.arm+" get after it", r.GotAgain, id, "250.5", want, month)
		if r.Created.CurrentSpend == nil {
			continue // checkSDKBudget said so
		}
		if r.Replaced.ETag == r.Created.ETag {
			t.Errorf("%s: the replaced budget kept its eTag %s", sc.arm, r.Created.ETag)
		}
		for _, l := range []struct {
			what, amount string
			list         []sdkBudget
		}{{"list", "100", r.List}, {"list after the replace", "250.5", r.ListAgain}} {
			if len(l.list) != 1 || l.list[0].ID != id || decimal.MustParse(l.list[0].Amount.String()).Cmp(decimal.MustParse(l.amount)) != 0 {
				t.Errorf("%s: the SDK's %s: %+v, want the one budget %s of %s", sc.arm, l.what, l.list, id, l.amount)
			}
		}
		if a := r.AfterDelete; !r.Deleted || a.Found != nil || a.Error != "RestError" || a.StatusCode != 404 || a.Code != cost.ENotFound {
			t.Errorf("%s: get after delete: %+v, want a RestError 404 %s", sc.arm, a, cost.ENotFound)
		}

		// Reckon's own figure: a twin budget made through /api/v1 with the
		// filter in Reckon's syntax. The SDK's budget is gone from the list.
		twin := "twin-" + strings.ReplaceAll(strings.ReplaceAll(sc.reckon, "/", "-"), ".", "-")
		twin = twin[:min(len(twin), 63)]
		status, out := postJSON(t, client, base+"/api/v1/budgets", map[string]any{"scope": sc.reckon, "name": twin, "amount": 100,
			"timeGrain": "Monthly", "startDate": month.Format(time.DateOnly), "filter": sdkBudgetFilter})
		if status != 201 {
			t.Fatalf("the twin budget on %s: %d %s", sc.reckon, status, out)
		}
		var mine struct {
			Value []struct {
				Name   string
				Status *struct{ Spent decimal.Decimal }
			}
		}
		status, out = getJSON(t, client, base+"/api/v1/budgets?scope="+url.QueryEscape(sc.reckon))
		if err := json.Unmarshal(out, &mine); status != 200 || err != nil {
			t.Fatalf("the budgets of %s: %d %s", sc.reckon, status, out)
		}
		var names []string
		for _, b := range mine.Value {
			names = append(names, b.Name)
			switch {
			case strings.EqualFold(b.Name, sdkBudgetName):
				t.Errorf("%s: /api/v1/budgets still has %s after the SDK deleted it", sc.reckon, b.Name)
			case b.Name == twin && b.Status == nil:
				t.Errorf("%s: the twin budget has no status", sc.reckon)
			case b.Name == twin && b.Status.Spent.Cmp(decimal.MustParse(r.Created.CurrentSpend.Amount.String())) != 0:
				t.Errorf("%s: the SDK read current spend %s, /api/v1 says %s", sc.arm, r.Created.CurrentSpend.Amount, b.Status.Spent)
			}
		}
		if !slices.Contains(names, twin) {
			t.Errorf("%s: /api/v1/budgets has %v, not the twin %s", sc.reckon, names, twin)
		}
		t.Logf("%s: the SDK created, read, listed, replaced and deleted %s (current spend %s %s); its get after the delete threw a %s %d %s",
			sc.arm, sdkBudgetName, r.Created.CurrentSpend.Amount, r.Created.CurrentSpend.Unit, r.AfterDelete.Error, r.AfterDelete.StatusCode, r.AfterDelete.Code)
	}
}

// checkSDKBudget checks a budget the SDK read against what it sent.
func checkSDKBudget(t *testing.T, what string, b sdkBudget, id, amount string, spend decimal.Decimal, month time.Time) {
	t.Helper()
	var sent any
	wire, _ := json.Marshal(sdkBudgetBody(month)["properties"].(map[string]any)["filter"])
	dec := json.NewDecoder(bytes.NewReader(wire))
	dec.UseNumber()
	sdkMust(t, dec.Decode(&sent))
	if !reflect.DeepEqual(b.Filter, sent) {
		t.Errorf("%s: the filter %v, the SDK sent %v", what, b.Filter, sent)
	}
	if b.ID != id || b.Name != sdkBudgetName || b.Type != "Microsoft.Consumption/budgets" || b.ETag == "" || b.Category != "Cost" ||
		b.TimeGrain != "Monthly" || b.Amount == "" || decimal.MustParse(b.Amount.String()).Cmp(decimal.MustParse(amount)) != 0 {
		t.Errorf("%s: %+v, want %s of %s", what, b, id, amount)
	}
	start, errStart := time.Parse(time.RFC3339, b.TimePeriod.StartDate)
	end, errEnd := time.Parse(time.RFC3339, b.TimePeriod.EndDate)
	if errStart != nil || errEnd != nil || !start.Equal(month) || !end.Equal(month.AddDate(1, 0, -1)) {
		t.Errorf("%s: the time period %+v, want %s to %s", what, b.TimePeriod, month.Format(time.DateOnly), month.AddDate(1, 0, -1).Format(time.DateOnly))
	}
	n, ok := b.Notifications["Actual_GreaterThan_80_Percent"]
	if len(b.Notifications) != 1 || !ok || !n.Enabled || n.Operator != "GreaterThan" || n.Threshold.String() != "80" ||
		n.ThresholdType != "Actual" || n.Locale != "en-us" || strings.Join(n.ContactEmails, ",") != "finops@contoso.com,ops@contoso.com" ||
		strings.Join(n.ContactRoles, ",") != "Owner" {
		t.Errorf("%s: the notifications %+v", what, b.Notifications)
	}
	if b.CurrentSpend == nil || b.CurrentSpend.Unit != "USD" || b.CurrentSpend.Amount == "" ||
		decimal.MustParse(b.CurrentSpend.Amount.String()).Cmp(spend) != 0 {
		t.Errorf("%s: current spend %+v, the filtered rows sum to %s USD", what, b.CurrentSpend, spend)
	}
	if b.ForecastSpend == nil || b.ForecastSpend.Unit != "USD" || b.ForecastSpend.Amount == "" {
		t.Errorf("%s: forecast spend %+v", what, b.ForecastSpend)
	}
}

// seedBudgetRows loads sdkBudgetRows on the month's first day, as a source
// of their own, beside seedSDKData's.
func seedBudgetRows(t *testing.T, data string, month time.Time) {
	t.Helper()
	ctx := context.Background()
	store, err := duckstore.Open(ctx, data, loadOptions())
	sdkMust(t, err)
	defer store.Close()
	var rows []*cost.Row
	for i, r := range sdkBudgetRows {
		row := &cost.Row{ProviderName: "AWS", BillingAccountID: sdkPayer, SubAccountID: r.account, ChargeCategory: cost.ChargeUsage,
			BillingPeriodStart: month, BillingPeriodEnd: month.AddDate(0, 1, 0), ChargePeriodStart: month, ChargePeriodEnd: month.AddDate(0, 0, 1),
			BilledCost: decimal.MustParse(r.amount), EffectiveCost: decimal.MustParse(r.amount), BillingCurrency: "USD",
			ServiceName: "Amazon Elastic Compute Cloud", ResourceID: "arn:aws:ec2:us-east-1:" + r.account + ":instance/i-" + string(rune('a'+i)),
			Tags: []cost.Tag{{Key: "env", Value: r.env}}}
		if r.account == sdkSub {
			row.ProviderName, row.BillingAccountID, row.ServiceName = "Microsoft", "contoso-ea", "Virtual Machines"
			row.ResourceID = "/subscriptions/" + sdkSub + "/resourceGroups/" + r.group + "/providers/Microsoft.Compute/virtualMachines/vm-" + string(rune('a'+i))
		}
		rows = append(rows, row)
	}
	if _, err := store.ReplacePeriods(ctx, cost.Load{Source: "azure-sdk-budget-test", Version: "1"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
}

// getJSON gets the URL with the admin's token.
func getJSON(t *testing.T, client *http.Client, url string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+sdkToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// runBudgetSDK runs budgets.js on every ARM scope form.
func runBudgetSDK(t *testing.T, node, dir, base, cert string, body map[string]any, amount2 string) map[string]sdkBudgetResult {
	t.Helper()
	var scopes []string
	for _, sc := range sdkScopes {
		scopes = append(scopes, sc.arm)
	}
	scopesJSON, _ := json.Marshal(scopes)
	bodyJSON, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "budgets.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RECKON_ENDPOINT="+base, "RECKON_TOKEN="+sdkToken, "RECKON_SCOPES="+string(scopesJSON),
		"RECKON_BUDGET_NAME="+sdkBudgetName, "RECKON_BUDGET="+string(bodyJSON), "RECKON_AMOUNT2="+amount2, "NODE_EXTRA_CA_CERTS="+cert)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node budgets.js: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var printed struct{ Results []sdkBudgetResult }
	if err := dec.Decode(&printed); err != nil {
		t.Fatalf("budgets.js printed %q: %v", out, err)
	}
	results := map[string]sdkBudgetResult{}
	for _, r := range printed.Results {
		results[r.Scope] = r
	}
	return results
}
