package api

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/csvscan"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// curLoader is the Ingester reckon serve wires, of the same parts: an
// ingest.Loader reading CURs into the store as the upload guards it, and a
// Registrar; a reader's refusal is the caller's (Invalid).
type curLoader struct {
	store *duckstore.Store
	tmp   string
	wrap  func(*duckstore.Store) ingest.Store // when set, the store a test puts between
}

func (l curLoader) Ingest(ctx context.Context, path string, up Upload) ([]ingest.Report, error) {
	reg := &cost.Registrar{Template: cost.Registration{Owner: up.User, Group: up.Group}}
	var store ingest.Store = l.store
	if l.wrap != nil {
		store = l.wrap(l.store)
	}
	ld := ingest.Loader{Store: up.Store(store), Format: cursource.Format{}, TempDir: l.tmp, Report: up.Report, Replace: up.Replace,
		AllowEmpty: up.AllowEmpty, Register: reg.Register}
	rs, err := ld.IngestPath(ctx, path)
	if pe, ok := errors.AsType[*csvscan.ParseError](err); ok {
		err = cost.Errorf(cost.EInvalid, "%s", pe.Error())
	}
	return rs, err
}

// uploadHarness is a server that takes uploads into its store, written to
// tmp while they load.
func uploadHarness(t *testing.T, maxUpload int64) (*harness, string) {
	t.Helper()
	tmp := t.TempDir()
	h := newHarness(t, func(o *Options) {
		o.Ingester, o.TempDir, o.MaxUpload = curLoader{store: o.Catalog.(*duckstore.Store), tmp: tmp}, tmp, maxUpload
	})
	return h, tmp
}

// upload posts body to /api/v1/ingest with the query; a tar body is sent
// as a folder. A body that is not a *bytes.Reader goes without a length.
func (h *harness) upload(token, query, contentType string, body io.Reader) (int, []IngestReport, ErrorBody) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/ingest?"+query, body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	h.seen.Write(data)
	var ok ingestAnswer
	var e ErrorBody
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(data, &ok); err != nil {
			h.t.Fatalf("the answer %s: %v", data, err)
		}
	} else if err := json.Unmarshal(data, &e); err != nil {
		h.t.Fatalf("the error answer %d %s: %v", resp.StatusCode, data, err)
	}
	return resp.StatusCode, ok.Value, e
}

// storeTotal is the billed cost of every row in the store.
func storeTotal(t *testing.T, s *duckstore.Store) decimal.Decimal {
	t.Helper()
	res, err := s.Query(context.Background(), &cost.Query{Type: cost.CostActual, Granularity: cost.GranularityNone})
	if err != nil {
		t.Fatal(err)
	}
	sum := decimal.Zero
	for _, r := range res.Rows {
		sum = sum.Add(r.Cost)
	}
	return sum
}

// curTotal sums a CUR file's billed cost (lineItem/UnblendedCost, the file
// having no net columns) with encoding/csv, apart from Reckon's reader.
func curTotal(t *testing.T, data []byte) decimal.Decimal {
	t.Helper()
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // koku's rows are shorter than its header
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, name := range records[0] {
		if name == "lineItem/UnblendedCost" {
			col = i
		}
		if strings.Contains(name, "NetUnblendedCost") {
			t.Fatalf("the file has %s: sum it instead", name)
		}
	}
	sum := decimal.Zero
	for _, r := range records[1:] {
		sum = sum.Add(decimal.MustParse(r[col]))
	}
	return sum
}

// curFile is a generated CUR of one month as one plain CSV, and its totals.
func curFile(t *testing.T, seed int64, payer string, accounts ...string) ([]byte, *synth.Totals) {
	t.Helper()
	var b bytes.Buffer
	want, err := synth.WriteCSV(&b, synth.Options{Seed: seed, Payer: payer, Accounts: append([]string{payer}, accounts...), RowsPerMonth: 300})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), want
}

// tarOf writes the folder dir as a tar stream, as reckon ingest --server
// sends one.
func tarOf(t *testing.T, dir string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: filepath.ToSlash(rel) + "/", Mode: 0o755})
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	must(t, tw.Close())
	return b.Bytes()
}

// emptyDir fails unless dir holds nothing: every upload removes its folder.
func emptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s is left in the upload folder", e.Name())
	}
}

func TestUploadingAFileLoadsItsExactTotals(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	koku, err := os.ReadFile("../awscur/testdata/koku/test_cur.csv")
	must(t, err)
	status, reports, e := h.upload(h.admin, "name=test_cur.csv", "text/csv", bytes.NewReader(koku))
	if status != 200 || len(reports) != 1 {
		t.Fatalf("upload: %d %+v %+v", status, reports, e)
	}
	r := reports[0]
	want := curTotal(t, koku)
	if r.Rows != 19 || decimal.MustParse(string(r.BilledCost)).Cmp(want) != 0 || r.Currency != "USD" || r.Source != "aws-cur/6838635603105" ||
		!strings.HasPrefix(r.Version, "xxh3:") || r.Skipped || strings.Join(r.Files, ",") != "test_cur.csv" ||
		r.PeriodStart.Format("2006-01-02") != "2018-06-01" || r.PeriodEnd.Format("2006-01-02") != "2018-07-01" {
		t.Errorf("report %+v, want 19 rows billed %s USD from test_cur.csv", r, want)
	}
	if got := storeTotal(t, h.store); got.Cmp(want) != 0 {
		t.Errorf("the store holds %s, want %s", got, want)
	}
	// The same file again is the version already loaded.
	if status, reports, _ := h.upload(h.admin, "name=test_cur.csv", "text/csv", bytes.NewReader(koku)); status != 200 || len(reports) != 1 || !reports[0].Skipped {
		t.Errorf("again: %d %+v, want the version skipped", status, reports)
	}
	emptyDir(t, tmp)

	// A gzip file, generated: its exact total.
	data, totals := curFile(t, 7, "111111111111", "222222222222")
	status, reports, e = h.upload(h.admin, "name=aug.csv", "application/octet-stream", bytes.NewReader(data))
	if status != 200 || len(reports) != 1 || reports[0].Rows != totals.Rows || decimal.MustParse(string(reports[0].BilledCost)).Cmp(decimal.MustParse(totals.BilledCost)) != 0 {
		t.Fatalf("generated file: %d %+v %+v, want %d rows billed %s", status, reports, e, totals.Rows, totals.BilledCost)
	}
	if got, want := storeTotal(t, h.store), want.Add(decimal.MustParse(totals.BilledCost)); got.Cmp(want) != 0 {
		t.Errorf("the store holds %s, want %s", got, want)
	}
	var res cost.Result
	if got := h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "aws/accounts/222222222222"}, &res); got != 200 || len(res.Rows) != 1 ||
		res.Rows[0].Cost.Cmp(decimal.MustParse(totals.ByAccount["222222222222"].BilledCost)) != 0 {
		t.Errorf("the new account's total: %d %+v, want %s", got, res.Rows, totals.ByAccount["222222222222"].BilledCost)
	}
	emptyDir(t, tmp)
}

func TestUploadingAFolderLoadsEachPeriodThroughItsManifests(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 5, Months: 2, RowsPerMonth: 400, Versions: 2, FilesPerVersion: 2, Prefix: "cur/daily"})
	must(t, err)
	status, reports, e := h.upload(h.admin, "name=billing", "application/x-tar", bytes.NewReader(tarOf(t, bucket)))
	if status != 200 || len(reports) != 2 {
		t.Fatalf("upload: %d %+v %+v", status, reports, e)
	}
	var rows int64
	for i, r := range reports {
		month := r.PeriodStart.Format("2006-01")
		if r.Rows != want.ByPeriod[month].Rows || decimal.MustParse(string(r.BilledCost)).Cmp(decimal.MustParse(want.ByPeriod[month].BilledCost)) != 0 {
			t.Errorf("period %d %s: %+v, want %+v", i, month, r, want.ByPeriod[month])
		}
		if r.Source != "aws-cur/012345678901/reckon-cur" || len(r.Files) != 2 || !strings.HasPrefix(r.Files[0], "billing/cur/daily/reckon-cur/") {
			t.Errorf("period %s: source %s files %v, want two files named inside the uploaded folder", month, r.Source, r.Files)
		}
		rows += r.Rows
	}
	if rows != want.Rows {
		t.Errorf("%d rows, want %d", rows, want.Rows)
	}
	if got := storeTotal(t, h.store); got.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("the store holds %s, want %s", got, want.BilledCost)
	}
	for account, sum := range want.ByAccount {
		var res cost.Result
		if h.do(h.admin, "POST", "/api/v1/query", map[string]any{"scope": "aws/accounts/" + account}, &res); len(res.Rows) != 1 ||
			res.Rows[0].Cost.Cmp(decimal.MustParse(sum.BilledCost)) != 0 {
			t.Errorf("account %s: %+v, want %s", account, res.Rows, sum.BilledCost)
		}
	}
	emptyDir(t, tmp)
}

func TestABadFileIsRefusedByItsUploadedNameAndChangesNothing(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	good, _ := curFile(t, 3, "111111111111", "222222222222")
	if status, _, e := h.upload(h.admin, "name=good.csv", "text/csv", bytes.NewReader(good)); status != 200 {
		t.Fatalf("the good file: %d %+v", status, e)
	}
	before := storeTotal(t, h.store)
	scopesBefore := read(t, h.store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(ctx) })

	// The same payer and month, restated, with a cost that is not a number
	// on the file's third line.
	restated, _ := curFile(t, 4, "111111111111", "222222222222", "333333333333")
	records, err := csv.NewReader(bytes.NewReader(restated)).ReadAll()
	must(t, err)
	for i, name := range records[0] {
		if name == "lineItem/UnblendedCost" {
			records[2][i] = "12.3.4"
		}
	}
	var bad bytes.Buffer
	w := csv.NewWriter(&bad)
	must(t, w.WriteAll(records))
	status, _, e := h.upload(h.admin, "name=bad.csv&replace=true", "text/csv", bytes.NewReader(bad.Bytes()))
	if status != 400 || e.Error.Code != cost.EInvalid || !strings.HasPrefix(e.Error.Message, "bad.csv: line 3, column lineItem/UnblendedCost: ") ||
		strings.Contains(e.Error.Message, tmp) {
		t.Errorf("the bad file: %d %+v, want 400 naming bad.csv, line 3 and the column, and not the server's folder", status, e)
	}
	if after := storeTotal(t, h.store); after.Cmp(before) != 0 {
		t.Errorf("the store holds %s after the refused file, want %s as before", after, before)
	}
	scopesAfter := read(t, h.store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(ctx) })
	if len(scopesAfter) != len(scopesBefore) {
		t.Errorf("the refused file changed the scopes: %v, then %v", scopesBefore, scopesAfter)
	}
	emptyDir(t, tmp)
}

// TestAFolderIsCheckedWholeBeforeAnyPeriodLoads: a folder loads a billing
// period at a time, so its files are read first; a bad file in its second
// month refuses the upload with nothing loaded. A refusal only the store
// can make (another report holds the second month) comes after the first
// month loaded: the error answer lists it.
func TestAFolderIsCheckedWholeBeforeAnyPeriodLoads(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 8, Months: 2, RowsPerMonth: 300})
	must(t, err)
	var files []string
	must(t, filepath.WalkDir(bucket, func(path string, _ fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".csv.gz") {
			files = append(files, path)
		}
		return err
	}))
	if len(files) != 2 || !strings.Contains(files[1], "20260901-20261001") {
		t.Fatalf("data files %v, want one per month, September's last", files)
	}
	september, err := os.ReadFile(files[1])
	must(t, err)
	rel, _ := filepath.Rel(bucket, files[1])
	must(t, os.WriteFile(files[1], []byte("bill/PayerAccountId,lineItem/UnblendedCost\n012345678901,1\n"), 0o644))
	status, _, e := h.upload(h.admin, "name=bucket", "application/x-tar", bytes.NewReader(tarOf(t, bucket)))
	if status != 400 || !strings.HasPrefix(e.Error.Message, "bucket/"+filepath.ToSlash(rel)+": line 1") || len(e.Value) != 0 {
		t.Errorf("a bad September: %d %+v, want 400 naming its file as uploaded, and nothing loaded", status, e)
	}
	if got := storeTotal(t, h.store); !got.IsZero() {
		t.Errorf("the store holds %s, want nothing", got)
	}
	emptyDir(t, tmp)

	// September restored, and held by another report of the payer.
	must(t, os.WriteFile(files[1], september, 0o644))
	var other bytes.Buffer
	_, err = synth.WriteCSV(&other, synth.Options{Seed: 9, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), RowsPerMonth: 200})
	must(t, err)
	if status, _, e := h.upload(h.admin, "name=september.csv", "text/csv", &other); status != 200 {
		t.Fatalf("another report of September: %d %+v", status, e)
	}
	held := storeTotal(t, h.store)
	status, _, e = h.upload(h.admin, "name=bucket", "application/x-tar", bytes.NewReader(tarOf(t, bucket)))
	if status != 409 || len(e.Value) != 1 || e.Value[0].PeriodStart.Format("2006-01") != "2026-08" || e.Value[0].Rows != want.ByPeriod["2026-08"].Rows {
		t.Errorf("a September held by another report: %d %+v, want 409 listing August as loaded", status, e)
	}
	if got, wantTotal := storeTotal(t, h.store), held.Add(decimal.MustParse(want.ByPeriod["2026-08"].BilledCost)); got.Cmp(wantTotal) != 0 {
		t.Errorf("the store holds %s, want %s: September's other report and the bucket's August", got, wantTotal)
	}
	emptyDir(t, tmp)
}

// changingStore changes the catalog while the n-th load reads its rows, as
// someone creating a group meanwhile does.
type changingStore struct {
	*duckstore.Store
	n, calls int
}

func (s *changingStore) ReplacePeriods(ctx context.Context, load cost.Load, rows cost.RowSource) (cost.LoadResult, error) {
	if s.calls++; s.calls == s.n {
		rows = &changeOnce{RowSource: rows, store: s.Store}
	}
	return s.Store.ReplacePeriods(ctx, load, rows)
}

type changeOnce struct {
	cost.RowSource
	store   *duckstore.Store
	changed bool
}

func (c *changeOnce) Next() (*cost.Row, error) {
	if !c.changed {
		c.changed = true
		err := c.store.Update(context.Background(), func(tx cost.CatalogTx) error {
			return cost.AddScope(context.Background(), tx, cost.Scope{ID: "mg/meanwhile"})
		})
		if err != nil {
			return nil, err
		}
	}
	return c.RowSource.Next()
}

// TestALoadTheCatalogChangedUnderIsLoadedAgain: the store refuses to
// commit a load whose registration would read a catalog that changed
// while its rows loaded; the upload's files are still on disk, so the
// server loads that period again, and answers each period once.
func TestALoadTheCatalogChangedUnderIsLoadedAgain(t *testing.T) {
	tmp := t.TempDir()
	h := newHarness(t, func(o *Options) {
		o.Ingester = curLoader{store: o.Catalog.(*duckstore.Store), tmp: tmp, wrap: func(s *duckstore.Store) ingest.Store {
			return &changingStore{Store: s, n: 2} // the first attempt's second period
		}}
		o.TempDir = tmp
	})
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 31, Months: 2, RowsPerMonth: 200})
	must(t, err)
	status, reports, e := h.upload(h.admin, "name=bucket", "application/x-tar", bytes.NewReader(tarOf(t, bucket)))
	if status != 200 || len(reports) != 2 || reports[0].Skipped || reports[1].Skipped ||
		reports[0].PeriodStart.Format("2006-01") != "2026-08" || reports[1].PeriodStart.Format("2006-01") != "2026-09" {
		t.Fatalf("upload: %d %+v %+v, want August and September loaded, once each", status, reports, e)
	}
	if got := storeTotal(t, h.store); got.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("the store holds %s, want %s", got, want.BilledCost)
	}
	var log struct{ Value []cost.AuditEntry }
	h.do(h.admin, "GET", "/api/v1/auditLog", nil, &log)
	uploads := 0
	for _, e := range log.Value {
		if e.Action == "cost.upload" {
			uploads++
		}
	}
	if uploads != 2 {
		t.Errorf("%d uploads in the audit log, want one per period committed: %+v", uploads, log.Value)
	}
	emptyDir(t, tmp)
}
