package api

import (
	"context"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/forecast"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// forecastToday is the fixed "now" of the forecast tests: the first day of
// December, after two generated months, October and November.
var forecastToday = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

// forecastHarness loads two months of a synthetic organisation, gives ana
// Reader on its first linked account, and returns her token, the account
// and the generator's exact totals.
func forecastHarness(t *testing.T) (h *harness, ana, account string, want *synth.Totals) {
	h = newHarness(t, func(o *Options) { o.Clock = fixedClock{forecastToday} })
	ctx := context.Background()
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 11, RowsPerMonth: 1500, NetColumns: true,
		Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Months: 2})
	if err != nil {
		t.Fatal(err)
	}
	loader := &ingest.Loader{Store: h.store, Format: cursource.Format{}, Clock: fixedClock{}}
	if _, err := loader.IngestPath(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	const payer = "012345678901"
	for a := range want.ByAccount {
		if a != payer && (account == "" || a < account) {
			account = a
		}
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		conn, billing := cost.ScopeID("connectors/demo"), cost.ScopeID("aws/billing/"+payer)
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: conn, Name: "demo"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer", Connector: conn}))
		for a := range want.ByAccount {
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID("aws/accounts/" + a), Name: a, BillingAccount: billing, Connector: conn}))
		}
		must(t, tx.PutUser(ctx, cost.User{Name: "ana"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleReader, Scope: cost.ScopeID("aws/accounts/" + account)}))
	})
	var tok tokenView
	if status := h.do(h.admin, "POST", "/api/v1/users/ana/tokens", nil, &tok); status != 201 {
		t.Fatalf("ana's token: %d", status)
	}
	return h, tok.Token, account, want
}

// actuals returns the answer's Actual points of its one currency, by day.
func actuals(t *testing.T, a *forecast.Answer) map[string]decimal.Decimal {
	t.Helper()
	if len(a.Series) != 1 {
		t.Fatalf("%d currencies, want 1", len(a.Series))
	}
	out := map[string]decimal.Decimal{}
	for _, p := range a.Series[0].Points {
		if p.Kind == forecast.Actual {
			out[p.Date.Format(time.DateOnly)] = p.Cost
		}
	}
	return out
}

// TestForecastActualsAreTheQuerysExactDailySums checks the actual part of
// a quarter's forecast against the generator's exact daily totals, for
// each cost type, and that the forecast runs to the end of the quarter.
func TestForecastActualsAreTheQuerysExactDailySums(t *testing.T) {
	h, _, _, want := forecastHarness(t)
	for _, tc := range []struct {
		body    map[string]any
		measure func(synth.Sum) string
	}{
		{map[string]any{"scope": "mg/root", "horizon": "quarter"}, func(s synth.Sum) string { return s.BilledCost }},
		{map[string]any{"scope": "mg/root", "horizon": "Quarter", "type": "amortized"}, func(s synth.Sum) string { return s.EffectiveCost }},
		{map[string]any{"scope": "mg/root", "horizon": "quarter", "measure": "EffectiveCost"}, func(s synth.Sum) string { return s.EffectiveCost }},
	} {
		var a forecast.Answer
		if status := h.do(h.admin, "POST", "/api/v1/forecast", tc.body, &a); status != 200 {
			t.Fatalf("%v: %d", tc.body, status)
		}
		got := actuals(t, &a)
		total := decimal.Zero
		for d := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); !d.After(forecastToday); d = d.AddDate(0, 0, 1) {
			day := d.Format(time.DateOnly)
			exact := decimal.Zero
			if sum, ok := want.ByDay[day]; ok {
				exact = decimal.MustParse(tc.measure(sum))
			}
			if g, ok := got[day]; !ok || g.Cmp(exact) != 0 {
				t.Errorf("%v: %s actual %s, want %s", tc.body, day, g, exact)
			}
			total = total.Add(exact)
		}
		s := a.Series[0]
		if len(got) != 62 || s.Actual.Cmp(total) != 0 {
			t.Errorf("%v: %d actual days summing to %s, want 62 summing to %s", tc.body, len(got), s.Actual, total)
		}
		last := s.Points[len(s.Points)-1]
		if last.Kind != forecast.Forecast || last.Date.Format(time.DateOnly) != "2026-12-31" || a.Horizon != forecast.Quarter ||
			a.Period.Start.Format(time.DateOnly) != "2026-10-01" || a.Period.End.Format(time.DateOnly) != "2027-01-01" {
			t.Errorf("%v: the forecast ends with %+v over %+v", tc.body, last, a.Period)
		}
		// The total is the complete days' actuals plus every forecast day.
		expected := total
		for _, p := range s.Points {
			if p.Kind == forecast.Forecast {
				expected = expected.Add(p.Cost)
			}
		}
		if s.Total.Cmp(expected) != 0 {
			t.Errorf("%v: total %s, want %s", tc.body, s.Total, expected)
		}
	}
}

// TestForecastFollowsTheCallersRights: a Reader of one linked account gets
// exactly that account's actuals, whatever filter she adds, and nothing of
// a scope she cannot read.
func TestForecastFollowsTheCallersRights(t *testing.T) {
	h, ana, account, want := forecastHarness(t)
	mine := "aws/accounts/" + account
	other := ""
	for a := range want.ByAccount {
		if a != account {
			other = a
		}
	}
	for _, body := range []map[string]any{
		{"scope": mine, "horizon": "quarter"},
		{"scope": mine, "horizon": "quarter", "filter": "SubAccountId in (" + other + ") or not SubAccountId in (" + other + ")"},
	} {
		var a forecast.Answer
		if status := h.do(ana, "POST", "/api/v1/forecast", body, &a); status != 200 {
			t.Fatalf("ana on her account: %d", status)
		}
		if got, exact := a.Series[0].Actual, decimal.MustParse(want.ByAccount[account].BilledCost); got.Cmp(exact) != 0 {
			t.Errorf("ana's actuals with %v: %s, want her account's %s", body, got, exact)
		}
	}
	var a forecast.Answer
	if status := h.do(ana, "POST", "/api/v1/forecast", map[string]any{"scope": mine, "filters": []string{"SubAccountId=" + other}}, &a); status != 200 || len(a.Series) != 0 {
		t.Errorf("ana asks for another account's cost on hers: %d %+v, want nothing", status, a.Series)
	}
	for _, scope := range []string{"mg/root", "aws/billing/012345678901", "aws/accounts/" + other} {
		var e ErrorBody
		if status := h.do(ana, "POST", "/api/v1/forecast", map[string]any{"scope": scope}, &e); status != 403 || e.Error.Code != cost.EForbidden {
			t.Errorf("ana on %s: %d %+v, want 403", scope, status, e)
		}
	}
}

func TestForecastRejectsBadInputPrecisely(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Clock = fixedClock{forecastToday} })
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"an unknown horizon", map[string]any{"scope": "mg/root", "horizon": "week"},
			`horizon "week" is not one of month, quarter, year`},
		{"a type and a measure", map[string]any{"scope": "mg/root", "type": "actual", "measure": "BilledCost"},
			"give a type or a measure, not both"},
		{"a quantity", map[string]any{"scope": "mg/root", "measure": "ConsumedQuantity"},
			"a forecast sums a cost, not ConsumedQuantity: give one of BilledCost, EffectiveCost, ListCost, x_UnblendedCost"},
		{"an unknown cost type", map[string]any{"scope": "mg/root", "type": "net"},
			`cost type "net" is not one of actual, amortized, unblended`},
		{"a legacy filter without =", map[string]any{"scope": "mg/root", "filters": []string{"ServiceName"}},
			`filter "ServiceName": write COL=VALUE or tag:KEY=VALUE`},
		{"a filter expression that does not parse", map[string]any{"scope": "mg/root", "filter": "ServiceName in (EC2"},
			"filter, at character 20: expected , or ), found the end"},
		{"an unknown field", map[string]any{"scope": "mg/root", "granularity": "daily"},
			`the request body has an unknown field "granularity"`},
		{"no scope", map[string]any{"horizon": "month"},
			`scope ID "" is not valid: use mg/<id>, azure/subscriptions/<guid>, azure/billingAccounts/<id>, aws/billing/<12-digit payer id>, aws/accounts/<12-digit account id>, providers/<provider>/billingAccounts/<id>, providers/<provider>/accounts/<id> or connectors/<name>`},
	} {
		var e ErrorBody
		if status := h.do(h.admin, "POST", "/api/v1/forecast", tc.body, &e); status != 400 || e.Error.Code != cost.EInvalid || e.Error.Message != tc.want {
			t.Errorf("%s: %d %q, want 400 %q", tc.name, status, e.Error.Message, tc.want)
		}
	}
	// A scope with no cost forecasts nothing and says why.
	var a forecast.Answer
	if status := h.do(h.admin, "POST", "/api/v1/forecast", map[string]any{"scope": "mg/root"}, &a); status != 200 || len(a.Series) != 0 ||
		len(a.Notes) != 1 || a.Notes[0] != "no cost since 2026-09-08 to learn from: the forecast is zero" {
		t.Errorf("an empty store: %d %+v", status, a)
	}
}
