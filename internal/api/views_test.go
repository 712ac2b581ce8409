package api

import (
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// userWithRole creates a user through the API, gives it the role on the
// scope (none when role is empty) and returns its token.
func userWithRole(t *testing.T, h *harness, name string, role cost.Role, scope cost.ScopeID) string {
	t.Helper()
	if got := h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": name}, nil); got != 201 {
		t.Fatalf("create user %s: %d", name, got)
	}
	var tok tokenView
	if got := h.do(h.admin, "POST", "/api/v1/users/"+name+"/tokens", nil, &tok); got != 201 {
		t.Fatalf("create %s's token: %d", name, got)
	}
	if role != "" {
		if got := h.do(h.admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": name, "role": string(role), "scope": string(scope)}, nil); got != 201 {
			t.Fatalf("give %s %s on %s: %d", name, role, scope, got)
		}
	}
	return tok.Token
}

// dailyByService is a view's query: a time chart's.
var dailyByService = cost.QuerySpec{Timeframe: "MonthToDate", Granularity: "daily", GroupBy: []string{"ServiceName"}}

func TestSavedViewsFollowTheRolesOnTheirScope(t *testing.T) {
	h := newHarness(t)
	carl := userWithRole(t, h, "carl", cost.RoleContributor, cost.RootGroup)
	rita := userWithRole(t, h, "rita", cost.RoleReader, cost.RootGroup)
	nora := userWithRole(t, h, "nora", "", "")
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // the harness's clock

	var v cost.SavedView
	body := map[string]any{"scope": "mg/root", "name": "Daily cost by service", "chart": "STACKEDCOLUMN", "query": dailyByService}
	if got := h.do(carl, "POST", "/api/v1/views", body, &v); got != 201 {
		t.Fatalf("carl saves a view: %d %+v", got, v)
	}
	want := cost.SavedView{ID: v.ID, Scope: cost.RootGroup, Name: "Daily cost by service", Chart: cost.ChartStackedColumn,
		Query: dailyByService, Created: now, CreatedBy: "carl", Updated: now, UpdatedBy: "carl"}
	if _, err := cost.ParseViewID(v.ID); err != nil || !reflect.DeepEqual(v, want) {
		t.Fatalf("the saved view: %+v\nwant %+v", v, want)
	}
	path := "/api/v1/views/" + v.ID

	// A Reader sees the view and cannot change it.
	var list struct{ Value []cost.SavedView }
	if got := h.do(rita, "GET", "/api/v1/views?scope=mg/root", nil, &list); got != 200 || !reflect.DeepEqual(list.Value, []cost.SavedView{want}) {
		t.Errorf("rita lists the root's views: %d %+v", got, list.Value)
	}
	var shown cost.SavedView
	if got := h.do(rita, "GET", path, nil, &shown); got != 200 || !reflect.DeepEqual(shown, want) {
		t.Errorf("rita reads the view: %d %+v", got, shown)
	}
	var e ErrorBody
	for _, call := range []struct{ method, path string }{{"PATCH", path}, {"DELETE", path}, {"POST", "/api/v1/views"}} {
		b := map[string]any{"name": "Mine"}
		if call.method == "POST" {
			b = map[string]any{"scope": "mg/root", "name": "Mine", "query": map[string]any{}}
		}
		if got := h.do(rita, call.method, call.path, b, &e); got != 403 || e.Error.Code != cost.EForbidden ||
			e.Error.Message != "rita may not change the views of mg/root: that needs Contributor on it" {
			t.Errorf("rita: %s %s: %d %+v, want 403 naming Contributor", call.method, call.path, got, e)
		}
	}

	// A user without a role on the scope may not list its views, and the
	// view's ID is as unknown to her as one that does not exist.
	if got := h.do(nora, "GET", "/api/v1/views?scope=mg/root", nil, &e); got != 403 ||
		e.Error.Message != "nora may not read mg/root: reading its views needs Reader on it" {
		t.Errorf("nora lists the root's views: %d %+v, want 403", got, e)
	}
	unknown := "/api/v1/views/" + cost.NewViewID()
	for _, call := range []struct{ token, method, path string }{
		{nora, "GET", path}, {nora, "PATCH", path}, {nora, "DELETE", path}, {carl, "GET", unknown}, {carl, "DELETE", unknown},
		{carl, "GET", "/api/v1/views/not-an-id"},
	} {
		if got := h.do(call.token, call.method, call.path, map[string]any{"name": "Hers"}, &e); got != 404 || e.Error.Code != cost.ENotFound ||
			!strings.Contains(e.Error.Message, "does not exist") {
			t.Errorf("%s %s: %d %+v, want 404", call.method, call.path, got, e)
		}
	}

	// The Contributor edits: the fields given change, the rest stay.
	later := cost.SavedView{}
	if got := h.do(carl, "PATCH", path, map[string]any{"name": "Monthly cost by service", "query": map[string]any{
		"timeframe": "YearToDate", "granularity": "monthly", "groupBy": []string{"ServiceName"}}}, &later); got != 200 {
		t.Fatalf("carl edits the view: %d %+v", got, later)
	}
	want.Name, want.Query = "Monthly cost by service", cost.QuerySpec{Timeframe: "YearToDate", Granularity: "monthly", GroupBy: []string{"ServiceName"}}
	if !reflect.DeepEqual(later, want) {
		t.Errorf("the edited view: %+v\nwant %+v", later, want)
	}
	if got := h.do(carl, "DELETE", path, nil, nil); got != 200 {
		t.Errorf("carl deletes the view: %d", got)
	}
	if got := h.do(rita, "GET", path, nil, &e); got != 404 {
		t.Errorf("the deleted view: %d, want 404", got)
	}
	if h.do(rita, "GET", "/api/v1/views?scope=mg/root", nil, &list); len(list.Value) != 0 {
		t.Errorf("views after the deletion: %+v", list.Value)
	}

	// Each change is in the audit log, on the view's scope.
	var log struct{ Value []cost.AuditEntry }
	h.do(h.admin, "GET", "/api/v1/auditLog", nil, &log)
	var got []string
	for _, a := range log.Value {
		if strings.HasPrefix(a.Action, "view.") {
			got = append(got, a.User+" "+a.Action+" "+string(a.Scope)+" "+a.Detail)
		}
	}
	wantLog := []string{
		"carl view.create mg/root " + v.ID + " Daily cost by service",
		"carl view.update mg/root " + v.ID + " Monthly cost by service: name, query",
		"carl view.delete mg/root " + v.ID + " Monthly cost by service",
	}
	if !reflect.DeepEqual(got, wantLog) {
		t.Errorf("the audit log's view entries:\n%q\nwant\n%q", got, wantLog)
	}
}

func TestSavedViewsAreValidated(t *testing.T) {
	h := newHarness(t)
	newConnector(t, h)
	var first cost.SavedView
	if got := h.do(h.admin, "POST", "/api/v1/views", map[string]any{"scope": "mg/root", "name": "Cost by account",
		"query": map[string]any{"groupBy": []string{"SubAccountId"}}}, &first); got != 201 || first.Chart != cost.ChartTable {
		t.Fatalf("a view without a chart: %d %+v, want a table", got, first)
	}
	if got := h.do(h.admin, "POST", "/api/v1/views", map[string]any{"scope": "mg/root", "name": "Daily", "chart": "line",
		"query": dailyByService}, nil); got != 201 {
		t.Fatalf("a second view: %d", got)
	}
	root := func(fields map[string]any) map[string]any {
		b := map[string]any{"scope": "mg/root", "name": "New view", "chart": "column", "query": dailyByService}
		for k, v := range fields {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name   string
		method string // POST to /api/v1/views, or PATCH the first view
		body   map[string]any
		status int
		msg    string // a part of the message
	}{
		{"a chart that is not one of the set", "POST", root(map[string]any{"chart": "donut"}), 400,
			`chart "donut" is not one of area, line, column, stackedColumn, bar, pie, table`},
		{"a chart that cannot draw the query", "POST", root(map[string]any{"chart": "pie"}), 400,
			"pie charts compare totals: leave the query's granularity none"},
		{"a query with an unknown dimension", "POST", root(map[string]any{"query": map[string]any{"groupBy": []string{"Colour"}}}), 400,
			`the view's query: unknown dimension "Colour"`},
		{"a query with a bad filter", "POST", root(map[string]any{"query": map[string]any{"granularity": "daily", "filter": "ServiceName ~ EC2"}}), 400,
			"the view's query: filter"},
		{"a query with an unknown field", "POST", root(map[string]any{"query": map[string]any{"colour": "red"}}), 400,
			`the request body has an unknown field "colour"`},
		{"no query", "POST", map[string]any{"scope": "mg/root", "name": "x"}, 400, "give the view's query"},
		{"no name", "POST", root(map[string]any{"name": ""}), 400, "give the view a name"},
		{"a name taken on the scope, in another case", "POST", root(map[string]any{"name": "COST BY ACCOUNT"}), 409,
			`mg/root already has a view named "Cost by account" (` + first.ID + `)`},
		{"a connector's scope", "POST", root(map[string]any{"scope": "connectors/acme"}), 400, "a connector has no costs of its own"},
		{"a scope that is not a scope ID", "POST", root(map[string]any{"scope": "root"}), 400, `scope ID "root" is not valid`},
		{"a scope that does not exist", "POST", root(map[string]any{"scope": "mg/nowhere"}), 403, "admin may not change the views of mg/nowhere"},
		{"an edit to a name taken", "PATCH", map[string]any{"name": "daily"}, 409, `mg/root already has a view named "Daily"`},
		{"an edit to a chart that cannot draw the query", "PATCH", map[string]any{"chart": "area"}, 400, "area charts plot cost over time: give the query a granularity"},
		{"an edit that moves the view", "PATCH", map[string]any{"scope": "aws/billing/012345678901"}, 400,
			"a view's scope cannot change: save the view on aws/billing/012345678901 and delete this one"},
		{"an edit of nothing", "PATCH", map[string]any{}, 400, "give what to change: name, chart or query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/api/v1/views"
			if tt.method == "PATCH" {
				path += "/" + first.ID
			}
			var e ErrorBody
			if got := h.do(h.admin, tt.method, path, tt.body, &e); got != tt.status || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("%d %q, want %d and %q", got, e.Error.Message, tt.status, tt.msg)
			}
		})
	}
	var list struct{ Value []cost.SavedView }
	h.do(h.admin, "GET", "/api/v1/views?scope=mg/root", nil, &list)
	if len(list.Value) != 2 || !reflect.DeepEqual(list.Value[0], first) || list.Value[1].Name != "Daily" {
		t.Errorf("after the refusals the root has %+v, want the two views as saved", list.Value)
	}
}

// TestASavedViewsQueryRunsAsSaved saves a view on a billing account of a
// loaded organisation and runs its query: POST /api/v1/query with the
// view's scope and query answers what the same query typed by hand does,
// and that answer sums to the generator's exact amortized totals.
func TestASavedViewsQueryRunsAsSaved(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 11, RowsPerMonth: 800, NetColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	loader := &ingest.Loader{Store: h.store, Format: cursource.Format{}, Clock: fixedClock{}}
	if _, err := loader.IngestPath(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	billing := cost.ScopeID("aws/billing/012345678901")
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: billing}))
	})
	query := map[string]any{"type": "amortized", "groupBy": []string{"SubAccountId"}, "orderBy": []string{"SubAccountId"}}
	var v cost.SavedView
	if got := h.do(h.admin, "POST", "/api/v1/views", map[string]any{"scope": billing, "name": "Amortized by account",
		"chart": "pie", "query": query}, &v); got != 201 {
		t.Fatalf("save the view: %d %+v", got, v)
	}
	var saved cost.SavedView
	h.do(h.admin, "GET", "/api/v1/views/"+v.ID, nil, &saved)
	var fromView, byHand cost.Result
	if got := h.do(h.admin, "POST", "/api/v1/query", struct {
		Scope cost.ScopeID `json:"scope"`
		cost.QuerySpec
	}{saved.Scope, saved.Query}, &fromView); got != 200 {
		t.Fatalf("run the view's query: %d", got)
	}
	query["scope"] = billing
	h.do(h.admin, "POST", "/api/v1/query", query, &byHand)
	if !reflect.DeepEqual(fromView, byHand) {
		t.Errorf("the view's answer %+v\ndiffers from the query's %+v", fromView, byHand)
	}
	if len(fromView.Rows) != len(want.ByAccount) {
		t.Fatalf("%d accounts in the answer, want %d", len(fromView.Rows), len(want.ByAccount))
	}
	total := decimal.Zero
	for _, row := range fromView.Rows {
		account := row.Groups[0]
		if row.Cost.Cmp(decimal.MustParse(want.ByAccount[account].EffectiveCost)) != 0 {
			t.Errorf("account %s: %s, want %s", account, row.Cost, want.ByAccount[account].EffectiveCost)
		}
		total = total.Add(row.Cost)
	}
	if total.Cmp(decimal.MustParse(want.EffectiveCost)) != 0 {
		t.Errorf("the view's total %s, want %s", total, want.EffectiveCost)
	}
}

// serveStore serves the store in dir with the given admin token; close
// what it returns before opening the folder again.
func serveStore(t *testing.T, dir, admin string) (*harness, func()) {
	t.Helper()
	ctx := context.Background()
	store, err := duckstore.Open(ctx, dir, duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := fixedClock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	if _, err := EnsureAdmin(ctx, store, clock, admin); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: store, admin: admin}
	h.srv = httptest.NewServer(New(Options{Catalog: store, Costs: store, Clock: clock}))
	return h, func() { h.srv.Close(); store.Close() }
}

func TestSavedViewsSurviveAStoreReopen(t *testing.T) {
	dir := t.TempDir()
	admin := "rkn_00112233445566ff_" + strings.Repeat("cd", 32)
	h, stop := serveStore(t, dir, admin)
	var made []cost.SavedView
	for _, name := range []string{"Daily cost by service", "Cost by account"} {
		var v cost.SavedView
		if got := h.do(admin, "POST", "/api/v1/views", map[string]any{"scope": "mg/root", "name": name, "chart": "area",
			"query": dailyByService}, &v); got != 201 {
			t.Fatalf("save %s: %d", name, got)
		}
		made = append(made, v)
	}
	stop()

	h, stop = serveStore(t, dir, admin)
	defer stop()
	var list struct{ Value []cost.SavedView }
	if got := h.do(admin, "GET", "/api/v1/views?scope=mg/root", nil, &list); got != 200 ||
		!reflect.DeepEqual(list.Value, []cost.SavedView{made[1], made[0]}) {
		t.Errorf("after a reopen: %d %+v\nwant %+v", got, list.Value, []cost.SavedView{made[1], made[0]})
	}
}
