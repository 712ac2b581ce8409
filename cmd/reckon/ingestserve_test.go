package main

import (
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestIngestedAccountsAreScopesInServe is issue 7's "invisible data": load
// a bucket with `reckon ingest`, then start `reckon serve` on the folder.
// The payer and every linked account are scopes, owned by the
// administrator, and mg/root, the billing account and each account answer
// with the generator's exact totals.
func TestIngestedAccountsAreScopesInServe(t *testing.T) {
	bucket, data := t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 17, Months: 2, RowsPerMonth: 500})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := reckonProcess(nil, "ingest", "--data", data, bucket).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	base, admin, stop := startServe(t, data, nil)
	defer stop()
	api := &apiCaller{base: base, token: admin}
	var scopes struct {
		Value []struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"value"`
	}
	if err := api.call("GET", "/api/v1/scopes", nil, &scopes); err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, s := range scopes.Value {
		listed[s.ID] = s.Role
	}
	wantScopes := []string{"aws/billing/012345678901"}
	for account := range want.ByAccount {
		wantScopes = append(wantScopes, "aws/accounts/"+account)
	}
	for _, id := range wantScopes {
		if listed[id] != "Owner" {
			t.Errorf("scope %s: listed with role %q, want Owner (scopes: %v)", id, listed[id], listed)
		}
	}
	total := func(scope string) decimal.Decimal {
		t.Helper()
		var res cost.Result
		if err := api.call("POST", "/api/v1/query", map[string]any{"scope": scope}, &res); err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		for _, r := range res.Rows {
			sum = sum.Add(r.Cost)
		}
		return sum
	}
	for _, scope := range []string{"mg/root", "aws/billing/012345678901"} {
		if got := total(scope); got.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
			t.Errorf("%s: %s, want %s", scope, got, want.BilledCost)
		}
	}
	for account, sum := range want.ByAccount {
		if got := total("aws/accounts/" + account); got.Cmp(decimal.MustParse(sum.BilledCost)) != 0 {
			t.Errorf("aws/accounts/%s: %s, want %s", account, got, sum.BilledCost)
		}
	}
}
