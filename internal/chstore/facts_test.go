package chstore

// TestClickHouseFacts checks, against a real two-shard cluster, what the
// ClickHouse cost store may rely on: each subtest's name states one fact about
// Debian's clickhouse-server 18.16.1 driven by clickhouse-go v2 over the native
// protocol. test/scaleout/README.md lists the same facts.
//
// It runs when RECKON_TEST_CLICKHOUSE is a URL such as
// clickhouse://127.0.0.1:19000?cluster=reckon (test/scaleout/clickhouse.sh
// prints it); it fails instead of skipping when RECKON_REQUIRE_CLICKHOUSE is
// set. The shards are found in system.clusters on the URL's server.
//
// Facts of the form "X is absent" are asserted only on an 18.x server; on a
// later release the subtest logs what it found instead, so that the test also
// runs against the releases users deploy.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"
)

type testCluster struct {
	name    string
	entry   driver.Conn   // the server of the URL
	shards  []driver.Conn // one per shard, in shard_num order
	addrs   []string
	server  *driver.ServerVersion
	is18    bool
	db      string
	options clickhouse.Options
}

// openCluster connects to the URL's server and to every shard of its cluster.
func openCluster(t *testing.T) *testCluster {
	t.Helper()
	raw := os.Getenv("RECKON_TEST_CLICKHOUSE")
	if raw == "" {
		if os.Getenv("RECKON_REQUIRE_CLICKHOUSE") != "" {
			t.Fatal("RECKON_REQUIRE_CLICKHOUSE is set but RECKON_TEST_CLICKHOUSE is not: start the cluster with test/scaleout/clickhouse.sh as .ci/run does")
		}
		t.Skip("RECKON_TEST_CLICKHOUSE is not set (see test/scaleout/README.md)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("RECKON_TEST_CLICKHOUSE: %v", err)
	}
	q := u.Query()
	name := q.Get("cluster")
	if name == "" {
		t.Fatalf("RECKON_TEST_CLICKHOUSE %q names no cluster (?cluster=NAME)", raw)
	}
	// cluster is Reckon's parameter, not a ClickHouse setting: clickhouse-go
	// would send an unknown query parameter to the server as a setting.
	q.Del("cluster")
	u.RawQuery = q.Encode()
	opts, err := clickhouse.ParseDSN(u.String())
	if err != nil {
		t.Fatalf("clickhouse.ParseDSN(%q): %v", u.String(), err)
	}
	opts.DialTimeout = 10 * time.Second
	c := &testCluster{name: name, options: *opts}
	c.entry = c.open(t, opts.Addr)
	if c.server, err = c.entry.ServerVersion(); err != nil {
		t.Fatalf("server version: %v", err)
	}
	c.is18 = c.server.Version.Major == 18

	rows, err := c.entry.Query(context.Background(),
		"SELECT shard_num, host_address, port FROM system.clusters WHERE cluster = ? ORDER BY shard_num, replica_num", name)
	if err != nil {
		t.Fatalf("system.clusters: %v", err)
	}
	seen := map[uint32]bool{}
	for rows.Next() {
		var (
			shard uint32
			host  string
			port  uint16
		)
		if err := rows.Scan(&shard, &host, &port); err != nil {
			t.Fatal(err)
		}
		if seen[shard] { // the first replica of each shard is enough
			continue
		}
		seen[shard] = true
		addr := fmt.Sprintf("%s:%d", host, port)
		c.addrs = append(c.addrs, addr)
		c.shards = append(c.shards, c.open(t, []string{addr}))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(c.shards) < 2 {
		t.Fatalf("cluster %q has %d shards; these facts need two or more", name, len(c.shards))
	}
	c.db = fmt.Sprintf("reckon_facts_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		for _, s := range c.shards {
			_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+c.db)
		}
	})
	for _, s := range c.shards {
		c.exec(t, s, "CREATE DATABASE IF NOT EXISTS "+c.db)
	}
	return c
}

func (c *testCluster) open(t *testing.T, addr []string) driver.Conn {
	t.Helper()
	o := c.options
	o.Addr = addr
	conn, err := clickhouse.Open(&o)
	if err != nil {
		t.Fatalf("clickhouse.Open(%v): %v", addr, err)
	}
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatalf("ping %v: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// q replaces {db} and {cluster} in a statement.
func (c *testCluster) q(sql string) string {
	return strings.NewReplacer("{db}", c.db, "{cluster}", c.name).Replace(sql)
}

func (c *testCluster) exec(t *testing.T, conn driver.Conn, sql string, args ...any) {
	t.Helper()
	if err := conn.Exec(context.Background(), c.q(sql), args...); err != nil {
		t.Fatalf("%s: %v", c.q(sql), err)
	}
}

// onEachShard runs a statement on every shard.
func (c *testCluster) onEachShard(t *testing.T, sql string) {
	t.Helper()
	for _, s := range c.shards {
		c.exec(t, s, sql)
	}
}

// str runs a query and returns its first column of its first row as text:
// a String as it is, a Decimal with all the digits of its scale (as
// ClickHouse's toString writes it), anything else through fmt. (Wrapping the
// query in toString((…)) would be simpler, but 18.16 fails a scalar subquery
// that returns a Decimal.)
func (c *testCluster) str(t *testing.T, conn driver.Conn, sql string, args ...any) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), c.q(sql), args...)
	if err != nil {
		t.Fatalf("%s: %v", c.q(sql), err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row (%v)", c.q(sql), rows.Err())
	}
	col := rows.ColumnTypes()[0]
	v := reflect.New(col.ScanType())
	if err := rows.Scan(v.Interface()); err != nil {
		t.Fatalf("%s: %v", c.q(sql), err)
	}
	switch x := v.Elem().Interface().(type) {
	case string:
		return x
	case decimal.Decimal:
		var precision, scale int32
		if _, err := fmt.Sscanf(col.DatabaseTypeName(), "Decimal(%d, %d)", &precision, &scale); err != nil {
			t.Fatalf("%s: a decimal of type %s", c.q(sql), col.DatabaseTypeName())
		}
		return x.StringFixed(scale)
	default:
		return fmt.Sprint(x)
	}
}

// absentOn18 asserts that err is an error on an 18.x server, and logs the
// outcome on a later release.
func (c *testCluster) absentOn18(t *testing.T, err error, what string) {
	t.Helper()
	switch {
	case c.is18 && err == nil:
		t.Fatalf("%s works on %s; the facts say it does not", what, c.server.Version)
	case c.is18:
		t.Logf("%s: %v", what, firstLine(err))
	case err == nil:
		t.Logf("%s works on %s (absent on 18.16)", what, c.server.Version)
	default:
		t.Logf("%s fails on %s too: %v", what, c.server.Version, firstLine(err))
	}
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// The cost table: one partition per (billing month, load id), so that a load
// is dropped or swapped as whole partitions on every shard.
const costsLocalDDL = `CREATE TABLE {db}.costs_local (
	load_id UInt64,
	billing_period Date,
	usage_date Date,
	billing_account LowCardinality(String),
	service LowCardinality(String),
	resource_id String,
	cost Decimal(38, 18)
) ENGINE = MergeTree
PARTITION BY (toYYYYMM(billing_period), load_id)
ORDER BY (billing_period, billing_account, service, usage_date, resource_id)`

const costsDistributedDDL = `CREATE TABLE {db}.costs AS {db}.costs_local
ENGINE = Distributed({cluster}, {db}, costs_local, cityHash64(billing_account))`

const costColumns = "(load_id, billing_period, usage_date, billing_account, service, resource_id, cost)"

type costRow struct {
	load    uint64
	period  time.Time
	day     time.Time
	account string
	service string
	res     string
	cost    string
}

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// rowsFor makes n rows of one load in one month, over ten accounts (so that
// both shards get some), each costing cost.
func rowsFor(load uint64, month string, n int, cost string) []costRow {
	p := day(month + "-01")
	out := make([]costRow, n)
	for i := range out {
		out[i] = costRow{
			load: load, period: p, day: p.AddDate(0, 0, i%28),
			account: fmt.Sprintf("acct-%d", i%10), service: []string{"AmazonEC2", "AmazonS3", "AWSLambda"}[i%3],
			res: fmt.Sprintf("r-%d-%d", load, i), cost: cost,
		}
	}
	return out
}

func insertRows(ctx context.Context, conn driver.Conn, table string, rows []costRow) error {
	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+table+" "+costColumns)
	if err != nil {
		return err
	}
	for _, r := range rows {
		d, err := decimal.NewFromString(r.cost)
		if err != nil {
			return err
		}
		if err := b.Append(r.load, r.period, r.day, r.account, r.service, r.res, d); err != nil {
			return err
		}
	}
	return b.Send()
}

// syncInsert is the context for inserts through a Distributed table that
// return only once every shard has its rows.
func syncInsert() context.Context {
	return clickhouse.Context(context.Background(), clickhouse.WithSettings(clickhouse.Settings{"insert_distributed_sync": 1}))
}

func TestClickHouseFacts(t *testing.T) {
	c := openCluster(t)
	ctx := context.Background()
	t.Logf("cluster %s: shards %v; server %s %s (revision %d)", c.name, c.addrs, c.server.Name, c.server.Version, c.server.Revision)

	t.Run("clickhouse-go v2 speaks the native protocol at the server's revision 54412 (18.16), below the 54459 of query parameters", func(t *testing.T) {
		negotiated := min(c.server.Revision, uint64(clickhouse.ClientTCPProtocolVersion))
		t.Logf("client revision %d, server revision %d, negotiated %d", clickhouse.ClientTCPProtocolVersion, c.server.Revision, negotiated)
		if c.is18 && negotiated != 54412 {
			t.Fatalf("negotiated revision %d, want 54412", negotiated)
		}
		for i, s := range c.shards {
			v, err := s.ServerVersion()
			if err != nil {
				t.Fatal(err)
			}
			if v.Version != c.server.Version {
				t.Errorf("shard %d runs %s, the entry server %s", i+1, v.Version, c.server.Version)
			}
		}
	})

	t.Run("clickhouse-go's HTTP protocol fails: 18.16 rejects its client_protocol_version setting (native protocol only)", func(t *testing.T) {
		addr := os.Getenv("RECKON_CLICKHOUSE_HTTP")
		if addr == "" {
			t.Skip("RECKON_CLICKHOUSE_HTTP (host:port of a shard's HTTP interface) is not set")
		}
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, Protocol: clickhouse.HTTP, DialTimeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var n uint8
		err = conn.QueryRow(ctx, "SELECT 1").Scan(&n)
		c.absentOn18(t, err, "SELECT 1 over HTTP")
		if c.is18 && !strings.Contains(err.Error(), "client_protocol_version") {
			t.Fatalf("HTTP failed for another reason: %v", err)
		}
	})

	t.Run("ON CLUSTER DDL fails without ZooKeeper, so every shard gets its tables directly", func(t *testing.T) {
		err := c.entry.Exec(ctx, c.q("CREATE DATABASE IF NOT EXISTS {db}_oncluster ON CLUSTER {cluster}"))
		if err == nil {
			t.Cleanup(func() { _ = c.entry.Exec(ctx, c.q("DROP DATABASE IF EXISTS {db}_oncluster ON CLUSTER {cluster}")) })
		}
		c.absentOn18(t, err, "CREATE DATABASE … ON CLUSTER without ZooKeeper")
		c.onEachShard(t, costsLocalDDL)
		c.onEachShard(t, costsDistributedDDL)
	})

	t.Run("LowCardinality(String) needs allow_experimental_low_cardinality_type=1, which the users.xml profile sets and a client may send", func(t *testing.T) {
		off := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"allow_experimental_low_cardinality_type": 0}))
		err := c.entry.Exec(off, c.q("CREATE TABLE {db}.lc_off (s LowCardinality(String)) ENGINE = MergeTree ORDER BY s"))
		c.absentOn18(t, err, "LowCardinality with allow_experimental_low_cardinality_type=0")
		on := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"allow_experimental_low_cardinality_type": 1}))
		if err := c.entry.Exec(on, c.q("CREATE TABLE {db}.lc_on (s LowCardinality(String)) ENGINE = MergeTree ORDER BY s")); err != nil {
			t.Fatalf("LowCardinality with the setting sent by the client: %v", err)
		}
		if got := c.str(t, c.entry, "SELECT value FROM system.settings WHERE name = 'allow_experimental_low_cardinality_type'"); c.is18 && got != "1" {
			t.Fatalf("the profile's allow_experimental_low_cardinality_type is %q, want 1", got)
		}
	})

	t.Run("Decimal128(18) is Decimal(38, 18) and needs no experimental setting", func(t *testing.T) {
		c.exec(t, c.entry, "CREATE TABLE {db}.dec (a Decimal128(18), b Decimal(38, 18)) ENGINE = MergeTree ORDER BY tuple()")
		for _, col := range []string{"a", "b"} {
			if got := c.str(t, c.entry, "SELECT type FROM system.columns WHERE database = ? AND table = 'dec' AND name = ?", c.db, col); got != "Decimal(38, 18)" {
				t.Errorf("column %s is %s", col, got)
			}
		}
		if n := c.str(t, c.entry, "SELECT count() FROM system.settings WHERE name LIKE '%experimental%decimal%'"); c.is18 && n != "0" {
			t.Errorf("%s settings about experimental decimals", n)
		}
	})

	t.Run("a batch insert with an explicit column list sends LowCardinality and Decimal values", func(t *testing.T) {
		if err := insertRows(ctx, c.shards[0], c.q("{db}.costs_local"), []costRow{{
			load: 99, period: day("2023-12-01"), day: day("2023-12-31"), account: "acct-x", service: "AmazonEC2",
			res: "i-1", cost: "-1234.000000000000000001",
		}}); err != nil {
			t.Fatal(err)
		}
		var (
			acct, svc string
			cost      decimal.Decimal
			d         time.Time
		)
		if err := c.shards[0].QueryRow(ctx, c.q("SELECT billing_account, service, cost, usage_date FROM {db}.costs_local WHERE load_id = 99")).Scan(&acct, &svc, &cost, &d); err != nil {
			t.Fatal(err)
		}
		if acct != "acct-x" || svc != "AmazonEC2" || cost.String() != "-1234.000000000000000001" || !d.Equal(day("2023-12-31")) {
			t.Fatalf("read back %s %s %s %s", acct, svc, cost, d)
		}
		c.exec(t, c.shards[0], "ALTER TABLE {db}.costs_local DROP PARTITION (202312, 99)")
	})

	t.Run("a batch insert without a column list fails (clickhouse-go sees 0 columns): list the columns", func(t *testing.T) {
		b, err := c.shards[0].PrepareBatch(ctx, c.q("INSERT INTO {db}.costs_local"))
		if err == nil {
			d, _ := decimal.NewFromString("1.5")
			if err = b.Append(uint64(98), day("2023-11-01"), day("2023-11-02"), "acct-y", "AmazonS3", "b-1", d); err == nil {
				err = b.Send()
			}
		}
		if err == nil {
			c.exec(t, c.shards[0], "ALTER TABLE {db}.costs_local DROP PARTITION (202311, 98)")
		}
		c.absentOn18(t, err, "PrepareBatch(INSERT INTO t) without columns")
	})

	t.Run("an insert through the Distributed table with insert_distributed_sync=1 is on every shard when it returns (the default, 0, is asynchronous)", func(t *testing.T) {
		if got := c.str(t, c.entry, "SELECT value FROM system.settings WHERE name = 'insert_distributed_sync'"); got != "0" {
			t.Logf("insert_distributed_sync defaults to %s", got)
		}
		if err := insertRows(syncInsert(), c.entry, c.q("{db}.costs"), rowsFor(1, "2024-01", 1000, "0.1")); err != nil {
			t.Fatal(err)
		}
		total := 0
		for i, s := range c.shards {
			n := c.str(t, s, "SELECT count() FROM {db}.costs_local WHERE load_id = 1")
			var k int
			fmt.Sscan(n, &k)
			if k == 0 {
				t.Errorf("shard %d has no rows of load 1 right after the insert", i+1)
			}
			total += k
		}
		if total != 1000 {
			t.Fatalf("the shards have %d rows of load 1, want 1000", total)
		}
		if got := c.str(t, c.entry, "SELECT sum(cost) FROM {db}.costs WHERE load_id = 1"); got != "100.000000000000000000" {
			t.Fatalf("sum through the Distributed table is %s, want 100.000000000000000000", got)
		}
	})

	t.Run("rows inserted into each shard's local table are read through the Distributed table", func(t *testing.T) {
		for i, s := range c.shards {
			if err := insertRows(ctx, s, c.q("{db}.costs_local"), rowsFor(2, "2024-02", 10*(i+1), "1")); err != nil {
				t.Fatal(err)
			}
		}
		want := 0
		for i := range c.shards {
			want += 10 * (i + 1)
		}
		if got := c.str(t, c.entry, "SELECT count() FROM {db}.costs WHERE load_id = 2"); got != fmt.Sprint(want) {
			t.Fatalf("%s rows of load 2 through the Distributed table, want %d", got, want)
		}
	})

	t.Run("sum() over Decimal(38, 18) is exact to 18 places across shards (10^6 rows of 1e-18, a 17-digit cost and a credit)", func(t *testing.T) {
		insert := c.q(`INSERT INTO {db}.costs ` + costColumns + `
			SELECT 3, toDate('2024-03-01'), toDate('2024-03-01') + number % 28, concat('acct-', toString(number % 10)),
				'AmazonEC2', concat('tiny-', toString(number)), toDecimal128('0.000000000000000001', 18)
			FROM system.numbers LIMIT 1000000`)
		if err := c.entry.Exec(syncInsert(), insert); err != nil {
			t.Fatal(err)
		}
		big := []costRow{
			{load: 3, period: day("2024-03-01"), day: day("2024-03-05"), account: "acct-1", service: "AmazonRDS", res: "db-1", cost: "12345678901234567.123456789012345678"},
			{load: 3, period: day("2024-03-01"), day: day("2024-03-06"), account: "acct-2", service: "AmazonRDS", res: "credit", cost: "-0.5"},
		}
		if err := insertRows(syncInsert(), c.entry, c.q("{db}.costs"), big); err != nil {
			t.Fatal(err)
		}
		want := "12345678901234566.623456789013345678"
		if got := c.str(t, c.entry, "SELECT sum(cost) FROM {db}.costs WHERE load_id = 3"); got != want {
			t.Fatalf("sum is %s, want %s", got, want)
		}
		var sum decimal.Decimal
		if err := c.entry.QueryRow(ctx, c.q("SELECT sum(cost) FROM {db}.costs WHERE load_id = 3")).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if sum.StringFixed(18) != want {
			t.Fatalf("sum scanned into decimal.Decimal is %s, want %s", sum.StringFixed(18), want)
		}
		if typ := c.str(t, c.entry, "SELECT toTypeName(sum(cost)) FROM {db}.costs"); typ != "Decimal(38, 18)" {
			t.Errorf("sum(cost) is %s", typ)
		}
		// The per-shard sums add up to the same total.
		total := decimal.Zero
		for _, s := range c.shards {
			var part decimal.Decimal
			if err := s.QueryRow(ctx, c.q("SELECT sum(cost) FROM {db}.costs_local WHERE load_id = 3")).Scan(&part); err != nil {
				t.Fatal(err)
			}
			if part.IsZero() {
				t.Errorf("a shard has none of load 3")
			}
			total = total.Add(part)
		}
		if total.StringFixed(18) != want {
			t.Fatalf("the shards' sums add to %s", total.StringFixed(18))
		}
		f := c.str(t, c.entry, "SELECT sum(toFloat64(cost)) FROM {db}.costs WHERE load_id = 3")
		t.Logf("the same sum in Float64: %s", f)
	})

	t.Run("a Distributed GROUP BY … ORDER BY sum DESC LIMIT n gives the exact top n, and total minus top n gives Others", func(t *testing.T) {
		// Load 5: account i costs i+1 per row, 7 rows each.
		var rows []costRow
		for i := range 10 {
			for j := range 7 {
				rows = append(rows, costRow{load: 5, period: day("2024-05-01"), day: day("2024-05-01").AddDate(0, 0, j),
					account: fmt.Sprintf("acct-%d", i), service: "AmazonEC2", res: fmt.Sprintf("t-%d-%d", i, j), cost: fmt.Sprintf("%d.25", i+1)})
			}
		}
		if err := insertRows(syncInsert(), c.entry, c.q("{db}.costs"), rows); err != nil {
			t.Fatal(err)
		}
		r, err := c.entry.Query(ctx, c.q(`SELECT billing_account, sum(cost) AS c FROM {db}.costs WHERE load_id = 5
			GROUP BY billing_account ORDER BY c DESC, billing_account LIMIT 3`))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		top := decimal.Zero
		for r.Next() {
			var (
				a string
				s decimal.Decimal
			)
			if err := r.Scan(&a, &s); err != nil {
				t.Fatal(err)
			}
			got = append(got, a+"="+s.StringFixed(2))
			top = top.Add(s)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != "acct-9=71.75 acct-8=64.75 acct-7=57.75" {
			t.Fatalf("top 3: %v", got)
		}
		var total decimal.Decimal
		if err := c.entry.QueryRow(ctx, c.q("SELECT sum(cost) FROM {db}.costs WHERE load_id = 5")).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if others := total.Sub(top).StringFixed(2); others != "208.25" {
			t.Fatalf("Others = %s", others)
		}
	})

	t.Run("ALTER TABLE … REPLACE PARTITION (month, load) FROM a staging table swaps the partition on a shard; the staging rows stay", func(t *testing.T) {
		c.onEachShard(t, "CREATE TABLE {db}.costs_staging AS {db}.costs_local")
		if err := insertRows(syncInsert(), c.entry, c.q("{db}.costs"), rowsFor(4, "2024-04", 100, "1")); err != nil {
			t.Fatal(err)
		}
		for _, s := range c.shards {
			if err := insertRows(ctx, s, c.q("{db}.costs_staging"), rowsFor(4, "2024-04", 10, "3")); err != nil {
				t.Fatal(err)
			}
		}
		c.onEachShard(t, "ALTER TABLE {db}.costs_local REPLACE PARTITION (202404, 4) FROM {db}.costs_staging")
		want := fmt.Sprintf("%d.000000000000000000", 30*len(c.shards))
		if got := c.str(t, c.entry, "SELECT sum(cost) FROM {db}.costs WHERE load_id = 4"); got != want {
			t.Fatalf("after REPLACE PARTITION the sum is %s, want %s", got, want)
		}
		for _, s := range c.shards {
			if n := c.str(t, s, "SELECT count() FROM {db}.costs_staging"); n != "10" {
				t.Fatalf("the staging table has %s rows after REPLACE PARTITION, want 10", n)
			}
		}
	})

	t.Run("ALTER TABLE … ATTACH PARTITION … FROM a staging table adds a partition", func(t *testing.T) {
		for _, s := range c.shards {
			if err := insertRows(ctx, s, c.q("{db}.costs_staging"), rowsFor(6, "2024-06", 5, "2")); err != nil {
				t.Fatal(err)
			}
		}
		c.onEachShard(t, "ALTER TABLE {db}.costs_local ATTACH PARTITION (202406, 6) FROM {db}.costs_staging")
		want := fmt.Sprintf("%d.000000000000000000", 10*len(c.shards))
		if got := c.str(t, c.entry, "SELECT sum(cost) FROM {db}.costs WHERE load_id = 6"); got != want {
			t.Fatalf("after ATTACH PARTITION FROM the sum is %s, want %s", got, want)
		}
	})

	t.Run("system.parts lists a table's partitions, and DROP PARTITION and DROP PARTITION ID remove them", func(t *testing.T) {
		var parts []string
		r, err := c.shards[0].Query(ctx, "SELECT DISTINCT partition_id, partition FROM system.parts WHERE database = ? AND table = 'costs_local' AND active ORDER BY partition_id", c.db)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var id, p string
			if err := r.Scan(&id, &p); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, id+" "+p)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		t.Logf("shard 1's partitions: %v", parts)
		if !slices.Contains(parts, "202401-1 (202401,1)") {
			t.Fatalf("no partition 202401-1 (202401,1) among %v", parts)
		}
		c.onEachShard(t, "ALTER TABLE {db}.costs_local DROP PARTITION (202401, 1)")
		c.onEachShard(t, "ALTER TABLE {db}.costs_local DROP PARTITION ID '202402-2'")
		if got := c.str(t, c.entry, "SELECT count() FROM {db}.costs WHERE load_id IN (1, 2)"); got != "0" {
			t.Fatalf("%s rows of loads 1 and 2 after dropping their partitions", got)
		}
	})

	t.Run("dropping a partition that does not exist is not an error (a cleanup may repeat)", func(t *testing.T) {
		if err := c.shards[0].Exec(ctx, c.q("ALTER TABLE {db}.costs_local DROP PARTITION (209901, 12345)")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a set of load ids filters as IN (literals), IN ? with a clickhouse.GroupSet, and has(?, load_id) with a slice", func(t *testing.T) {
		want := c.str(t, c.entry, "SELECT count() FROM {db}.costs WHERE load_id = 4 OR load_id = 5")
		if want == "0" {
			t.Fatal("no rows of loads 4 and 5")
		}
		for _, tc := range []struct {
			sql  string
			args []any
		}{
			{"SELECT count() FROM {db}.costs WHERE load_id IN (4, 5)", nil},
			{"SELECT count() FROM {db}.costs WHERE load_id IN ?", []any{clickhouse.GroupSet{Value: []any{uint64(4), uint64(5)}}}},
			{"SELECT count() FROM {db}.costs WHERE has(?, load_id)", []any{[]uint64{4, 5}}},
			{"SELECT count() FROM {db}.costs WHERE load_id IN @loads", []any{clickhouse.Named("loads", clickhouse.GroupSet{Value: []any{uint64(4), uint64(5)}})}},
		} {
			if got := c.str(t, c.entry, tc.sql, tc.args...); got != want {
				t.Errorf("%s: %s rows, want %s", tc.sql, got, want)
			}
		}
	})

	t.Run("a plain slice bound to IN ? becomes an array literal, IN [4, 5], which fails", func(t *testing.T) {
		var n uint64
		err := c.entry.QueryRow(ctx, c.q("SELECT count() FROM {db}.costs WHERE load_id IN ?"), []uint64{4, 5}).Scan(&n)
		c.absentOn18(t, err, "load_id IN [4, 5]")
	})

	t.Run("IN with a subquery on a Distributed table is refused (distributed_product_mode=deny); GLOBAL IN works", func(t *testing.T) {
		var n uint64
		err := c.entry.QueryRow(ctx, c.q("SELECT count() FROM {db}.costs WHERE load_id IN (SELECT load_id FROM {db}.costs WHERE load_id = 5)")).Scan(&n)
		if err == nil {
			t.Fatalf("a double-distributed IN answered %d", n)
		}
		t.Logf("IN: %v", firstLine(err))
		if err := c.entry.QueryRow(ctx, c.q("SELECT count() FROM {db}.costs WHERE load_id GLOBAL IN (SELECT load_id FROM {db}.costs WHERE load_id = 5)")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 70 {
			t.Fatalf("GLOBAL IN: %d rows, want 70", n)
		}
	})

	t.Run("positional ? and named @name arguments are bound into the SQL text by clickhouse-go", func(t *testing.T) {
		if got := c.str(t, c.entry, "SELECT concat(?, toString(? + 1))", "it's ", 41); got != "it's 42" {
			t.Fatalf("positional: %q", got)
		}
		if got := c.str(t, c.entry, "SELECT concat(@s, toString(@n))", clickhouse.Named("s", "a'b\\"), clickhouse.Named("n", 7)); got != "a'b\\7" {
			t.Fatalf("named: %q", got)
		}
		if got := c.str(t, c.entry, "SELECT toString(toDate(?))", day("2024-02-29")); got != "2024-02-29" {
			t.Fatalf("a time.Time bound for a Date: %q", got)
		}
		d, _ := decimal.NewFromString("0.000000000000000001")
		if got := c.str(t, c.entry, "SELECT toDecimal128(?, 18)", d.String()); got != "0.000000000000000001" {
			t.Fatalf("a decimal bound as a string: %q", got)
		}
	})

	t.Run("server-side query parameters {name:Type} (clickhouse.WithParameters) do not work (they need revision 54459)", func(t *testing.T) {
		var n uint64
		pctx := clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"n": "5"}))
		err := c.entry.QueryRow(pctx, "SELECT {n:UInt64}").Scan(&n)
		if err == nil && n != 5 {
			err = fmt.Errorf("answered %d", n)
		}
		c.absentOn18(t, err, "SELECT {n:UInt64} with clickhouse.WithParameters")
	})

	t.Run("window functions are absent", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT number, sum(number) OVER () FROM system.numbers LIMIT 3"), "sum() OVER ()")
	})

	t.Run("GROUPING SETS is absent", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT a, b, count() FROM (SELECT number % 2 AS a, number % 3 AS b FROM system.numbers LIMIT 10) GROUP BY GROUPING SETS ((a), (b))"), "GROUPING SETS")
	})

	t.Run("WITH ROLLUP and WITH CUBE work; their subtotal rows carry the key type's default value (0, ''), not NULL", func(t *testing.T) {
		for _, tc := range []struct {
			mod  string
			rows int
		}{{"WITH ROLLUP", 6 + 2 + 1}, {"WITH CUBE", 6 + 2 + 3 + 1}} {
			r, err := c.entry.Query(ctx, `SELECT a, b, count() FROM (SELECT number % 2 AS a, toString(number % 3) AS b FROM system.numbers LIMIT 10)
				GROUP BY a, b `+tc.mod)
			if err != nil {
				t.Fatalf("%s: %v", tc.mod, err)
			}
			n := 0
			var grand uint64
			for r.Next() {
				var (
					a uint8
					b string
					k uint64
				)
				if err := r.Scan(&a, &b, &k); err != nil {
					t.Fatal(err)
				}
				if a == 0 && b == "" && k > grand {
					grand = k
				}
				n++
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if n != tc.rows || grand != 10 {
				t.Fatalf("%s: %d rows (want %d), grand total %d", tc.mod, n, tc.rows, grand)
			}
		}
	})

	t.Run("WITH TOTALS works and clickhouse-go reads the totals row with Rows.Totals", func(t *testing.T) {
		r, err := c.entry.Query(ctx, "SELECT number % 2 AS a, count() AS n FROM (SELECT number FROM system.numbers LIMIT 10) GROUP BY a WITH TOTALS ORDER BY a")
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		var (
			a uint8
			n uint64
		)
		if err := r.Totals(&a, &n); err != nil {
			t.Fatal(err)
		}
		if n != 10 {
			t.Fatalf("totals row: %d", n)
		}
	})

	t.Run("LIMIT n BY works", func(t *testing.T) {
		if got := c.str(t, c.entry, "SELECT toString(groupArray(number)) FROM (SELECT number FROM (SELECT number FROM system.numbers LIMIT 10) ORDER BY number % 2, number DESC LIMIT 2 BY number % 2)"); got != "[8,6,9,7]" {
			t.Fatalf("got %s", got)
		}
	})

	t.Run("LIMIT n OFFSET m and LIMIT m, n work", func(t *testing.T) {
		for _, q := range []string{"LIMIT 2 OFFSET 3", "LIMIT 3, 2"} {
			if got := c.str(t, c.entry, "SELECT toString(groupArray(number)) FROM (SELECT number FROM (SELECT number FROM system.numbers LIMIT 10) ORDER BY number "+q+")"); got != "[3,4]" {
				t.Fatalf("%s: %s", q, got)
			}
		}
	})

	t.Run("arrayJoin works", func(t *testing.T) {
		if got := c.str(t, c.entry, "SELECT toString(groupArray(x)) FROM (SELECT arrayJoin([1, 2, 3]) AS x)"); got != "[1,2,3]" {
			t.Fatalf("got %s", got)
		}
	})

	t.Run("Decimal(38, 18) times or divided by an integer stays exact at scale 18", func(t *testing.T) {
		for q, want := range map[string]string{
			"SELECT toDecimal128('12345678901234567.123456789012345678', 18) * 3":        "37037036703703701.370370367037037034",
			"SELECT toDecimal128('1', 18) / 3":                                           "0.333333333333333333",
			"SELECT toDecimal128('10', 18) * toDecimal32('0.5', 1)":                      "5.0000000000000000000",
			"SELECT toDecimal128('-7.5', 18) + toDecimal128('0.000000000000000001', 18)": "-7.499999999999999999",
		} {
			if got := c.str(t, c.entry, q); got != want {
				t.Errorf("%s = %s, want %s", q, got, want)
			}
		}
	})

	t.Run("Decimal(38, 18) times or divided by Decimal(38, 18) is exact only below 170.14: above it the result wraps around silently, then overflows", func(t *testing.T) {
		if got := c.str(t, c.entry, "SELECT toTypeName(toDecimal128('1.5', 18) * toDecimal128('2', 18))"); got != "Decimal(38, 36)" {
			t.Logf("Decimal(38,18) * Decimal(38,18) is %s", got)
		}
		for q, want := range map[string]string{
			"SELECT toDecimal128('169', 18) * toDecimal128('1', 18)": "169.000000000000000000000000000000000000",
			"SELECT toDecimal128('169', 18) / toDecimal128('2', 18)": "84.500000000000000000",
		} {
			if got := c.str(t, c.entry, q); got != want {
				t.Errorf("%s = %s, want %s", q, got, want)
			}
		}
		// 2^127 / 10^36 = 170.14…: past it the 128-bit intermediate wraps.
		wrapped := []string{
			"SELECT toDecimal128('171', 18) * toDecimal128('1', 18)",
			"SELECT toDecimal128('123.5', 18) * toDecimal128('2', 18)",
			"SELECT toDecimal128('171', 18) / toDecimal128('2', 18)",
		}
		for _, q := range wrapped {
			var got string
			var s decimal.Decimal
			err := c.entry.QueryRow(ctx, q).Scan(&s)
			if err == nil {
				got = s.String()
			}
			switch {
			case c.is18 && (err != nil || !s.IsNegative()):
				t.Errorf("%s = %s (%v); the facts say it wraps to a negative number on 18.16", q, got, err)
			case c.is18:
				t.Logf("%s = %s (wrapped, no error)", q, got)
			default:
				t.Logf("%s = %s (%v) on %s", q, got, err, c.server.Version)
			}
		}
		for _, q := range []string{
			"SELECT toDecimal128('1234.5', 18) * toDecimal128('2', 18)",
			"SELECT toDecimal128('123456.5', 18) / toDecimal128('2', 18)",
		} {
			c.absentOn18(t, c.entry.Exec(ctx, q), q)
		}
		if got := c.str(t, c.entry, "SELECT toFloat64(toDecimal128('123456.5', 18)) / toFloat64(toDecimal128('2', 18))"); got != "61728.25" {
			t.Fatalf("a ratio through Float64: %s", got)
		}
	})

	t.Run("sum() over Decimal(38, 18) does not check overflow: past 170141183460469231731.69 it wraps around silently", func(t *testing.T) {
		got := c.str(t, c.entry, "SELECT sum(x) FROM (SELECT toDecimal128('99999999999999999999', 18) AS x FROM system.numbers LIMIT 3)")
		if c.is18 && got != "-40282366920938463466.374607431768211456" {
			t.Fatalf("sum of 3 × 99999999999999999999 is %s", got)
		}
		t.Logf("sum of 3 × 99999999999999999999 is %s", got)
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT toDecimal128('99999999999999999999', 18) + toDecimal128('99999999999999999999', 18)"), "the same overflow in plus (checked)")
	})

	t.Run("a scalar subquery that returns a Decimal fails (Type mismatch in IN or VALUES section)", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT (SELECT toDecimal128('1', 18))"), "SELECT (SELECT a Decimal)")
		if got := c.str(t, c.entry, "SELECT (SELECT toString(toDecimal128('1', 18)))"); got != "1.000000000000000000" {
			t.Fatalf("the subquery made a String: %s", got)
		}
	})

	t.Run("Exec of INSERT … VALUES hangs until the read timeout; batches and INSERT … SELECT work", func(t *testing.T) {
		o := c.options
		o.Addr = []string{c.addrs[0]}
		o.ReadTimeout = 3 * time.Second
		conn, err := clickhouse.Open(&o)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		c.exec(t, conn, "CREATE TABLE {db}.vals (k String, v UInt64) ENGINE = MergeTree ORDER BY k")
		c.exec(t, conn, "INSERT INTO {db}.vals (k, v) SELECT 'a', 1")
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		start := time.Now()
		err = conn.Exec(tctx, c.q("INSERT INTO {db}.vals (k, v) VALUES ('b', 2)"))
		c.absentOn18(t, err, fmt.Sprintf("Exec(INSERT … VALUES) (returned after %s)", time.Since(start).Round(time.Millisecond)))
	})

	t.Run("toDecimal128(string, 18) and CAST(string AS Decimal(38, 18)) are exact; more than 20 integer digits is an error", func(t *testing.T) {
		for q, want := range map[string]string{
			"SELECT toDecimal128('99999999999999999999.999999999999999999', 18)": "99999999999999999999.999999999999999999",
			"SELECT CAST('-0.000000000000000001' AS Decimal(38, 18))":            "-0.000000000000000001",
			"SELECT CAST(toDecimal128('2.5', 18) AS Decimal(38, 2))":             "2.50",
			"SELECT toDecimal128(1.25, 18)":                                      "1.250000000000000000",
		} {
			if got := c.str(t, c.entry, q); got != want {
				t.Errorf("%s = %s, want %s", q, got, want)
			}
		}
		if err := c.entry.Exec(ctx, "SELECT toDecimal128('123456789012345678901.5', 18)"); err == nil {
			t.Fatal("21 integer digits fit in Decimal(38, 18)")
		}
	})

	t.Run("toDate, toStartOfMonth, toYYYYMM, toMonday, toStartOfQuarter, toStartOfYear, addMonths, dateDiff and formatDateTime work", func(t *testing.T) {
		q := `SELECT concat(toString(toDate('2024-02-15')), ' ', toString(toStartOfMonth(toDate('2024-02-15'))), ' ',
			toString(toYYYYMM(toDate('2024-02-15'))), ' ', toString(toMonday(toDate('2024-02-15'))), ' ',
			toString(toStartOfQuarter(toDate('2024-05-15'))), ' ', toString(toStartOfYear(toDate('2024-05-15'))), ' ',
			toString(addMonths(toDate('2024-01-31'), 1)), ' ', toString(dateDiff('day', toDate('2024-01-01'), toDate('2024-03-01'))), ' ',
			formatDateTime(toDateTime('2024-02-15 10:00:00'), '%Y-%m'))`
		if got := c.str(t, c.entry, q); got != "2024-02-15 2024-02-01 202402 2024-02-12 2024-04-01 2024-01-01 2024-02-29 60 2024-02" {
			t.Fatalf("got %s", got)
		}
	})

	t.Run("JSONExtract functions are absent; visitParamExtractString is present", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, `SELECT JSONExtractString('{"a":"b"}', 'a')`), "JSONExtractString")
		if got := c.str(t, c.entry, `SELECT visitParamExtractString('{"a":"b"}', 'a')`); got != "b" {
			t.Fatalf("visitParamExtractString: %q", got)
		}
	})

	t.Run("ILIKE is absent; lower(x) LIKE lower(pattern) and positionCaseInsensitive work", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT 'AmazonEC2' ILIKE '%ec2%'"), "ILIKE")
		if got := c.str(t, c.entry, "SELECT concat(toString(lower('AmazonEC2') LIKE lower('%Ec2%')), toString(positionCaseInsensitive('AmazonEC2', 'ec2')))"); got != "17" {
			t.Fatalf("got %s", got)
		}
	})

	t.Run("simpleLinearRegression is absent (forecasts are fitted in Go)", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT simpleLinearRegression(number, number * 2) FROM (SELECT number FROM system.numbers LIMIT 10)"), "simpleLinearRegression")
	})

	t.Run("DateTime64 is absent", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT toDateTime64('2024-01-01 00:00:00', 3)"), "toDateTime64")
	})

	t.Run("ORDER BY … WITH FILL is absent", func(t *testing.T) {
		c.absentOn18(t, c.entry.Exec(ctx, "SELECT number FROM (SELECT number FROM system.numbers LIMIT 3) ORDER BY number WITH FILL"), "WITH FILL")
	})

	t.Run("sumIf, countIf, uniqExact, argMax, anyLast, quantileExact, groupArray and multiIf work", func(t *testing.T) {
		q := `SELECT concat(toString(sumIf(number, number > 5)), ' ', toString(countIf(number > 5)), ' ', toString(uniqExact(number % 3)), ' ',
			toString(argMax(number * 10, number)), ' ', toString(anyLast(number)), ' ', toString(quantileExact(0.5)(number)), ' ',
			toString(length(groupArray(number))), ' ', multiIf(count() > 5, 'many', 'few'))
			FROM (SELECT number FROM system.numbers LIMIT 10)`
		if got := c.str(t, c.entry, q); got != "30 4 3 90 9 5 10 many" {
			t.Fatalf("got %s", got)
		}
	})

	t.Run("ReplacingMergeTree(version) with FINAL returns the latest version of a key", func(t *testing.T) {
		s := c.shards[0]
		c.exec(t, s, "CREATE TABLE {db}.versions (k String, v UInt64, x String) ENGINE = ReplacingMergeTree(v) ORDER BY k")
		for _, v := range []struct {
			v uint64
			x string
		}{{1, "old"}, {2, "new"}} {
			b, err := s.PrepareBatch(ctx, c.q("INSERT INTO {db}.versions (k, v, x)"))
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Append("a", v.v, v.x); err != nil {
				t.Fatal(err)
			}
			if err := b.Send(); err != nil {
				t.Fatal(err)
			}
		}
		if got := c.str(t, s, "SELECT toString(groupArray(x)) FROM {db}.versions FINAL"); got != "['new']" {
			t.Fatalf("FINAL: %s", got)
		}
	})

	t.Run("ALTER TABLE … DELETE WHERE is an asynchronous mutation, done when system.mutations says so", func(t *testing.T) {
		s := c.shards[0]
		c.exec(t, s, "CREATE TABLE {db}.mut (k UInt64) ENGINE = MergeTree ORDER BY k")
		c.exec(t, s, "INSERT INTO {db}.mut (k) SELECT number FROM system.numbers LIMIT 100")
		c.exec(t, s, "ALTER TABLE {db}.mut DELETE WHERE k >= 50")
		deadline := time.Now().Add(30 * time.Second)
		for c.str(t, s, "SELECT count() FROM system.mutations WHERE database = ? AND table = 'mut' AND NOT is_done", c.db) != "0" {
			if time.Now().After(deadline) {
				t.Fatal("the mutation is not done after 30 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if got := c.str(t, s, "SELECT count() FROM {db}.mut"); got != "50" {
			t.Fatalf("%s rows left", got)
		}
	})

	t.Run("RENAME TABLE of several tables works; EXCHANGE TABLES is absent", func(t *testing.T) {
		s := c.shards[0]
		c.exec(t, s, "CREATE TABLE {db}.r1 (k UInt8) ENGINE = MergeTree ORDER BY k")
		c.exec(t, s, "CREATE TABLE {db}.r2 (k UInt8) ENGINE = MergeTree ORDER BY k")
		c.exec(t, s, "RENAME TABLE {db}.r1 TO {db}.r3, {db}.r2 TO {db}.r1, {db}.r3 TO {db}.r2")
		c.absentOn18(t, s.Exec(ctx, c.q("EXCHANGE TABLES {db}.r1 AND {db}.r2")), "EXCHANGE TABLES")
	})
}
