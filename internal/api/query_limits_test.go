package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestQueryFiltersAreLimited sends, as a Reader, the bodies that took the
// server down: the limit answers 400 with what it is and what was sent.
func TestQueryFiltersAreLimited(t *testing.T) {
	h := newHarness(t)
	account := cost.ScopeID("aws/accounts/000000000001")
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		conn, billing := cost.ScopeID("connectors/demo"), cost.ScopeID("aws/billing/012345678901")
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: conn, Name: "demo"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer", Connector: conn}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: account, Name: "one", BillingAccount: billing, Connector: conn}))
		must(t, tx.PutUser(ctx, cost.User{Name: "ana"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleReader, Scope: account}))
	})
	var tok tokenView
	h.do(h.admin, "POST", "/api/v1/users/ana/tokens", nil, &tok)
	filters := func(n int, format string) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf(format, i))
		}
		return out
	}
	tests := []struct {
		name    string
		filters []string
		status  int
		wants   string
	}{
		{"50 filters on one dimension answer", filters(50, "RegionId=r%d"), 200, ""},
		{"50 filters on 50 tags answer", filters(50, "tag:k%d=v"), 200, ""},
		{"51 filters are refused", filters(51, "RegionId=r%d"), 400, "at most 50 filters; this one has 51"},
		{"1,000 filters on one dimension are refused", filters(1000, "RegionId=r%d"), 400, "at most 50 filters; this one has 1000"},
		{"300 filters on different dimensions are refused", filters(300, "tag:k%d=v"), 400, "at most 50 filters; this one has 300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e ErrorBody
			status := h.do(tok.Token, "POST", "/api/v1/query", map[string]any{"scope": account, "filters": tt.filters}, &e)
			if status != tt.status || tt.wants != "" && (e.Error.Code != cost.EInvalid || !strings.Contains(e.Error.Message, tt.wants)) {
				t.Errorf("%d %+v, want %d saying %q", status, e.Error, tt.status, tt.wants)
			}
		})
	}
}
