package api

import (
	"context"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestQueryFollowsTheCallersRights loads a synthetic organisation, gives
// a second user Reader on one linked account, and checks every answer
// against the generator's exact totals.
func TestQueryFollowsTheCallersRights(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	bucket := t.TempDir()
	opts := synth.Options{Seed: 7, RowsPerMonth: 1500, NetColumns: true}
	want, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		t.Fatal(err)
	}
	loader := &ingest.Loader{Store: h.store, Format: cursource.Format{}, Clock: fixedClock{}}
	if _, err := loader.IngestPath(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	var accounts []string
	for a := range want.ByAccount {
		accounts = append(accounts, a)
	}
	if len(accounts) < 3 {
		t.Fatalf("the generator made %d accounts", len(accounts))
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		conn := cost.ScopeID("connectors/demo")
		billing := cost.ScopeID("aws/billing/012345678901")
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: conn, Name: "demo"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer", Connector: conn}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "mg/empty", Name: "Empty"}))
		for _, a := range accounts {
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID("aws/accounts/" + a), Name: a, BillingAccount: billing, Connector: conn}))
		}
		// A billing account is outside the tree: Owner at mg/root does not
		// reach it; the connector's creator gets it directly (product.md §6).
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: billing}))
		must(t, tx.PutUser(ctx, cost.User{Name: "ana"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleReader, Scope: cost.ScopeID("aws/accounts/" + accounts[0])}))
	})
	var tok tokenView
	h.do(h.admin, "POST", "/api/v1/users/ana/tokens", nil, &tok)

	total := func(token, scope string) (decimal.Decimal, int) {
		var res cost.Result
		status := h.do(token, "POST", "/api/v1/query", map[string]any{"scope": scope, "groupBy": []string{"SubAccountId"}}, &res)
		sum := decimal.Zero
		for _, row := range res.Rows {
			sum = sum.Add(row.Cost)
		}
		return sum, status
	}
	mine := "aws/accounts/" + accounts[0]
	if got, status := total(tok.Token, mine); status != 200 || got.Cmp(decimal.MustParse(want.ByAccount[accounts[0]].BilledCost)) != 0 {
		t.Errorf("ana on her account: %d %s, want %s", status, got, want.ByAccount[accounts[0]].BilledCost)
	}
	for _, scope := range []string{"aws/accounts/" + accounts[1], "aws/billing/012345678901", "mg/root"} {
		if _, status := total(tok.Token, scope); status != 403 {
			t.Errorf("ana on %s: %d, want 403", scope, status)
		}
	}
	for _, scope := range []string{"aws/billing/012345678901", "mg/root"} {
		if got, status := total(h.admin, scope); status != 200 || got.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
			t.Errorf("admin on %s: %d %s, want %s", scope, status, got, want.BilledCost)
		}
	}
	var res cost.Result
	if status := h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "mg/empty"}, &res); status != 200 || len(res.Rows) != 0 || len(res.Columns) != 2 {
		t.Errorf("an empty group: %d %+v, want no rows", status, res)
	}
	var e ErrorBody
	if status := h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "mg/root", "granularity": "weekly"}, &e); status != 400 || e.Error.Code != cost.EInvalid {
		t.Errorf("a bad granularity: %d %+v", status, e)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
