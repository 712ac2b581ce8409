package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The Azure door's fixture: an AWS payer with two linked accounts, an
// Azure subscription, and the group apps holding one linked account and
// the subscription. Every expected figure is summed from these rows in
// the test, never read from an answer.
const (
	fxPayer   = "111111111111"
	fxWeb     = "222222222222" // in mg/apps; ana reads it
	fxData    = "333333333333" // under the root group
	fxSub     = "5c8b1e7a-0b5e-4a3c-9d2f-2b7f6e1a9c01"
	fxAzureBA = "azure-ea-8612"
)

// fxRow is a fixture row in brief.
type fxRow struct {
	account, day, service, region, category, frequency, pricing, resource string
	billed, effective, quantity                                           string
	tags                                                                  map[string]string
}

var fxRows = []fxRow{
	{fxWeb, "2026-11-02", "Amazon Elastic Compute Cloud", "us-east-1", "Usage", "Usage-Based", "Standard", "i-0aaa", "10.125", "10.125", "24", map[string]string{"env": "prod", "team": "web"}},
	{fxWeb, "2026-11-03", "Amazon Elastic Compute Cloud", "us-west-2", "Usage", "Usage-Based", "Committed", "i-0bbb", "0", "4.5", "24", map[string]string{"env": "dev"}},
	{fxWeb, "2026-11-01", "Amazon Elastic Compute Cloud", "", "Purchase", "Recurring", "Committed", "", "100", "0", "", nil},
	{fxWeb, "2026-10-15", "Amazon Simple Storage Service", "us-east-1", "Usage", "Usage-Based", "Standard", "bucket-a", "2.0000000001", "2.0000000001", "100", map[string]string{"env": "prod"}},
	{fxData, "2026-11-05", "Amazon Simple Storage Service", "eu-west-1", "Usage", "Usage-Based", "Standard", "bucket-b", "3.3", "3.3", "50", map[string]string{"team": "data"}},
	{fxData, "2026-11-06", "Amazon Relational Database Service", "eu-west-1", "Usage", "Usage-Based", "Dynamic", "db-1", "7.77", "7.77", "24", map[string]string{"env": "prod"}},
	{fxData, "2026-11-07", "Tax", "", "Tax", "Recurring", "", "", "1.23", "1.23", "", nil},
	{fxData, "2026-11-08", "Amazon Relational Database Service", "", "Credit", "One-Time", "", "", "-5", "-5", "", nil},
	{fxData, "2026-11-09", "Amazon Simple Storage Service", "", "Adjustment", "One-Time", "", "", "-0.5", "-0.5", "", nil},
	{fxSub, "2026-11-02", "Virtual Machines", "eastus", "Usage", "Usage-Based", "Standard", "/subscriptions/" + fxSub + "/resourceGroups/rg-api/providers/Microsoft.Compute/virtualMachines/vm1", "20.123456789012345678", "20.123456789012345678", "24", map[string]string{"env": "prod"}},
	{fxSub, "2026-11-03", "Storage", "westeurope", "Usage", "Usage-Based", "Standard", "/subscriptions/" + fxSub + "/resourceGroups/RG-Data/providers/Microsoft.Storage/storageAccounts/st1", "5.5", "5.5", "730", map[string]string{"env": "dev"}},
	{fxSub, "2026-11-04", "Virtual Machines", "eastus", "Usage", "Usage-Based", "Standard", "/subscriptions/" + fxSub + "/resourceGroups/rg-api/providers/Microsoft.Compute/virtualMachines/vm2", "1.25", "1.25", "10", nil},
	{fxSub, "2026-10-20", "Storage", "westeurope", "Usage", "Usage-Based", "Standard", "/subscriptions/" + fxSub + "/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/st1", "0.75", "0.75", "730", map[string]string{"env": "dev"}},
}

// row makes the fixture row a FOCUS row.
func (f fxRow) row() *cost.Row {
	day, _ := time.Parse(time.DateOnly, f.day)
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	r := &cost.Row{ProviderName: "AWS", PublisherName: "Amazon Web Services, Inc.", BillingAccountID: fxPayer,
		SubAccountID: f.account, SubAccountName: "acct-" + f.account[:4],
		BillingPeriodStart: month, BillingPeriodEnd: month.AddDate(0, 1, 0), ChargePeriodStart: day, ChargePeriodEnd: day.AddDate(0, 0, 1),
		ChargeCategory: f.category, ChargeFrequency: f.frequency, PricingCategory: f.pricing, BillingCurrency: "USD",
		BilledCost: decimal.MustParse(f.billed), EffectiveCost: decimal.MustParse(f.effective), ListCost: decimal.MustParse(f.billed),
		UnblendedCost: decimal.MustParse(f.billed), ServiceName: f.service, RegionID: f.region, ResourceID: f.resource}
	if f.account == fxSub {
		r.ProviderName, r.PublisherName, r.BillingAccountID, r.SubAccountName = "Microsoft", "Microsoft", fxAzureBA, "Contoso Prod"
	}
	if f.quantity != "" {
		r.ConsumedQuantity = cost.NullDecimal{Decimal: decimal.MustParse(f.quantity), Valid: true}
	}
	for k, v := range f.tags {
		r.Tags = append(r.Tags, cost.Tag{Key: k, Value: v})
	}
	slices.SortFunc(r.Tags, func(a, b cost.Tag) int { return strings.Compare(a.Key, b.Key) })
	return r
}

type fxSource struct {
	rows []fxRow
	i    int
}

func (s *fxSource) Next() (*cost.Row, error) {
	if s.i == len(s.rows) {
		return nil, io.EOF
	}
	s.i++
	return s.rows[s.i-1].row(), nil
}

// azureFixture is a server with the fixture loaded, the admin, and ana,
// Reader of the linked account fxWeb.
type azureFixture struct {
	*harness
	ana string
}

func newAzureFixture(t *testing.T) *azureFixture {
	t.Helper()
	h := newHarness(t)
	if _, err := h.store.ReplacePeriods(context.Background(), cost.Load{Source: "azure-door-fixture", Version: "1"},
		&fxSource{rows: fxRows}); err != nil {
		t.Fatal(err)
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		conn, billing := cost.ScopeID("connectors/demo"), cost.ScopeID("aws/billing/"+fxPayer)
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: conn, Name: "demo"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer", Connector: conn}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "mg/apps", Name: "Apps"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "aws/accounts/" + fxWeb, Name: "web", Group: "mg/apps", BillingAccount: billing, Connector: conn}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "aws/accounts/" + fxData, Name: "data", BillingAccount: billing, Connector: conn}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "azure/subscriptions/" + fxSub, Name: "Contoso Prod", Group: "mg/apps"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: billing}))
		must(t, tx.PutUser(ctx, cost.User{Name: "ana"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleReader, Scope: cost.ScopeID("aws/accounts/" + fxWeb)}))
	})
	var tok tokenView
	if got := h.do(h.admin, "POST", "/api/v1/users/ana/tokens", nil, &tok); got != 201 {
		t.Fatalf("ana's token: %d", got)
	}
	return &azureFixture{harness: h, ana: tok.Token}
}

// The ARM paths of the fixture's scopes, and which rows each holds.
var fxScopes = []struct {
	arm, reckon string
	accounts    []string
}{
	{"providers/Microsoft.Management/managementGroups/apps", "mg/apps", []string{fxWeb, fxSub}},
	{"subscriptions/" + fxSub, "azure/subscriptions/" + fxSub, []string{fxSub}},
	{"providers/Microsoft.CostManagement/externalBillingAccounts/" + fxPayer, "aws/billing/" + fxPayer, []string{fxWeb, fxData}},
	{"providers/Microsoft.CostManagement/externalSubscriptions/" + fxData, "aws/accounts/" + fxData, []string{fxData}},
}

// queryPath is the Query API's path at an ARM scope.
func queryPath(arm string) string {
	return "/" + arm + "/providers/Microsoft.CostManagement/query?api-version=2022-10-01"
}

// sumRows sums a measure over the fixture rows that keep says.
func sumRows(keep func(*cost.Row) bool, measure func(*cost.Row) decimal.Decimal) decimal.Decimal {
	sum := decimal.Zero
	for _, f := range fxRows {
		if r := f.row(); keep(r) {
			sum = sum.Add(measure(r))
		}
	}
	return sum
}

func billed(r *cost.Row) decimal.Decimal    { return r.BilledCost }
func effective(r *cost.Row) decimal.Decimal { return r.EffectiveCost }

// inAccounts keeps the rows of the accounts, and of the days from..to.
func inAccounts(accounts ...string) func(*cost.Row) bool {
	return func(r *cost.Row) bool { return slices.Contains(accounts, r.SubAccountID) }
}

func and(keeps ...func(*cost.Row) bool) func(*cost.Row) bool {
	return func(r *cost.Row) bool {
		for _, k := range keeps {
			if !k(r) {
				return false
			}
		}
		return true
	}
}

// azureAnswer is the Query API's answer, its costs read exactly.
type azureAnswer struct {
	ID, Name, Type string
	Properties     struct {
		NextLink *string
		Columns  []cost.Column
		Rows     [][]json.RawMessage
	}
}

// post sends body to path (under the server) with the token, and decodes
// the answer or the error.
func (h *harness) post(token, path string, body any) (int, azureAnswer, ErrorBody) {
	h.t.Helper()
	url := path
	if !strings.HasPrefix(path, "http") {
		url = h.srv.URL + path
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	h.seen.Write(data)
	var a azureAnswer
	var e ErrorBody
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(data, &a); err != nil {
			h.t.Fatalf("POST %s: %v in %s", path, err, data)
		}
	} else if err := json.Unmarshal(data, &e); err != nil || e.Error.Code == "" {
		h.t.Fatalf("POST %s: %d without Azure's error shape: %s", path, resp.StatusCode, data)
	}
	return resp.StatusCode, a, e
}

// column returns the index of the named column, failing when absent.
func (a *azureAnswer) column(t *testing.T, name string) int {
	t.Helper()
	for i, c := range a.Properties.Columns {
		if c.Name == name {
			return i
		}
	}
	t.Fatalf("no column %s in %+v", name, a.Properties.Columns)
	return -1
}

// sum sums the named number column exactly.
func (a *azureAnswer) sum(t *testing.T, name string) decimal.Decimal {
	t.Helper()
	i, sum := a.column(t, name), decimal.Zero
	for _, row := range a.Properties.Rows {
		v, err := decimal.ParseBytes(row[i])
		if err != nil {
			t.Fatalf("%s cell %s: %v", name, row[i], err)
		}
		sum = sum.Add(v)
	}
	return sum
}

// str returns a string cell.
func str(t *testing.T, cell json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(cell, &s); err != nil {
		t.Fatalf("cell %s is not a string", cell)
	}
	return s
}

// custom is an Azure body over the fixture's two months.
func custom(typ string, dataset map[string]any) map[string]any {
	return map[string]any{"type": typ, "timeframe": "Custom",
		"timePeriod": map[string]string{"from": "2026-10-01T00:00:00Z", "to": "2026-11-30T23:59:59Z"}, "dataset": dataset}
}
