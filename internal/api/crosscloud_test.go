package api

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/azexport"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// One management group holds two AWS linked accounts and two Azure
// subscriptions: one query answers with both clouds, ProviderName telling
// them apart, a row per currency, and a Reader of one subscription sees it
// alone.
func TestAGroupAnswersForAWSAndAzureTogether(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	registrar := &cost.Registrar{Template: cost.Registration{Owner: AdminUser, Time: now}}

	bucket := t.TempDir()
	aws, err := synth.WriteBucket(bucket, synth.Options{Seed: 5, RowsPerMonth: 1200, NetColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	loader := &ingest.Loader{Store: h.store, Format: cursource.Format{}, Clock: fixedClock{now}, Register: registrar.Register}
	if _, err := loader.IngestPath(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	azOpts := synth.DemoAzureOptions(now)
	months, az := synth.GenerateAzure(azOpts)
	for _, m := range months {
		r, err := azexport.NewReader(bytes.NewReader(m.Actual), "actual.csv", azexport.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.store.ReplacePeriods(ctx, cost.Load{Source: "azure-export/test", Version: m.Start.String(),
			BillingAccount: azOpts.BillingAccountID, Periods: []time.Time{m.Start}, Register: registrar.Register}, r)
		if err != nil {
			t.Fatal(err)
		}
	}

	var linked []string
	for a := range aws.ByAccount {
		linked = append(linked, a)
	}
	slices.Sort(linked)
	sub1, sub2 := "azure/subscriptions/"+azOpts.Subscriptions[0].ID, "azure/subscriptions/"+azOpts.Subscriptions[1].ID
	if status := h.do(h.admin, "POST", "/api/v1/managementGroups", map[string]any{"id": "prod"}, nil); status != 201 {
		t.Fatalf("create mg/prod: %d", status)
	}
	members := []string{"aws/accounts/" + linked[0], "aws/accounts/" + linked[1], sub1, sub2}
	if status := h.do(h.admin, "POST", "/api/v1/managementGroups/prod/children", map[string]any{"scopes": members}, nil); status != 200 {
		t.Fatalf("move %v into mg/prod: %d", members, status)
	}

	wantAWS := decimal.MustParse(aws.ByAccount[linked[0]].BilledCost).Add(decimal.MustParse(aws.ByAccount[linked[1]].BilledCost))
	wantAzure := decimal.MustParse(synth.Micro(az.BilledTotal))
	var res cost.Result
	if status := h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "mg/prod", "groupBy": []string{"ProviderName"}}, &res); status != 200 {
		t.Fatalf("query mg/prod: %d", status)
	}
	got := map[string]cost.ResultRow{}
	for _, r := range res.Rows {
		got[r.Groups[0]] = r
	}
	if len(res.Rows) != 2 || got["AWS"].Cost.Cmp(wantAWS) != 0 || got["AWS"].Currency != "USD" ||
		got["Microsoft"].Cost.Cmp(wantAzure) != 0 || got["Microsoft"].Currency != "EUR" {
		t.Fatalf("mg/prod by provider: %+v; want AWS %s USD and Microsoft %s EUR", res.Rows, wantAWS, wantAzure)
	}

	// Without a grouping, two currencies still give two rows, never a sum.
	if status := h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "mg/prod"}, &res); status != 200 || len(res.Rows) != 2 {
		t.Fatalf("mg/prod total: %d %+v; want a row per currency", status, res.Rows)
	}
	for _, r := range res.Rows {
		if want := map[string]decimal.Decimal{"USD": wantAWS, "EUR": wantAzure}[r.Currency]; r.Cost.Cmp(want) != 0 {
			t.Errorf("mg/prod total in %s: %s, want %s", r.Currency, r.Cost, want)
		}
	}

	// A Reader of one Azure subscription sees it, and nothing else.
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, tx.PutUser(ctx, cost.User{Name: "ines"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ines", Role: cost.RoleReader, Scope: cost.ScopeID(sub2)}))
	})
	var tok tokenView
	h.do(h.admin, "POST", "/api/v1/users/ines/tokens", nil, &tok)
	if status := h.do(tok.Token, "POST", "/api/v1/query", map[string]any{"scope": sub2, "groupBy": []string{"SubAccountId"}}, &res); status != 200 ||
		len(res.Rows) != 1 || res.Rows[0].Groups[0] != azOpts.Subscriptions[1].ID ||
		res.Rows[0].Cost.Cmp(decimal.MustParse(synth.Micro(az.Billed[azOpts.Subscriptions[1].ID]))) != 0 {
		t.Errorf("ines on her subscription: %d %+v, want %s", status, res.Rows, synth.Micro(az.Billed[azOpts.Subscriptions[1].ID]))
	}
	for _, scope := range []string{sub1, "mg/prod", "azure/billingAccounts/" + azOpts.BillingAccountID, "aws/accounts/" + linked[0]} {
		if status := h.do(tok.Token, "POST", "/api/v1/query", map[string]any{"scope": scope}, nil); status != 403 {
			t.Errorf("ines on %s: %d, want 403", scope, status)
		}
	}

	// The Azure billing account is a scope of its own, with its whole bill,
	// at Reckon's door and at ARM's Microsoft.Billing path.
	if status := h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "azure/billingAccounts/" + azOpts.BillingAccountID}, &res); status != 200 ||
		len(res.Rows) != 1 || res.Rows[0].Cost.Cmp(wantAzure) != 0 {
		t.Errorf("the Azure billing account: %d %+v, want %s", status, res.Rows, wantAzure)
	}
	body := map[string]any{"type": "ActualCost", "timeframe": "Custom",
		"timePeriod": map[string]string{"from": "2020-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"},
		"dataset":    map[string]any{"granularity": "None"}}
	status, a, e := h.post(h.admin, queryPath("providers/Microsoft.Billing/billingAccounts/"+azOpts.BillingAccountID), body)
	if status != 200 {
		t.Fatalf("the Azure door at the billing account: %d %+v", status, e)
	}
	if got := a.sum(t, "Cost"); got.Cmp(wantAzure) != 0 {
		t.Errorf("the Azure door at the billing account says %s, want %s", got, wantAzure)
	}
}
