package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/azexport"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/focusfile"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// exportHarness is a server whose store also answers the FOCUS export.
func exportHarness(t *testing.T) *harness {
	return newHarness(t, func(o *Options) { o.Rows = o.Costs.(*duckstore.Store) })
}

// get sends GET path with the token and returns the status, the headers
// and the body.
func (h *harness) get(token, path string) (int, http.Header, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// loadFOCUS reads a FOCUS CSV export into a store of its own, in a fresh
// data folder, as one load of Reckon's own rows.
func loadFOCUS(t *testing.T, data []byte) *duckstore.Store {
	t.Helper()
	s, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	rd, err := focusfile.NewReader(bytes.NewReader(data), "export.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "focus-export", Version: "1"}, rd); err != nil {
		t.Fatal(err)
	}
	return s
}

// sameTotals checks that the two stores give identical totals of every
// measure grouped by every dimension and by every tag key: in a, the rows
// of the view; in b, all of them.
func sameTotals(t *testing.T, a, b *duckstore.Store, view []cost.Filter, tagged bool) {
	t.Helper()
	ctx := context.Background()
	dims := []cost.Dimension{}
	for _, c := range cost.Dimensions {
		dims = append(dims, cost.Dimension{Column: c})
	}
	keys := map[string]bool{}
	err := a.Rows(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, View: view}, func(r *cost.Row) error {
		for _, tag := range r.Tags {
			keys[tag.Key] = true
		}
		return nil
	})
	must(t, err)
	for k := range keys {
		dims = append(dims, cost.Dimension{Tag: k})
	}
	if tagged && len(keys) == 0 {
		t.Error("the rows have no tags: the test checks less than it says")
	}
	for _, d := range append(dims, cost.Dimension{}) { // and the total
		q := &cost.Query{Granularity: cost.GranularityNone, Measures: cost.AllMeasures, Whole: true}
		if d != (cost.Dimension{}) {
			q.GroupBy = []cost.Dimension{d}
		}
		onA := *q
		onA.View = view
		ra, err := a.Query(ctx, &onA)
		must(t, err)
		rb, err := b.Query(ctx, q)
		must(t, err)
		if d == (cost.Dimension{}) && len(ra.Rows) == 0 {
			t.Error("the store has no rows: the test compares nothing")
		}
		if got, want := answerText(rb), answerText(ra); got != want {
			t.Errorf("by %s the export's totals are\n%s\nthe store's\n%s", d.Name(), got, want)
		}
	}
}

func answerText(r *cost.Result) string {
	var b strings.Builder
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "%s %s %s %v\n", row.Groups, row.Currency, row.Cost, row.More)
	}
	return b.String()
}

// TestTheFOCUSExportOfGeneratedAWSDataRoundTrips loads a synthetic
// organisation, exports its billing account through the API, reads the
// file into a fresh data folder, and compares the totals by every
// dimension; the first store's total is the generator's own.
func TestTheFOCUSExportOfGeneratedAWSDataRoundTrips(t *testing.T) {
	h := exportHarness(t)
	want := loadSynth(t, h)
	status, header, body := h.get(h.admin, "/api/v1/export?scope=aws/billing/012345678901&format=focus-csv")
	if status != 200 {
		t.Fatalf("export: %d %s", status, body)
	}
	if ct, cd := header.Get("Content-Type"), header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" ||
		cd != "attachment; filename=focus_aws-billing-012345678901.csv" {
		t.Errorf("Content-Type %q, Content-Disposition %q", ct, cd)
	}
	exported := loadFOCUS(t, body)
	billing := []cost.Filter{{Dimension: cost.Dimension{Column: "BillingAccountId"}, Values: []string{"012345678901"}}}
	sameTotals(t, h.store, exported, billing, true)
	res, err := exported.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	must(t, err)
	if len(res.Rows) != 1 || res.Rows[0].Cost.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("the export's BilledCost is %v, the generator's %s", res.Rows, want.BilledCost)
	}
}

// TestTheFOCUSExportKeepsOnlyTheFiltersRows: with ?filter= (the query's
// language) the export holds the rows a query with that filter sums, and
// its BilledCost is that query's actual cost.
func TestTheFOCUSExportKeepsOnlyTheFiltersRows(t *testing.T) {
	h := exportHarness(t)
	loadSynth(t, h)
	const scope, filter = "aws/billing/012345678901", `ChargeCategory in ("Usage")`
	status, _, body := h.get(h.admin, "/api/v1/export?"+url.Values{"scope": {scope}, "format": {"focus-csv"}, "filter": {filter}}.Encode())
	if status != 200 {
		t.Fatalf("export: %d %s", status, body)
	}
	rd, err := focusfile.NewReader(bytes.NewReader(body), "export.csv")
	must(t, err)
	billed, rows := decimal.Zero, 0
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if r.ChargeCategory != "Usage" {
			t.Fatalf("the export of %s has a row of ChargeCategory %s", filter, r.ChargeCategory)
		}
		billed, rows = billed.Add(r.BilledCost), rows+1
	}
	var res cost.Result
	h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": scope, "filter": filter}, &res)
	if len(res.Rows) != 1 || res.Rows[0].Cost.Cmp(billed) != 0 || rows == 0 {
		t.Errorf("the export of %s: %d rows, BilledCost %s; the query: %+v", filter, rows, billed, res.Rows)
	}
	_, _, all := h.get(h.admin, "/api/v1/export?scope="+scope+"&format=focus-csv")
	if len(all) <= len(body) {
		t.Errorf("the filtered export (%d bytes) is no smaller than the whole (%d)", len(body), len(all))
	}
}

// loadSynth loads generated CUR data into the harness's store and makes
// its payer a billing account scope with its linked accounts; the admin
// owns the billing account.
func loadSynth(t *testing.T, h *harness) *synth.Totals {
	t.Helper()
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 11, RowsPerMonth: 1200, NetColumns: true})
	must(t, err)
	loader := &ingest.Loader{Store: h.store, Format: cursource.Format{}, Clock: fixedClock{}}
	if _, err := loader.IngestPath(context.Background(), bucket); err != nil {
		t.Fatal(err)
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		billing := cost.ScopeID("aws/billing/012345678901")
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer"}))
		for a := range want.ByAccount {
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID("aws/accounts/" + a), Name: a, BillingAccount: billing}))
		}
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: billing}))
	})
	return want
}

// TestTheFOCUSExportOfAzureExportsRoundTrips does the same with the Azure
// fixtures, read by azexport, exported from the root group, which holds
// their subscriptions.
func TestTheFOCUSExportOfAzureExportsRoundTrips(t *testing.T) {
	// The fixtures of ../shared/fixtures/azure, copied with their source
	// and licence into azexport's testdata, and azexport's own.
	local, _ := filepath.Glob("../azexport/testdata/*.csv")
	koku, _ := filepath.Glob("../azexport/testdata/koku/*.csv")
	paths := slices.Concat(local, koku)
	if len(paths) < 6 {
		t.Fatalf("found only the Azure fixtures %q", paths)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			h := exportHarness(t)
			subs := loadAzure(t, h, path)
			status, _, body := h.get(h.admin, "/api/v1/export?scope=mg/root&format=focus-csv")
			if status != 200 {
				t.Fatalf("export: %d %s", status, body)
			}
			view := []cost.Filter{{Dimension: cost.Dimension{Column: "SubAccountId"}, Values: subs}}
			sameTotals(t, h.store, loadFOCUS(t, body), view, false)
		})
	}
}

// loadAzure loads one Azure export into the harness's store and adds its
// subscriptions under the root group; it returns their IDs.
func loadAzure(t *testing.T, h *harness, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	rd, err := azexport.NewReader(f, path, azexport.Options{Amortized: strings.Contains(path, "amortized")})
	must(t, err)
	subs := map[string]bool{}
	src := rowFunc(func() (*cost.Row, error) {
		r, err := rd.Next()
		if err == nil && r.SubAccountID != "" {
			subs[r.SubAccountID] = true
		} else if err == nil {
			t.Errorf("a row without a subscription: the export of the root group leaves it out")
		}
		return r, err
	})
	if _, err := h.store.ReplacePeriods(context.Background(), cost.Load{Source: "azure/" + filepath.Base(path), Version: "1"}, src); err != nil {
		t.Fatal(err)
	}
	var ids []string
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		for s := range subs {
			id, err := cost.SubscriptionID(s)
			must(t, err)
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: id, Name: s})) // in the root group
			ids = append(ids, s)
		}
	})
	if len(ids) == 0 {
		t.Fatal("no subscription in the file")
	}
	return ids
}

type rowFunc func() (*cost.Row, error)

func (f rowFunc) Next() (*cost.Row, error) { return f() }

// TestTheFOCUSExportFollowsTheCallersRights: a Reader of one account gets
// its rows and no other's; no token is 401; another scope is 403.
func TestTheFOCUSExportFollowsTheCallersRights(t *testing.T) {
	h := exportHarness(t)
	want := loadSynth(t, h)
	var accounts []string
	for a := range want.ByAccount {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	mine := accounts[0]
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, tx.PutUser(ctx, cost.User{Name: "ana"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleReader, Scope: cost.ScopeID("aws/accounts/" + mine)}))
	})
	var tok tokenView
	h.do(h.admin, "POST", "/api/v1/users/ana/tokens", nil, &tok)

	status, _, body := h.get(tok.Token, "/api/v1/export?scope=aws/accounts/"+mine+"&format=focus-csv")
	if status != 200 {
		t.Fatalf("ana's export: %d %s", status, body)
	}
	rd, err := focusfile.NewReader(bytes.NewReader(body), "export.csv")
	must(t, err)
	billed, rows := decimal.Zero, 0
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if r.SubAccountID != mine {
			t.Fatalf("ana's export has a row of %s", r.SubAccountID)
		}
		billed, rows = billed.Add(r.BilledCost), rows+1
	}
	if w := want.ByAccount[mine]; billed.Cmp(decimal.MustParse(w.BilledCost)) != 0 || int64(rows) != w.Rows {
		t.Errorf("ana's export: %d rows, %s; the generator's %d rows, %s", rows, billed, w.Rows, w.BilledCost)
	}
	for _, c := range []struct {
		token, scope string
		status       int
	}{
		{"", "aws/accounts/" + mine, 401},
		{tok.Token, "aws/accounts/" + accounts[1], 403},
		{tok.Token, "aws/billing/012345678901", 403},
		{tok.Token, "mg/root", 403},
	} {
		status, _, body := h.get(c.token, "/api/v1/export?format=focus-csv&scope="+c.scope)
		if status != c.status || bytes.Contains(body, []byte("BilledCost")) {
			t.Errorf("export of %s with token %t: %d %s, want %d and no rows", c.scope, c.token != "", status, body, c.status)
		}
	}
}

func TestTheFOCUSExportRefusesBadParameters(t *testing.T) {
	h := exportHarness(t)
	for _, c := range []struct{ query, says string }{
		{"format=focus-csv", "give ?scope="},
		{"scope=mg/root", "format \"\": give ?format=focus-csv or ?format=focus-parquet"},
		{"scope=mg/root&format=csv", "format \"csv\""},
		{"scope=mg/root&format=focus-csv&from=2026-13-01", "from \"2026-13-01\": write a day as YYYY-MM-DD"},
		{"scope=mg/root&format=focus-csv&to=yesterday", "to \"yesterday\""},
		{"scope=mg/root&format=focus-csv&from=2026-09-01&to=2026-08-01", "the range is empty"},
		{"scope=mg/root&format=focus-csv&groupBy=ServiceName", "unknown parameter \"groupBy\""},
		{"scope=mg/root&format=focus-csv&format=focus-parquet", "given 2 times"},
		{"scope=nowhere&format=focus-csv", "is not valid"},
		{"scope=mg/root&format=focus-csv&filter=ServiceName+in+(", "filter, at character"},
	} {
		status, _, body := h.get(h.admin, "/api/v1/export?"+c.query)
		var e ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || status != 400 || e.Error.Code != cost.EInvalid || !strings.Contains(e.Error.Message, c.says) {
			t.Errorf("?%s: %d %s, want 400 saying %q", c.query, status, body, c.says)
		}
	}
	// As for a query, a scope that does not exist is one the caller may
	// not read: its existence is not told.
	if status, _, body := h.get(h.admin, "/api/v1/export?scope=mg/nothing&format=focus-csv"); status != 403 {
		t.Errorf("an unknown scope: %d %s, want 403", status, body)
	}
}

// TestTheFOCUSParquetExportHoldsTheRows exports as Parquet through the API
// and checks the file's totals with DuckDB's Parquet reader.
func TestTheFOCUSParquetExportHoldsTheRows(t *testing.T) {
	h := exportHarness(t)
	want := loadSynth(t, h)
	status, header, body := h.get(h.admin, "/api/v1/export?scope=aws/billing/012345678901&format=focus-parquet&from=2020-01-01")
	if status != 200 || header.Get("Content-Type") != "application/vnd.apache.parquet" ||
		header.Get("Content-Disposition") != "attachment; filename=focus_aws-billing-012345678901_from-2020-01-01.parquet" {
		t.Fatalf("export: %d %v", status, header)
	}
	file := filepath.Join(t.TempDir(), "export.parquet")
	must(t, os.WriteFile(file, body, 0o600))
	var billed string
	var rows int64
	must(t, h.store.DB().QueryRow("SELECT CAST(sum(BilledCost) AS VARCHAR), count(*) FROM read_parquet('"+file+"')").Scan(&billed, &rows))
	if decimal.MustParse(billed).Cmp(decimal.MustParse(want.BilledCost)) != 0 || rows != want.Rows {
		t.Errorf("the Parquet file holds %d rows, %s; the generator wrote %d rows, %s", rows, billed, want.Rows, want.BilledCost)
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "mg/empty", Name: "Empty"}))
	})
	status, _, body = h.get(h.admin, "/api/v1/export?scope=mg/empty&format=focus-parquet")
	if status != 200 || !bytes.HasPrefix(body, []byte("PAR1")) {
		t.Errorf("the export of an empty group: %d, %d bytes", status, len(body))
	}
}

// TestTheFOCUSExportRefusesAValueFOCUSDoesNotAllow: a stored row whose
// ServiceCategory is not a FOCUS 1.2 value stops the export with a message
// that names it, in both formats, rather than be written.
func TestTheFOCUSExportRefusesAValueFOCUSDoesNotAllow(t *testing.T) {
	h := exportHarness(t)
	aug := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	row := &cost.Row{ProviderName: "AWS", BillingAccountID: "012345678901", SubAccountID: "012345678901",
		BillingPeriodStart: aug, BillingPeriodEnd: aug.AddDate(0, 1, 0), ChargePeriodStart: aug, ChargePeriodEnd: aug.Add(time.Hour),
		ChargeCategory: cost.ChargeUsage, BillingCurrency: "USD", ServiceCategory: "AI/ML",
		BilledCost: decimal.FromInt(1), EffectiveCost: decimal.FromInt(1), UnblendedCost: decimal.FromInt(1)}
	sent := false
	src := rowFunc(func() (*cost.Row, error) {
		if sent {
			return nil, io.EOF
		}
		sent = true
		return row, nil
	})
	if _, err := h.store.ReplacePeriods(context.Background(), cost.Load{Source: "own", Version: "1"}, src); err != nil {
		t.Fatal(err)
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "aws/billing/012345678901", Name: "Payer"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: "aws/billing/012345678901"}))
	})
	for _, format := range []string{"focus-csv", "focus-parquet"} {
		status, _, body := h.get(h.admin, "/api/v1/export?scope=aws/billing/012345678901&format="+format)
		var e ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || status != 400 ||
			!strings.Contains(e.Error.Message, `ServiceCategory "AI/ML" is not a FOCUS 1.2 value`) {
			t.Errorf("%s: %d %s, want 400 naming the value", format, status, body)
		}
	}
}
