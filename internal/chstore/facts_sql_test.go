package chstore

// Subtests of TestClickHouseFacts (facts_test.go).

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"
)

// factsOfSQL are the facts of the SQL that 18.16 has and lacks, and of Decimal arithmetic.
func factsOfSQL(t *testing.T, c *testCluster) {
	ctx := context.Background()

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
