package main

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

const viewTestAdmin = "rkn_0011223344556677_" + "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"

// serveInProcess serves the store in data through the API at the clock's
// time, as the administrator whose token RECKON_TOKEN then holds.
func serveInProcess(t *testing.T, data string, clock cost.Clock) string {
	t.Helper()
	ctx := context.Background()
	store, err := duckstore.Open(ctx, data, duckstore.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := api.EnsureAdmin(ctx, store, clock, viewTestAdmin); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Catalog: store, Costs: store, Clock: clock}))
	t.Cleanup(srv.Close)
	t.Setenv("RECKON_TOKEN", viewTestAdmin)
	return srv.URL
}

var viewIDLine = regexp.MustCompile(`^Saved view ([0-9a-f]{16}), `)

func TestViewCommandsCreateListShowAndDelete(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	server := serveInProcess(t, t.TempDir(), fixedClock{now})
	at := func(args ...string) (int, string, string) { return cliAt(t, fixedClock{now}, args...) }

	code, out, stderr := at("view", "create", "--server", server, "--scope", "mg/root", "--name", "Daily EC2 and S3",
		"--chart", "stackedcolumn", "--timeframe", "MonthToDate", "--granularity", "daily", "--group-by", "ServiceName",
		"--filter", "ServiceName in (EC2, S3)", "--type", "amortized")
	m := viewIDLine.FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.HasSuffix(out, `"Daily EC2 and S3" (stackedColumn) on mg/root.`+"\n") {
		t.Fatalf("view create: %d %q %s", code, out, stderr)
	}
	id := m[1]

	code, out, _ = at("view", "list", "--server", server, "--scope", "mg/root")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !regexp.MustCompile(`^ID +NAME +CHART +QUERY +UPDATED$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^`+id+` +Daily EC2 and S3 +stackedColumn +MonthToDate, daily, amortized, by ServiceName, filtered +2026-11-28$`).MatchString(lines[1]) {
		t.Errorf("view list: %d\n%s", code, out)
	}

	code, out, _ = at("view", "show", "--server", server, id)
	for _, want := range []string{`(?m)^Name +Daily EC2 and S3$`, `(?m)^Created +2026-11-28 09:30 UTC by admin$`,
		`(?m)^  timeframe +MonthToDate$`, `(?m)^  groupBy +ServiceName$`, `(?m)^  filter +ServiceName in \(.*EC2.*S3.*\)$`} {
		if code != 0 || !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("view show lacks %s: %d\n%s", want, code, out)
		}
	}

	if code, out, _ = at("view", "delete", "--server", server, id); code != 0 || out != "Deleted view "+id+".\n" {
		t.Errorf("view delete: %d %q", code, out)
	}
	if code, _, stderr = at("view", "show", "--server", server, id); code != 1 || !strings.Contains(stderr, "view "+id+" does not exist") {
		t.Errorf("view show after the deletion: %d %s", code, stderr)
	}
}

func TestViewCommandsRefuseBadInput(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	server := serveInProcess(t, t.TempDir(), fixedClock{now})
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"create without a name", []string{"view", "create", "--scope", "mg/root"}, 2, "--scope and --name are required"},
		{"create with a chart not in the set", []string{"view", "create", "--scope", "mg/root", "--name", "x", "--chart", "donut"}, 2,
			`--chart "donut": use one of area, line, column, stackedColumn, bar, pie or table`},
		{"create with a chart that cannot draw the query", []string{"view", "create", "--scope", "mg/root", "--name", "x", "--chart", "line"}, 1,
			"line charts plot cost over time: give the query a granularity"},
		{"create on a connector", []string{"view", "create", "--scope", "connectors/acme", "--name", "x"}, 1,
			"a connector has no costs of its own"},
		{"list without a scope", []string{"view", "list"}, 2, "--scope is required"},
		{"show without an ID", []string{"view", "show"}, 2, "give one view ID, as `reckon view list --scope S` shows; got 0 arguments"},
		{"show of an ID that is not one", []string{"view", "show", "../users"}, 1, `view "../users" does not exist: a view ID is 16 hex digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cliAt(t, fixedClock{now}, append(tt.args, "--server", server)...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, %q; want %d and %q", code, stderr, tt.code, tt.msg)
			}
		})
	}
}

// TestTheDemoShipsViewsThatRun runs the demo, serves its folder and runs
// each saved view's query through the API: the charge-category view sums
// to the generator's exact amortized cost of the last billing month, and
// the account view to the whole bill.
func TestTheDemoShipsViewsThatRun(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	want, err := synth.WriteBucket(t.TempDir(), synth.DemoOptions(now))
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	code, out, stderr := cliAt(t, fixedClock{now}, "demo", "--once", "--data", data)
	if code != 0 || !strings.Contains(out, "Saved views, for the web UI and `reckon view`") {
		t.Fatalf("demo exited %d: %s\n%s", code, stderr, out)
	}
	server := serveInProcess(t, data, fixedClock{now})
	t.Setenv("RECKON_TOKEN", demoTokens(t, out)["admin"]) // the folder's administrator is the demo's
	c, err := newAPIClient(server)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var views []cost.SavedView
	for _, scope := range []string{"mg/root", "aws/billing/012345678901"} {
		var res struct{ Value []cost.SavedView }
		if err := c.do(ctx, "GET", "/api/v1/views?scope="+scope, nil, &res); err != nil {
			t.Fatal(err)
		}
		views = append(views, res.Value...)
	}
	if len(views) != len(demoViews) {
		t.Fatalf("%d views saved, want %d: %+v", len(views), len(demoViews), views)
	}
	wantTotals := map[string]string{
		"Amortized cost by charge category, last billing month": want.ByPeriod["2026-10"].EffectiveCost,
		"Cost by account, monthly":                              want.BilledCost,
	}
	for _, v := range views {
		var res cost.Result
		body := struct {
			Scope cost.ScopeID `json:"scope"`
			cost.QuerySpec
		}{v.Scope, v.Query}
		if err := c.do(ctx, "POST", "/api/v1/query", body, &res); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if len(res.Rows) == 0 || !strings.Contains(out, v.ID+"  "+v.Name) {
			t.Errorf("%s: %d rows; the demo's output names it: %v", v.Name, len(res.Rows), strings.Contains(out, v.ID))
		}
		if wantTotal, ok := wantTotals[v.Name]; ok {
			total := decimal.Zero // in dollars: the Azure subscriptions' euros are rows of their own
			for _, row := range res.Rows {
				if row.Currency == "USD" {
					total = total.Add(row.Cost)
				}
			}
			if total.Cmp(decimal.MustParse(wantTotal)) != 0 {
				t.Errorf("%s: total %s, want %s", v.Name, total, wantTotal)
			}
		}
	}
}
