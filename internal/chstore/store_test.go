package chstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/storetest"
)

var testSeq atomic.Int64

// testURLs are the servers of the tests (test/scaleout), or a skip.
func testURLs(t testing.TB) (string, string) {
	t.Helper()
	ch, pg := os.Getenv("RECKON_TEST_CLICKHOUSE"), os.Getenv("RECKON_TEST_POSTGRES")
	if ch == "" || pg == "" {
		if os.Getenv("RECKON_REQUIRE_CLICKHOUSE") != "" {
			t.Fatal("RECKON_REQUIRE_CLICKHOUSE is set but RECKON_TEST_CLICKHOUSE or RECKON_TEST_POSTGRES is not: start the servers with test/scaleout as .ci/run does")
		}
		t.Skip("RECKON_TEST_CLICKHOUSE and RECKON_TEST_POSTGRES are not both set (see test/scaleout/README.md)")
	}
	return ch, pg
}

// openTest opens a store on a fresh ClickHouse database and a fresh
// PostgreSQL schema, dropped when the test ends.
func openTest(t testing.TB) *Store { t.Helper(); return openTestWith(t, nil) }

func openTestWith(t testing.TB, set func(*Options)) *Store {
	t.Helper()
	ch, pg := testURLs(t)
	name := fmt.Sprintf("reckon_test_%d_%d", time.Now().UnixNano(), testSeq.Add(1))
	ctx := context.Background()
	opts := Options{Postgres: pg, Database: name, PostgresSchema: name, CleanupGrace: -1, AbandonAfter: -1}
	if set != nil {
		set(&opts)
	}
	s, err := Open(ctx, ch, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.DropDatabase(ctx); err != nil {
			t.Errorf("drop the test database: %v", err)
		}
		s.Close()
		conn, err := pgx.Connect(ctx, pg)
		if err != nil {
			t.Errorf("drop the test schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop the test schema: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	testURLs(t) // skips (or fails) the whole suite without the servers
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
}

type rowList struct {
	rows []*cost.Row
	i    int
}

func (l *rowList) Next() (*cost.Row, error) {
	if l.i >= len(l.rows) {
		return nil, io.EOF
	}
	l.i++
	return l.rows[l.i-1], nil
}

func testRows(n int, cost1 string) []*cost.Row {
	p := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*cost.Row, n)
	for i := range out {
		start := p.Add(time.Duration(i%700) * time.Hour)
		out[i] = &cost.Row{ProviderName: "AWS", BillingAccountID: "111122223333", SubAccountID: fmt.Sprintf("00000000000%d", i%7),
			BillingPeriodStart: p, BillingPeriodEnd: p.AddDate(0, 1, 0), ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour),
			ChargeCategory: cost.ChargeUsage, BillingCurrency: "USD", ResourceID: fmt.Sprintf("i-%d", i),
			BilledCost: decimal.MustParse(cost1), UnblendedCost: decimal.MustParse(cost1)}
	}
	return out
}

func totalUSD(t *testing.T, s *Store) decimal.Decimal {
	t.Helper()
	res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) == 0 {
		return decimal.Zero
	}
	return res.Rows[0].Cost
}

// TestShardsAndKilledLoad checks that a load's rows are on every shard,
// and that rows written without their flip (a loader killed before it)
// are invisible and dropped by Cleanup.
func TestShardsAndKilledLoad(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	load := cost.Load{Source: "aws-cur/111122223333/r", Version: "A", BillingAccount: "111122223333"}
	if _, err := s.ReplacePeriods(ctx, load, &rowList{rows: testRows(200, "1.5")}); err != nil {
		t.Fatal(err)
	}
	for i, c := range s.shards {
		var n uint64
		if err := c.QueryRow(ctx, "SELECT count() FROM "+s.db+".cost_rows_local").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("shard %d holds no row of the load", i+1)
		}
	}
	if got := totalUSD(t, s); got.Cmp(decimal.MustParse("300")) != 0 {
		t.Fatalf("the total is %s, want 300", got)
	}
	// B is written on every shard but never flipped.
	load.Version = "B"
	id, err := s.v.NewLoad(ctx, load)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.writeRows(ctx, id, load, &rowList{rows: testRows(200, "7")}); err != nil {
		t.Fatal(err)
	}
	if got := totalUSD(t, s); got.Cmp(decimal.MustParse("300")) != 0 {
		t.Errorf("with an unflipped load, the total is %s, want A's 300", got)
	}
	if v, _ := s.LoadedVersion(ctx, load.Source, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)); v != "A" {
		t.Errorf("the version is %q, want A", v)
	}
	// Rows of a load id PostgreSQL does not know: a doomed loader's late
	// writes.
	orphan := id + 1000
	if _, _, err := s.writeRows(ctx, orphan, load, &rowList{rows: testRows(50, "9")}); err != nil {
		t.Fatal(err)
	}
	dropped, err := s.Cleanup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(dropped) != fmt.Sprint([]int64{id, orphan}) {
		t.Errorf("Cleanup dropped %v, want [%d %d]", dropped, id, orphan)
	}
	p := &cost.PeriodResult{Start: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Rows: 200}
	if err := s.v.Flip(ctx, load, id, []*cost.PeriodResult{p}, time.Now(), nil); err == nil {
		t.Error("a load dropped by Cleanup flipped afterwards")
	}
	var n uint64
	if err := s.entry.QueryRow(ctx, "SELECT count() FROM "+s.db+".cost_rows WHERE load_id IN (?, ?)", uint64(id), uint64(orphan)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows of the killed load are left after Cleanup", n)
	}
	if got := totalUSD(t, s); got.Cmp(decimal.MustParse("300")) != 0 {
		t.Errorf("after Cleanup, the total is %s, want 300", got)
	}
}

// TestQuotedValues checks values and tag keys that SQL or clickhouse-go's
// binding could misread: quotes, backslashes, ? and @name, a NUL byte.
func TestQuotedValues(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	odd := []string{`it's`, `back\slash`, `what?`, `@name`, "nul\x00byte", `"quoted"`, `ünïcödé`, "ctl\x01\x02\x02\x04", "\x02\x03"}
	rows := testRows(len(odd)*3, "2")
	for i, r := range rows {
		r.ServiceName = odd[i%len(odd)]
		r.Tags = []cost.Tag{{Key: odd[(i+1)%len(odd)], Value: odd[i%len(odd)]}}
	}
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "s", Version: "1", BillingAccount: "111122223333"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	for _, v := range odd {
		for _, d := range []cost.Dimension{{Column: "ServiceName"}, {Tag: v}} {
			q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{d},
				Filters: []cost.Filter{{Dimension: cost.Dimension{Column: "ServiceName"}, Values: []string{v}}}}
			res, err := s.Query(ctx, q)
			if err != nil {
				t.Fatalf("%q: %v", v, err)
			}
			if d.Column != "" && (len(res.Rows) != 1 || res.Rows[0].Groups[0] != v || res.Rows[0].Cost.Cmp(decimal.MustParse("6")) != 0) {
				t.Errorf("ServiceName %q: %v", v, res.Rows)
			}
		}
		q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, Where: &cost.Expr{Op: cost.OpContains, Dimension: cost.Dimension{Column: "ServiceName"}, Values: []string{strings.ToUpper(v)}}}
		res, err := s.Query(ctx, q)
		if err != nil {
			t.Fatalf("contains %q: %v", v, err)
		}
		if len(res.Rows) != 1 || res.Rows[0].Cost.Cmp(decimal.MustParse("6")) != 0 {
			t.Errorf("contains %q: %v", v, res.Rows)
		}
		q = &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, Where: &cost.Expr{Op: cost.OpExists, Dimension: cost.Dimension{Tag: v}}}
		if res, err = s.Query(ctx, q); err != nil {
			t.Fatalf("exists %q: %v", v, err)
		}
		if len(res.Rows) != 1 || res.Rows[0].Cost.Cmp(decimal.MustParse("6")) != 0 {
			t.Errorf("tag %q exists: %v", v, res.Rows)
		}
	}
}

// TestTagKeys checks the tag keys Values lists, against the rows.
func TestTagKeys(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	rows := testRows(30, "1")
	for i, r := range rows {
		switch i % 3 {
		case 0:
			r.Tags = []cost.Tag{{Key: "env", Value: fmt.Sprint("e", i%2)}, {Key: "team", Value: "a"}}
		case 1:
			r.Tags = []cost.Tag{{Key: "env", Value: "e0"}}
			r.Extra = []cost.Tag{{Key: "x_A", Value: "1"}, {Key: "x_B", Value: "2"}}
		case 2:
			r.Extra = []cost.Tag{{Key: "x_B", Value: "3"}}
		}
	}
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "s", Version: "1", BillingAccount: "111122223333"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
	if keys, err := s.ExtraKeys(ctx, q); err != nil || fmt.Sprint(keys) != "[x_A x_B]" {
		t.Errorf("extra keys %v, %v; want [x_A x_B]", keys, err)
	}
	vals, err := s.Values(ctx, q, cost.ValueQuery{TagKeys: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(vals.TagKeys.Keys, vals.TagKeys.Count, vals.TagKeys.More)
	if want := "[{env USD 20.0 2} {team USD 10.0 1}] 2 false"; got != want {
		t.Errorf("tag keys %s, want %s", got, want)
	}
	vals, err = s.Values(ctx, q, cost.ValueQuery{TagKeys: true, Limit: 1, Search: "EA"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(vals.TagKeys.Keys, vals.TagKeys.Count, vals.TagKeys.More), "[{team USD 10.0 1}] 1 false"; got != want {
		t.Errorf("tag keys searched for EA: %s, want %s", got, want)
	}
}

// TestDeleteAccountOfAnyLoad checks that DeleteBillingAccount hides the
// account's rows in a load of several accounts too, and that the account
// loaded again afterwards shows.
func TestDeleteAccountOfAnyLoad(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	rows := testRows(40, "1")
	for i, r := range rows {
		if i%2 == 1 {
			r.BillingAccountID = "999900001111"
		}
	}
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "focus/folder", Version: "1"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	// A load of the account that runs across the delete, and commits
	// after it.
	later := cost.Load{Source: "focus/other", Version: "1"}
	lateRows := testRows(5, "100")
	for _, r := range lateRows {
		r.BillingAccountID = "999900001111"
		r.BillingPeriodStart, r.BillingPeriodEnd = r.BillingPeriodStart.AddDate(0, 2, 0), r.BillingPeriodEnd.AddDate(0, 2, 0)
	}
	lateID, err := s.v.NewLoad(ctx, later)
	if err != nil {
		t.Fatal(err)
	}
	periods, _, err := s.writeRows(ctx, lateID, later, &rowList{rows: lateRows})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteBillingAccount(ctx, "999900001111")
	if err != nil || n != 20 {
		t.Fatalf("deleted %d rows, %v; want 20", n, err)
	}
	if got := totalUSD(t, s); got.Cmp(decimal.MustParse("20")) != 0 {
		t.Errorf("after the delete the total is %s, want the other account's 20", got)
	}
	for _, p := range periods {
		if err := s.v.Flip(ctx, later, lateID, []*cost.PeriodResult{p}, time.Now(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := totalUSD(t, s); got.Cmp(decimal.MustParse("520")) != 0 {
		t.Errorf("after a load that committed after the delete the total is %s, want 520", got)
	}
	// The mutation ends; the late load's rows stay.
	for i := 0; ; i++ {
		var left uint64
		if err := s.entry.QueryRow(ctx, "SELECT count() FROM "+s.db+".cost_rows WHERE BillingAccountId = '999900001111'").Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 5 {
			break
		}
		if i == 50 {
			t.Fatalf("%d rows of the account are stored, want the late load's 5", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
	again := testRows(10, "3")
	for _, r := range again {
		r.BillingAccountID = "999900001111"
	}
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "aws-cur/999900001111/r", Version: "2", BillingAccount: "999900001111"}, &rowList{rows: again}); err != nil {
		t.Fatal(err)
	}
	if got := totalUSD(t, s); got.Cmp(decimal.MustParse("550")) != 0 {
		t.Errorf("after loading the account again the total is %s, want 550", got)
	}
}

// TestRegister checks that a load's Register hook runs in the flip's
// PostgreSQL transaction, with the accounts the rows hold: what it
// writes commits with the flip, and its error undoes both.
func TestRegister(t *testing.T) {
	s := openTestWith(t, func(o *Options) {
		o.Catalog = func(_ context.Context, tx pgx.Tx) (cost.CatalogTx, error) { return txCatalog{tx: tx}, nil }
	})
	ctx := context.Background()
	if _, err := s.v.pool.Exec(ctx, "CREATE TABLE registered (account text)"); err != nil {
		t.Fatal(err)
	}
	var fail bool
	register := func(ctx context.Context, tx cost.CatalogTx, found []cost.LoadedAccount) error {
		for _, a := range found {
			if _, err := tx.(txCatalog).tx.Exec(ctx, "INSERT INTO registered VALUES ($1)", a.BillingAccountID+"/"+a.SubAccountID+"/"+a.SubAccountName); err != nil {
				return err
			}
		}
		if fail {
			return errors.New("the catalog refused")
		}
		return nil
	}
	registered := func() string {
		rows, err := s.v.pool.Query(ctx, "SELECT account FROM registered ORDER BY account")
		if err != nil {
			t.Fatal(err)
		}
		list, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(list, " ")
	}
	rows := testRows(20, "1")
	for i, r := range rows {
		r.SubAccountID = fmt.Sprint("00000000000", i%2)
		r.SubAccountName = []string{"", "b", "a"}[i%3]
	}
	load := cost.Load{Source: "s", Version: "A", BillingAccount: "111122223333", Register: register}
	if _, err := s.ReplacePeriods(ctx, load, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	if got, want := registered(), "111122223333/000000000000/b 111122223333/000000000001/b"; got != want {
		t.Errorf("registered %q, want %q", got, want)
	}
	fail = true
	load.Version = "B"
	if _, err := s.ReplacePeriods(ctx, load, &rowList{rows: testRows(5, "9")}); err == nil {
		t.Fatal("a load whose registration failed was taken")
	}
	if got := totalUSD(t, s); got.Cmp(decimal.MustParse("20")) != 0 {
		t.Errorf("after a failed registration the total is %s, want A's 20", got)
	}
	if got, want := registered(), "111122223333/000000000000/b 111122223333/000000000001/b"; got != want {
		t.Errorf("after a failed registration, registered %q, want %q", got, want)
	}
	s.catalog = nil
	if _, err := s.ReplacePeriods(ctx, load, &rowList{rows: testRows(5, "9")}); !errors.Is(err, ErrNoCatalog) {
		t.Errorf("a load with Register on a store without a catalog: %v, want ErrNoCatalog", err)
	}
}

// TestConcurrentSources loads one billing account's period from two
// sources at once, again and again: the check that refuses a second
// source and the flip are one step, so exactly one of them is current.
func TestConcurrentSources(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for round := range 4 {
		errs := make(chan error, 2)
		for i := range 2 {
			go func() {
				l := cost.Load{Source: fmt.Sprintf("src-%d-%d", round, i), Version: "1", BillingAccount: "111122223333"}
				_, err := s.ReplacePeriods(ctx, l, &rowList{rows: testRows(300, fmt.Sprint(i+1))})
				errs <- err
			}()
		}
		failed := 0
		for range 2 {
			if err := <-errs; err != nil {
				failed++
			}
		}
		if round == 0 && failed != 1 {
			t.Fatalf("round %d: %d of two concurrent sources failed, want one", round, failed)
		}
		if round > 0 && failed != 2 {
			t.Fatalf("round %d: %d of two new sources failed, want both (the period is held)", round, failed)
		}
		if got := totalUSD(t, s); got.Cmp(decimal.MustParse("300")) != 0 && got.Cmp(decimal.MustParse("600")) != 0 {
			t.Fatalf("round %d: the total is %s, one source's (300 or 600)", round, got)
		}
	}
	// The refused loads' rows are dropped at once, not left to Cleanup.
	var n uint64
	if err := s.entry.QueryRow(ctx, "SELECT count() FROM "+s.db+".cost_rows").Scan(&n); err != nil || n != 300 {
		t.Errorf("%d rows are stored (%v), want the one taken load's 300", n, err)
	}
}

// TestDatabaseFromURL checks that the URL's path names the database.
func TestDatabaseFromURL(t *testing.T) {
	ch, pg := testURLs(t)
	name := fmt.Sprintf("reckon_url_%d", time.Now().UnixNano())
	u := strings.Replace(ch, "?", "/"+name+"?", 1)
	ctx := context.Background()
	s, err := Open(ctx, u, Options{Postgres: pg, PostgresSchema: name})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		s.DropDatabase(ctx) //nolint:errcheck
		s.Close()
		if conn, err := pgx.Connect(ctx, pg); err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE") //nolint:errcheck
			conn.Close(ctx)
		}
	}()
	if s.db != name {
		t.Errorf("the database is %q, want %q", s.db, name)
	}
	var n uint64
	if err := s.entry.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'cost_rows'", name).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d tables cost_rows in %s, %v", n, name, err)
	}
}

// loaderEnv names, for TestLoaderKilled's child process, the database and
// schema to restate a month in until it is killed.
const loaderEnv = "RECKON_CHSTORE_TEST_LOADER"
