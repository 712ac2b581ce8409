package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// organisation is a generated bill of two months (October and November
// 2026) loaded into the harness, its accounts named in the catalog and
// split between two groups, mg/prod (the first two) and mg/dev (the rest).
type organisation struct {
	h        *harness
	want     *synth.Totals
	accounts []string // sorted
}

func newOrganisation(t *testing.T) *organisation {
	h := exportHarness(t)
	ctx := context.Background()
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 21, RowsPerMonth: 1200, Months: 2,
		Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	loader := &ingest.Loader{Store: h.store, Format: cursource.Format{}, Clock: fixedClock{}}
	if _, err := loader.IngestPath(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	o := &organisation{h: h, want: want}
	for a := range want.ByAccount {
		o.accounts = append(o.accounts, a)
	}
	sort.Strings(o.accounts)
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		conn, billing := cost.ScopeID("connectors/demo"), cost.ScopeID("aws/billing/012345678901")
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: conn, Name: "demo"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer", Connector: conn}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "mg/prod", Name: "Production"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "mg/dev", Name: "Development"}))
		for i, a := range o.accounts {
			group := cost.ScopeID("mg/dev")
			if i < 2 {
				group = "mg/prod"
			}
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID("aws/accounts/" + a), Name: "Account " + a[len(a)-3:], Group: group,
				BillingAccount: billing, Connector: conn}))
		}
	})
	return o
}

// sum posts the query body and returns the sum of the first measure.
func (o *organisation) sum(t *testing.T, body map[string]any) decimal.Decimal {
	t.Helper()
	var res cost.Result
	if status := o.h.do(o.h.admin, "POST", "/api/v1/query", body, &res); status != 200 {
		t.Fatalf("%v: %d", body, status)
	}
	total := decimal.Zero
	for _, row := range res.Rows {
		total = total.Add(row.Cost)
	}
	return total
}

func sumOf(sums map[string]synth.Sum, keep func(string) bool) decimal.Decimal {
	total := decimal.Zero
	for k, s := range sums {
		if keep(k) {
			total = total.Add(decimal.MustParse(s.BilledCost))
		}
	}
	return total
}

func TestAGroupsTotalIsTheSumOfItsChildren(t *testing.T) {
	o := newOrganisation(t)
	byGroup := map[string]decimal.Decimal{}
	for i, a := range o.accounts {
		group := "mg/dev"
		if i < 2 {
			group = "mg/prod"
		}
		byGroup[group] = byGroup[group].Add(decimal.MustParse(o.want.ByAccount[a].BilledCost))
		if got := o.sum(t, map[string]any{"scope": "aws/accounts/" + a}); got.Cmp(decimal.MustParse(o.want.ByAccount[a].BilledCost)) != 0 {
			t.Errorf("account %s: %s, want %s", a, got, o.want.ByAccount[a].BilledCost)
		}
	}
	for group, want := range byGroup {
		if got := o.sum(t, map[string]any{"scope": group}); got.Cmp(want) != 0 {
			t.Errorf("%s: %s, want the sum of its accounts %s", group, got, want)
		}
	}
	root := o.sum(t, map[string]any{"scope": "mg/root"})
	if root.Cmp(byGroup["mg/prod"].Add(byGroup["mg/dev"])) != 0 || root.Cmp(decimal.MustParse(o.want.BilledCost)) != 0 {
		t.Errorf("mg/root: %s, want %s + %s = %s", root, byGroup["mg/prod"], byGroup["mg/dev"], o.want.BilledCost)
	}
}

func TestTopServicesAndOthersAddUpToTheTotal(t *testing.T) {
	o := newOrganisation(t)
	var res cost.Result
	o.h.do(o.h.admin, "POST", "/api/v1/query", map[string]any{"scope": "mg/root", "groupBy": []string{"ServiceName"}, "top": 2}, &res)
	if len(res.Rows) != 3 || res.Rows[2].Groups[0] != cost.Others {
		t.Fatalf("rows %v, want two services and Others", res.Rows)
	}
	// The two largest services by the generator's totals, then the rest.
	type svc struct {
		name string
		cost decimal.Decimal
	}
	var all []svc
	for name, s := range o.want.ByService {
		all = append(all, svc{name, decimal.MustParse(s.BilledCost)})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].cost.Cmp(all[j].cost) > 0 })
	others := decimal.Zero
	for _, s := range all[2:] {
		others = others.Add(s.cost)
	}
	for i, want := range []svc{all[0], all[1], {cost.Others, others}} {
		if row := res.Rows[i]; row.Groups[0] != want.name || row.Cost.Cmp(want.cost) != 0 {
			t.Errorf("row %d = %s %s, want %s %s", i, row.Groups[0], row.Cost, want.name, want.cost)
		}
	}
}

// TestPagesFollowedByNextLinkAreTheWholeAnswer: a daily answer by resource
// in pages of 50, each fetched by posting the body to the previous page's
// nextLink, concatenates to the answer in one page; a token of another
// query is refused.
func TestPagesFollowedByNextLinkAreTheWholeAnswer(t *testing.T) {
	o := newOrganisation(t)
	body := map[string]any{"scope": "mg/root", "granularity": "daily", "groupBy": []string{"ResourceId"}}
	var whole cost.Result
	o.h.do(o.h.admin, "POST", "/api/v1/query", body, &whole)
	if len(whole.Rows) < 200 || whole.NextLink != "" {
		t.Fatalf("the whole answer has %d rows and link %q", len(whole.Rows), whole.NextLink)
	}
	body["pageSize"] = 50
	var rows []cost.ResultRow
	link, pages := "/api/v1/query", 0
	for link != "" {
		var page cost.Result
		if status := o.h.do(o.h.admin, "POST", strings.TrimPrefix(link, o.h.srv.URL), body, &page); status != 200 {
			t.Fatalf("page %d: %d", pages, status)
		}
		rows, link, pages = append(rows, page.Rows...), page.NextLink, pages+1
	}
	if fmt.Sprint(rows) != fmt.Sprint(whole.Rows) || pages != (len(whole.Rows)+49)/50 {
		t.Errorf("%d pages of %d rows differ from the whole answer of %d", pages, len(rows), len(whole.Rows))
	}
	var first cost.Result
	o.h.do(o.h.admin, "POST", "/api/v1/query", body, &first)
	body["groupBy"] = []string{"ServiceName"}
	var e ErrorBody
	if status := o.h.do(o.h.admin, "POST", strings.TrimPrefix(first.NextLink, o.h.srv.URL), body, &e); status != 400 ||
		!strings.Contains(e.Error.Message, "belongs to another query") {
		t.Errorf("another query's token: %d %+v", status, e)
	}
}

func TestCSVExportStreamsTheExactAnswer(t *testing.T) {
	o := newOrganisation(t)
	body := map[string]any{"scope": "mg/prod", "granularity": "monthly", "groupBy": []string{"SubAccountName", "ServiceName"}}
	var res cost.Result
	o.h.do(o.h.admin, "POST", "/api/v1/query", body, &res)
	req, _ := http.NewRequest("POST", o.h.srv.URL+"/api/v1/query", strings.NewReader(
		`{"scope":"mg/prod","granularity":"monthly","groupBy":["SubAccountName","ServiceName"]}`))
	req.Header.Set("Authorization", "Bearer "+o.h.admin)
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || lines[0] != "Cost,Currency,Date,SubAccountName,ServiceName" {
		t.Fatalf("%s %q", resp.Header.Get("Content-Type"), lines[0])
	}
	if len(lines)-1 != len(res.Rows) {
		t.Fatalf("%d CSV rows, %d JSON rows", len(lines)-1, len(res.Rows))
	}
	names := map[string]bool{}
	total := decimal.Zero
	for i, row := range res.Rows {
		want := fmt.Sprintf("%s,%s,%s,%s,%s", row.Cost.Append(nil, cost.CostDecimals), row.Currency,
			row.Date.Format(time.DateOnly), row.Groups[0], row.Groups[1])
		if lines[i+1] != want && lines[i+1] != strings.Replace(want, ","+row.Groups[1], `,"`+row.Groups[1]+`"`, 1) {
			t.Errorf("CSV line %d = %q, want %q", i+1, lines[i+1], want)
		}
		names[row.Groups[0]] = true
		total = total.Add(row.Cost)
	}
	// Legacy CURs have no account names: the catalog's fill them in.
	want := map[string]bool{"Account " + o.accounts[0][9:]: true, "Account " + o.accounts[1][9:]: true}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("SubAccountName values %v, want the catalog's names %v", names, want)
	}
	prod := decimal.MustParse(o.want.ByAccount[o.accounts[0]].BilledCost).Add(decimal.MustParse(o.want.ByAccount[o.accounts[1]].BilledCost))
	if total.Cmp(prod) != 0 {
		t.Errorf("mg/prod total %s, want %s", total, prod)
	}
}

// TestTimeframesFollowTheClockAndTheBill: the harness's clock says
// 2026-11-25 12:00 UTC.
func TestTimeframesFollowTheClockAndTheBill(t *testing.T) {
	o := newOrganisation(t)
	for _, tt := range []struct {
		timeframe string
		want      decimal.Decimal
	}{
		{"MonthToDate", sumOf(o.want.ByDay, func(d string) bool { return d >= "2026-11-01" && d <= "2026-11-25" })},
		{"TheLastMonth", sumOf(o.want.ByDay, func(d string) bool { return strings.HasPrefix(d, "2026-10") })},
		{"TheLastBillingMonth", decimal.MustParse(o.want.ByPeriod["2026-10"].BilledCost)},
		{"BillingMonthToDate", decimal.MustParse(o.want.ByPeriod["2026-11"].BilledCost)},
		{"WeekToDate", sumOf(o.want.ByDay, func(d string) bool { return d >= "2026-11-23" && d <= "2026-11-25" })},
	} {
		if got := o.sum(t, map[string]any{"scope": "mg/root", "timeframe": tt.timeframe}); got.Cmp(tt.want) != 0 {
			t.Errorf("%s: %s, want %s", tt.timeframe, got, tt.want)
		}
	}
}

func TestBadQueriesSayWhatIsWrong(t *testing.T) {
	o := newOrganisation(t)
	for _, tt := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"scope": "mg/root", "groupBy": []string{"Nope"}}, "unknown dimension \"Nope\": use one of ProviderName"},
		{map[string]any{"scope": "mg/root", "filter": "ServiceName like x"}, "expected =, !=, in, not in, contains"},
		{map[string]any{"scope": "mg/root", "groupBy": []string{"ServiceName", "RegionId", "SubAccountId"}}, "at most 2 group-by dimensions"},
		{map[string]any{"scope": "mg/root", "from": "2026-02-30"}, "write a day as YYYY-MM-DD"},
		{map[string]any{"scope": "mg/root", "from": "2026-11-02", "to": "2026-11-01"}, "the range is empty"},
		{map[string]any{"scope": "mg/root", "timeframe": "LastDecade"}, "unknown timeframe"},
		{map[string]any{"scope": "mg/root", "measures": []string{"Profit"}}, "unknown measure"},
		{map[string]any{"scope": "mg/root", "top": 5}, "top needs a group-by"},
		{map[string]any{"scope": "mg/root", "orderBy": []string{"RegionId"}}, "cannot sort by \"RegionId\""},
	} {
		var e ErrorBody
		if status := o.h.do(o.h.admin, "POST", "/api/v1/query", tt.body, &e); status != 400 || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("%v: %d %q, want 400 with %q", tt.body, status, e.Error.Message, tt.want)
		}
	}
}

// TestAnAccountRenamedByAUserKeepsItsName: PATCH /api/v1/scopes/{id}
// names a linked account for a Contributor; queries by SubAccountName show
// the name, and a later registration with the name AWS Organizations
// gives does not replace it.
func TestAnAccountRenamedByAUserKeepsItsName(t *testing.T) {
	o := newOrganisation(t)
	h, account := o.h, "aws/accounts/"+o.accounts[0]
	h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": "rita"}, nil)
	h.do(h.admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": "rita", "role": "Reader", "scope": account}, nil)
	var tok tokenView
	h.do(h.admin, "POST", "/api/v1/users/rita/tokens", nil, &tok)
	var e ErrorBody
	if status := h.do(tok.Token, "PATCH", "/api/v1/scopes/"+account, map[string]string{"name": "Web shop"}, &e); status != 403 {
		t.Errorf("a Reader renames: %d %+v, want 403", status, e)
	}
	if status := h.do(h.admin, "PATCH", "/api/v1/scopes/connectors/demo", map[string]string{"name": "x"}, &e); status != 400 ||
		!strings.Contains(e.Error.Message, "--display-name") {
		t.Errorf("a connector: %d %+v, want 400", status, e)
	}
	if status := h.do(h.admin, "PATCH", "/api/v1/scopes/"+account, map[string]string{"name": "Web shop"}, nil); status != 200 {
		t.Fatalf("rename: %d", status)
	}
	names := func() map[string]bool {
		var res cost.Result
		h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "mg/prod", "groupBy": []string{"SubAccountName"}}, &res)
		out := map[string]bool{}
		for _, row := range res.Rows {
			out[row.Groups[0]] = true
		}
		return out
	}
	if got := names(); !got["Web shop"] || len(got) != 2 {
		t.Errorf("names in mg/prod: %v, want Web shop and the other account's", got)
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		_, err := cost.RegisterAccounts(ctx, tx, cost.Registration{
			BillingAccount: cost.Account{ID: "aws/billing/012345678901", Name: "Payer"},
			Accounts:       []cost.Account{{ID: cost.ScopeID(account), Name: "prod-web-1 (from Organizations)"}},
			Connector:      "connectors/demo", Owner: AdminUser, Time: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
		must(t, err)
	})
	if got := names(); !got["Web shop"] {
		t.Errorf("after a registration with Organizations' name: %v, want Web shop kept", got)
	}
}
