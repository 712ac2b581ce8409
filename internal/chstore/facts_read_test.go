package chstore

// Subtests of TestClickHouseFacts (facts_test.go).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"
)

// factsOfReading are the facts of sums, partitions, load-id filters and argument binding.
func factsOfReading(t *testing.T, c *testCluster) {
	ctx := context.Background()

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
}
