package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// userWith creates a user with a role on a scope and returns their token.
func (h *harness) userWith(name, role, scope string) string {
	h.t.Helper()
	if got := h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": name}, nil); got != 201 {
		h.t.Fatalf("create %s: %d", name, got)
	}
	if got := h.do(h.admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": name, "role": role, "scope": scope}, nil); got != 201 {
		h.t.Fatalf("assign %s %s on %s: %d", name, role, scope, got)
	}
	var tok tokenView
	if got := h.do(h.admin, "POST", "/api/v1/users/"+name+"/tokens", nil, &tok); got != 201 {
		h.t.Fatalf("token for %s: %d", name, got)
	}
	return tok.Token
}

// scopeTotal is a scope's billed cost as its caller queries it.
func (h *harness) scopeTotal(token, scope string) decimal.Decimal {
	h.t.Helper()
	var res cost.Result
	if got := h.do(token, "POST", "/api/v1/query", map[string]any{"scope": scope}, &res); got != 200 {
		h.t.Fatalf("query %s: %d", scope, got)
	}
	sum := decimal.Zero
	for _, r := range res.Rows {
		sum = sum.Add(r.Cost)
	}
	return sum
}

// TestAnUploadCarriesTheCallersRights: loading adds to and replaces the
// costs of every billing account and account the rows name, so the caller
// needs Contributor on each that exists, and on the group new ones go to;
// new ones become theirs. A refused load changes nothing.
func TestAnUploadCarriesTheCallersRights(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	admins, _ := curFile(t, 1, "111111111111", "222222222222")
	if status, _, e := h.upload(h.admin, "name=admins.csv", "text/csv", bytes.NewReader(admins)); status != 200 {
		t.Fatalf("the admin's upload: %d %+v", status, e)
	}
	if got := h.do(h.admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "teama"}, nil); got != 201 {
		t.Fatalf("create mg/teama: %d", got)
	}
	rita := h.userWith("rita", "Reader", "mg/root")
	carl := h.userWith("carl", "Contributor", "mg/teama")
	before := storeTotal(t, h.store)

	refused := func(who, token, query string, body []byte, want string) {
		t.Helper()
		status, _, e := h.upload(token, query, "text/csv", bytes.NewReader(body))
		if status != 403 || e.Error.Code != cost.EForbidden || !strings.Contains(e.Error.Message, want) {
			t.Errorf("%s, %s: %d %+v, want 403 with %q", who, query, status, e, want)
		}
		if after := storeTotal(t, h.store); after.Cmp(before) != 0 {
			t.Errorf("%s, %s: the store holds %s after a refused upload, want %s", who, query, after, before)
		}
		emptyDir(t, tmp)
	}
	carls, carlsWant := curFile(t, 2, "333333333333", "444444444444")
	refused("a Reader", rita, "name=carls.csv", carls, "rita may not load costs into mg/root")
	refused("a Contributor of another group", carl, "name=carls.csv&group=mg/root", carls, "carl may not load costs into mg/root")
	intoAdmins, _ := curFile(t, 3, "111111111111", "555555555555")
	refused("a Contributor, rows of another's billing account", carl, "name=more.csv&group=mg/teama&replace=true", intoAdmins,
		"carl may not load costs of aws/billing/111111111111: the rows name billing account 111111111111")
	koku := []byte(strings.ReplaceAll(string(admins), "111111111111", "1234567"))
	refused("a Contributor, a billing account that cannot be a scope", carl, "name=anon.csv&group=mg/teama", koku,
		`carl may not load costs of mg/root: the rows name billing account "1234567", which cannot be a scope`)

	// carl's own payer and accounts: his, in his group.
	status, reports, e := h.upload(carl, "name=carls.csv&group=mg/teama", "text/csv", bytes.NewReader(carls))
	if status != 200 || len(reports) != 1 || reports[0].Rows != carlsWant.Rows {
		t.Fatalf("carl's own upload: %d %+v %+v", status, reports, e)
	}
	if got := h.scopeTotal(carl, "mg/teama"); got.Cmp(decimal.MustParse(carlsWant.BilledCost)) != 0 {
		t.Errorf("mg/teama as carl: %s, want %s", got, carlsWant.BilledCost)
	}
	if got := h.scopeTotal(carl, "aws/billing/333333333333"); got.Cmp(decimal.MustParse(carlsWant.BilledCost)) != 0 {
		t.Errorf("carl's billing account: %s, want %s", got, carlsWant.BilledCost)
	}
	owner := read(t, h.store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Assignment, error) {
		return r.Assignments(ctx, cost.AssignmentFilter{Scope: "aws/billing/333333333333"})
	})
	if len(owner) != 1 || owner[0].User != "carl" || owner[0].Role != cost.RoleOwner {
		t.Errorf("the new billing account's assignments: %+v, want carl as Owner", owner)
	}
	account := read(t, h.store, func(ctx context.Context, r cost.CatalogReader) (cost.Scope, error) {
		s, _, err := r.Scope(ctx, "aws/accounts/444444444444")
		return s, err
	})
	if account.Group != "mg/teama" {
		t.Errorf("the new account is in %q, want mg/teama", account.Group)
	}
	before = storeTotal(t, h.store)

	// An account of the admin's, in carl's own payer's rows.
	mixed, _ := curFile(t, 4, "333333333333", "222222222222")
	refused("a Contributor, rows of another's account", carl, "name=mixed.csv&group=mg/teama&replace=true", mixed,
		"carl may not load costs of aws/accounts/222222222222: the rows name account 222222222222")

	// A folder with carl's report and one of the admin's payer: refused
	// before carl's own loads.
	both := t.TempDir()
	for _, o := range []synth.Options{{Seed: 7, Payer: "333333333333", ReportName: "a-cur", Prefix: "a", Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)},
		{Seed: 8, Payer: "111111111111", ReportName: "b-cur", Prefix: "b"}} {
		o.Accounts, o.RowsPerMonth = []string{o.Payer}, 100
		if _, err := synth.WriteBucket(both, o); err != nil {
			t.Fatal(err)
		}
	}
	status, _, e = h.upload(carl, "name=both&group=mg/teama&replace=true", "application/x-tar", bytes.NewReader(tarOf(t, both)))
	if status != 403 || !strings.Contains(e.Error.Message, "carl may not load costs of aws/billing/111111111111") || len(e.Value) != 0 {
		t.Errorf("carl's folder with the admin's report: %d %+v, want 403 and nothing loaded", status, e)
	}
	if after := storeTotal(t, h.store); after.Cmp(before) != 0 {
		t.Errorf("the store holds %s after a refused folder, want %s", after, before)
	}

	// A delivery without rows empties its month: of a billing account
	// that is not carl's, it is refused all the same.
	emptied := t.TempDir()
	if _, err := synth.WriteBucket(emptied, synth.Options{Seed: 6, Payer: "111111111111", RowsPerMonth: 100}); err != nil {
		t.Fatal(err)
	}
	must(t, filepath.WalkDir(emptied, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, "-Manifest.json") {
			return err
		}
		var m map[string]any
		b, _ := os.ReadFile(path)
		must(t, json.Unmarshal(b, &m))
		m["reportKeys"] = []string{}
		b, _ = json.Marshal(m)
		return os.WriteFile(path, b, 0o644)
	}))
	status, _, e = h.upload(carl, "name=emptied&group=mg/teama&replace=true&allowEmpty=true", "application/x-tar", bytes.NewReader(tarOf(t, emptied)))
	if status != 403 || !strings.Contains(e.Error.Message, "carl may not load costs of aws/billing/111111111111") {
		t.Errorf("carl emptying the admin's month: %d %+v, want 403", status, e)
	}
	if after := storeTotal(t, h.store); after.Cmp(before) != 0 {
		t.Errorf("the store holds %s after a refused upload, want %s", after, before)
	}

	// The owner restates their month.
	restated, restatedWant := curFile(t, 5, "111111111111", "222222222222")
	status, reports, e = h.upload(h.admin, "name=restated.csv&replace=true", "text/csv", bytes.NewReader(restated))
	if status != 200 || len(reports) != 1 {
		t.Fatalf("the owner's restatement: %d %+v %+v", status, reports, e)
	}
	if got, want := h.scopeTotal(h.admin, "aws/billing/111111111111"), decimal.MustParse(restatedWant.BilledCost); got.Cmp(want) != 0 {
		t.Errorf("the restated billing account: %s, want %s", got, want)
	}

	// A connector's payer is the connector's to load, even for its Owner.
	if got := h.do(h.admin, "POST", "/api/v1/connectors", map[string]string{"name": "acme", "roleArn": "arn:aws:iam::777777777777:role/reckon",
		"externalId": "Qw8eRt5yUi2oPa7sDf4gHj1kLz9xCv3b", "reportName": "reckon"}, nil); got != 201 {
		t.Fatalf("create the connector: %d", got)
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "aws/billing/777777777777", Name: "acme", Connector: "connectors/acme"}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "admin", Role: cost.RoleOwner, Scope: "aws/billing/777777777777"}))
	})
	collected, _ := curFile(t, 12, "777777777777")
	before = storeTotal(t, h.store)
	status, _, e = h.upload(h.admin, "name=acme.csv", "text/csv", bytes.NewReader(collected))
	if status != 409 || !strings.HasPrefix(e.Error.Message, "billing account 777777777777 is collected by connectors/acme") {
		t.Errorf("the connector's payer: %d %+v, want 409", status, e)
	}
	if after := storeTotal(t, h.store); after.Cmp(before) != 0 {
		t.Errorf("the store holds %s after a refused upload, want %s", after, before)
	}

	// Each upload is in the audit log, on its billing account: who, what,
	// how many rows. Its Owner sees it.
	uploads := func(token string) []string {
		var log struct{ Value []cost.AuditEntry }
		h.do(token, "GET", "/api/v1/auditLog", nil, &log)
		var out []string
		for _, e := range log.Value {
			if e.Action == "cost.upload" {
				out = append(out, e.User+" "+string(e.Scope)+" "+e.Detail)
			}
		}
		return out
	}
	adminLog, carlLog := uploads(h.admin), uploads(carl)
	if len(adminLog) != 2 || !strings.HasPrefix(adminLog[0], "admin aws/billing/111111111111 admins.csv: aws-cur/111111111111, version xxh3:") ||
		!strings.HasPrefix(adminLog[1], "admin aws/billing/111111111111 restated.csv: aws-cur/111111111111, version xxh3:") ||
		!strings.HasSuffix(adminLog[1], fmt.Sprintf(", %d rows", restatedWant.Rows)) {
		t.Errorf("the admin's audit log of uploads: %q", adminLog)
	}
	if len(carlLog) != 1 || !strings.HasPrefix(carlLog[0], "carl aws/billing/333333333333 carls.csv: aws-cur/333333333333, version ") ||
		!strings.HasSuffix(carlLog[0], fmt.Sprintf(", %d rows", carlsWant.Rows)) {
		t.Errorf("carl's audit log of uploads: %q, want his upload of %d rows", carlLog, carlsWant.Rows)
	}
}

// TestConcurrentUploadsAllLoad: uploads are written side by side and the
// store loads them one at a time; each lands whole.
func TestConcurrentUploadsAllLoad(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	payers := []string{"111111111111", "222222222222", "333333333333", "444444444444"}
	want := decimal.Zero
	files := make([][]byte, len(payers))
	for i, p := range payers {
		data, totals := curFile(t, int64(10+i), p)
		files[i] = data
		want = want.Add(decimal.MustParse(totals.BilledCost))
	}
	var wg sync.WaitGroup
	statuses := make([]int, len(payers))
	errs := make([]error, len(payers))
	for i := range payers {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/ingest?name=p.csv", chunked{bytes.NewReader(files[i])})
			req.Header.Set("Authorization", "Bearer "+h.admin)
			resp, err := http.DefaultClient.Do(req)
			if errs[i] = err; err == nil {
				statuses[i] = resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 200 || errs[i] != nil {
			t.Errorf("upload %d: %d %v", i, s, errs[i])
		}
	}
	if got := storeTotal(t, h.store); got.Cmp(want) != 0 {
		t.Errorf("the store holds %s, want %s", got, want)
	}
	emptyDir(t, tmp)
}
