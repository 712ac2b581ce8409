package duckstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// rows is a RowSource over a slice.
type rows struct {
	list []*cost.Row
	i    int
	// block, when set, is closed by the source after it has handed out
	// pauseAt rows, and the source then waits for resume.
	pauseAt int
	paused  chan struct{}
	resume  chan struct{}
}

func (r *rows) Next() (*cost.Row, error) {
	if r.paused != nil && r.i == r.pauseAt {
		close(r.paused)
		<-r.resume
		r.paused = nil
	}
	if r.i >= len(r.list) {
		return nil, io.EOF
	}
	r.i++
	return r.list[r.i-1], nil
}

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

// makeRows returns n usage rows in the billing period starting at period,
// each costing amount, spread over accounts.
func makeRows(period time.Time, n int, amount string, accounts ...string) []*cost.Row {
	var out []*cost.Row
	for i := range n {
		start := period.Add(time.Duration(i%(24*28)) * time.Hour)
		out = append(out, &cost.Row{
			ProviderName: "AWS", PublisherName: "Amazon Web Services, Inc.", InvoiceIssuerName: "Amazon Web Services, Inc.",
			BillingAccountID: "012345678901", SubAccountID: accounts[i%len(accounts)],
			BillingPeriodStart: period, BillingPeriodEnd: period.AddDate(0, 1, 0),
			ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour),
			ChargeCategory: cost.ChargeUsage, ChargeDescription: `$0.10 per "thing", hourly`,
			BilledCost: decimal.MustParse(amount), EffectiveCost: decimal.MustParse(amount), ListCost: decimal.MustParse(amount),
			BillingCurrency: "USD", ServiceName: "Amazon Elastic Compute Cloud", ServiceCategory: "Compute",
			RegionID: "us-east-1", PricingQuantity: cost.NullDecimal{Decimal: decimal.FromInt(1), Valid: true},
			Tags:        []cost.Tag{{Key: "Environment", Value: []string{"prod", "dev"}[i%2]}, {Key: "aws:createdBy", Value: "IAMUser:x"}},
			ServiceCode: "AmazonEC2", LineItemType: "Usage",
			UnblendedCost: decimal.MustParse(amount), BlendedCost: decimal.MustParse(amount),
		})
	}
	return out
}

func openStore(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// total sums actual cost with optional filters.
func total(t *testing.T, s *Store, filters ...cost.Filter) decimal.Decimal {
	t.Helper()
	res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, Filters: filters})
	if err != nil {
		t.Fatal(err)
	}
	sum := decimal.Zero
	for _, r := range res.Rows {
		sum = sum.Add(r.Cost)
	}
	return sum
}

func load(t *testing.T, s *Store, source, version string, list []*cost.Row) cost.LoadResult {
	t.Helper()
	res, err := s.ReplacePeriods(context.Background(), cost.Load{Source: source, Version: version}, &rows{list: list})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestLoadKeepsEveryDecimalPlace(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	load(t, s, "src", "v1", makeRows(month(2026, 8), 3, "0.000000000000000001", "1"))
	load(t, s, "other", "v1", makeRows(month(2026, 8), 1, "12345678901.123456789012345678", "1"))
	want := decimal.MustParse("12345678901.123456789012345681")
	if got := total(t, s); got.Cmp(want) != 0 {
		t.Fatalf("total = %s, want %s", got, want)
	}
}

func TestRestatedPeriodReplacesTheOldVersion(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug, sep := month(2026, 8), month(2026, 9)
	load(t, s, "src", "A", append(makeRows(aug, 50, "1", "111111111111"), makeRows(sep, 10, "5", "111111111111")...))
	load(t, s, "src", "B", makeRows(aug, 20, "2", "222222222222"))

	if got, want := total(t, s), decimal.FromInt(20*2+10*5); got.Cmp(want) != 0 {
		t.Errorf("after B, total = %s, want %s (August from B, September untouched)", got, want)
	}
	a := cost.Filter{Dimension: cost.Dimension{Column: "SubAccountId"}, Values: []string{"111111111111"}}
	if got := total(t, s, a); got.Cmp(decimal.FromInt(50)) != 0 {
		t.Errorf("account 111111111111 = %s, want 50 (only September left)", got)
	}
	if v, _ := s.LoadedVersion(context.Background(), "src", aug); v != "B" {
		t.Errorf("August version = %q, want B", v)
	}
	if v, _ := s.LoadedVersion(context.Background(), "src", sep); v != "A" {
		t.Errorf("September version = %q, want A", v)
	}
}

func TestAnotherSourceIsNotReplaced(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	load(t, s, "payer-1", "A", makeRows(aug, 4, "1", "1"))
	load(t, s, "payer-2", "A", makeRows(aug, 4, "3", "2"))
	load(t, s, "payer-1", "B", makeRows(aug, 1, "1", "1"))
	if got := total(t, s); got.Cmp(decimal.FromInt(13)) != 0 {
		t.Fatalf("total = %s, want 13", got)
	}
}

func TestEmptyDeclaredPeriodIsCleared(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	load(t, s, "src", "A", makeRows(aug, 4, "1", "1"))
	_, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "src", Version: "B", Origin: "empty.csv", Periods: []time.Time{aug}}, &rows{})
	if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "--allow-empty") || !strings.Contains(err.Error(), "4 rows") {
		t.Fatalf("an empty restatement of a month with cost: err = %v, want a conflict that names --allow-empty", err)
	}
	if got := total(t, s); got.Cmp(decimal.FromInt(4)) != 0 {
		t.Fatalf("total = %s after a refused empty restatement, want 4", got)
	}
	if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "src", Version: "B", Periods: []time.Time{aug}, AllowEmpty: true}, &rows{}); err != nil {
		t.Fatal(err)
	}
	if got := total(t, s); !got.IsZero() {
		t.Fatalf("total = %s, want 0 after an allowed empty restatement", got)
	}
}

func TestOneTruthPerBillingAccountAndPeriod(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	payer := "012345678901"
	bucket := cost.Load{Source: "aws-cur/" + payer + "/hourly", Version: "A", Origin: "bucket", BillingAccount: payer}
	if _, err := s.ReplacePeriods(context.Background(), bucket, &rows{list: makeRows(aug, 4, "1", "1")}); err != nil {
		t.Fatal(err)
	}
	file := cost.Load{Source: "aws-cur/" + payer, Version: "F", Origin: "cur.csv", BillingAccount: payer}
	_, err := s.ReplacePeriods(context.Background(), file, &rows{list: makeRows(aug, 4, "1", "1")})
	if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "aws-cur/"+payer+"/hourly") || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("a file over a bucket of the same payer: err = %v, want a conflict naming the bucket's report and --replace", err)
	}
	if got := total(t, s); got.Cmp(decimal.FromInt(4)) != 0 {
		t.Fatalf("total = %s after the refusal, want 4", got)
	}
	file.Replace = true
	res, err := s.ReplacePeriods(context.Background(), file, &rows{list: makeRows(aug, 3, "1", "1")})
	if err != nil {
		t.Fatal(err)
	}
	if got := total(t, s); got.Cmp(decimal.FromInt(3)) != 0 {
		t.Fatalf("total = %s after --replace, want the file's 3", got)
	}
	if r := res.Periods[0].Replaced; len(r) != 1 || r[0] != bucket.Source {
		t.Fatalf("replaced = %v, want the bucket's report", r)
	}
	if v, _ := s.LoadedVersion(context.Background(), bucket.Source, aug); v != "" {
		t.Fatalf("the bucket's version is still recorded: %q", v)
	}
}

func TestRowsOfAnotherBillingAccountAreRefused(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := makeRows(month(2026, 8), 4, "1", "1")
	list[3].BillingAccountID = "999999999999"
	_, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "s", Version: "v", Origin: "mixed.csv", BillingAccount: "012345678901"}, &rows{list: list})
	if cost.ErrorCode(err) != cost.EInvalid || !strings.Contains(err.Error(), "999999999999") {
		t.Fatalf("err = %v, want the stray account named", err)
	}
}

func TestFailedLoadLeavesThePreviousData(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	load(t, s, "src", "A", makeRows(aug, 10, "1", "1"))
	bad := &failing{rows: rows{list: makeRows(aug, 10, "9", "1")}, after: 8}
	if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "src", Version: "B"}, bad); err == nil {
		t.Fatal("the load succeeded, want the source's error")
	}
	if got := total(t, s); got.Cmp(decimal.FromInt(10)) != 0 {
		t.Fatalf("total = %s, want 10 (version A intact)", got)
	}
}

type failing struct {
	rows
	after int
}

func (f *failing) Next() (*cost.Row, error) {
	if f.i == f.after {
		return nil, errors.New("bad row")
	}
	return f.rows.Next()
}

func TestReaderNeverSeesAHalfLoadedPeriod(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	load(t, s, "src", "A", makeRows(aug, 10, "1", "1"))
	src := &rows{list: makeRows(aug, 3*batchRows, "2", "1"), pauseAt: 2*batchRows + 1, paused: make(chan struct{}), resume: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "src", Version: "B"}, src); err != nil {
			t.Error(err)
		}
	}()
	<-src.paused // two batches appended to DuckDB, not committed
	if got := total(t, s); got.Cmp(decimal.FromInt(10)) != 0 {
		t.Errorf("mid-load total = %s, want 10 (the old version only)", got)
	}
	close(src.resume)
	wg.Wait()
	if got := total(t, s); got.Cmp(decimal.FromInt(6*batchRows)) != 0 {
		t.Errorf("after the load, total = %s, want %d", got, 6*batchRows)
	}
}

func TestStoreSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	load(t, s, "src", "A", makeRows(month(2026, 8), 3, "1.5", "1"))
	s.Close()
	ro := openStore(t, dir, Options{ReadOnly: true})
	if got := total(t, ro); got.Cmp(decimal.MustParse("4.5")) != 0 {
		t.Fatalf("total after reopen = %s, want 4.5", got)
	}
}

func TestReadOnlyOpenOfMissingStoreSaysWhatToDo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nothing-here")
	_, err := Open(context.Background(), dir, Options{ReadOnly: true})
	if cost.ErrorCode(err) != cost.ENotFound {
		t.Fatalf("error = %v, want NotFound", err)
	}
	if _, statErr := os.Stat(dir); statErr == nil {
		t.Error("a read-only open created the data folder")
	}
	if !strings.Contains(err.Error(), "reckon ingest") {
		t.Errorf("the message %q does not say to run reckon ingest", err)
	}
}

func TestTwoStoresLoadAtOnce(t *testing.T) {
	a, b := openStore(t, t.TempDir(), Options{}), openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	var wg sync.WaitGroup
	for i, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Both stores' first load has load id 1.
			if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "src", Version: "v"},
				&rows{list: makeRows(aug, 3*batchRows, fmt.Sprint(i+1), "1")}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, s := range []*Store{a, b} {
		if got, want := total(t, s), decimal.FromInt(int64(3*batchRows*(i+1))); got.Cmp(want) != 0 {
			t.Errorf("store %d holds %s, want %s", i, got, want)
		}
	}
}

func TestAStoreInUseSaysWhoHoldsIt(t *testing.T) {
	// DuckDB's lock is per process, so the holder is a child process: the
	// test binary itself, asked to hold the store.
	if dir := os.Getenv("RECKON_TEST_HOLD_STORE"); dir != "" {
		s, err := Open(context.Background(), dir, Options{})
		if err != nil {
			os.Exit(3)
		}
		defer s.Close()
		fmt.Println("holding")
		time.Sleep(time.Minute) // until the parent kills it
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAStoreInUseSaysWhoHoldsIt$")
	cmd.Env = append(os.Environ(), "RECKON_TEST_HOLD_STORE="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "holding") {
		t.Fatalf("the holder did not start: %q %v", line, err)
	}
	_, err = Open(context.Background(), dir, Options{})
	if cost.ErrorCode(err) != cost.EConflict || !strings.Contains(err.Error(), "PID") || !strings.Contains(err.Error(), "try again") {
		t.Fatalf("error = %v, want a Conflict naming the holder", err)
	}
}
