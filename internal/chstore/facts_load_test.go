package chstore

// Subtests of TestClickHouseFacts (facts_test.go).

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"
)

// factsOfLoading are the facts of the connection, the DDL and loading.
func factsOfLoading(t *testing.T, c *testCluster) {
	ctx := context.Background()

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
}
