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
	t.Logf("cluster %s: shards %v; server %s %s (revision %d)", c.name, c.addrs, c.server.Name, c.server.Version, c.server.Revision)
	factsOfLoading(t, c)
	factsOfReading(t, c)
	factsOfSQL(t, c)
	factsOfIngest(t, c)
}
