package chstore

// Subtests of TestClickHouseFacts (facts_test.go).

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// factsOfIngest are the facts of the loader's ingest path (ingest.go), the
// catalog's account names and the Parquet export.
func factsOfIngest(t *testing.T, c *testCluster) {
	ctx := context.Background()

	t.Run("a batch of String and UInt32 columns into a Null table lands through a materialized view TO a MergeTree table as LowCardinality, Decimal, Nullable(Decimal), DateTime and Array(String)", func(t *testing.T) {
		s := c.shards[0]
		c.exec(t, s, "CREATE TABLE {db}.ing_local (k UInt64, lc LowCardinality(String), d Decimal(38, 18), nd Nullable(Decimal(38, 18)), at DateTime, a Array(String)) ENGINE = MergeTree ORDER BY k")
		c.exec(t, s, "CREATE TABLE {db}.ing_in (k UInt64, lc String, d String, nd String, at UInt32, a String) ENGINE = Null")
		c.exec(t, s, `CREATE MATERIALIZED VIEW {db}.ing_mv TO {db}.ing_local AS SELECT k, toLowCardinality(lc) AS lc, toDecimal128(d, 18) AS d,
			if(nd = '', NULL, toDecimal128(if(nd = '', '0', nd), 18)) AS nd, toDateTime(at) AS at,
			arrayMap(e -> replaceAll(replaceAll(e, '\x02\x04', '\x01'), '\x02\x03', '\x02'), arraySlice(splitByChar('\x01', a), 2)) AS a FROM {db}.ing_in`)
		b, err := s.PrepareBatch(ctx, c.q("INSERT INTO {db}.ing_in (k, lc, d, nd, at, a)"))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range []any{
			[]uint64{1, 2, 3}, []string{"x", "y", "x"},
			[]string{"-12345678901234567.123456789012345678", "0.000000000000000001", "99999999999999999999.999999999999999999"},
			[]string{"", "2.5", "-3"}, []uint32{1700000000, 1700000001, 0},
			[]string{"", "\x01", "\x01a\x02\x04b\x01\x02\x03\x04"},
		} {
			if err := b.Column(i).Append(v); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
		got := c.str(t, s, `SELECT arrayStringConcat(groupArray(concat(toString(lc), ' ', toString(d), ' ', ifNull(toString(nd), 'NULL'), ' ',
			toString(toUInt32(at)), ' ', toString(arrayMap(e -> hex(e), a)), ' ', toTypeName(lc))), '; ') FROM (SELECT * FROM {db}.ing_local ORDER BY k)`)
		want := "x -12345678901234567.123456789012345678 NULL 1700000000 [] LowCardinality(String); " +
			"y 0.000000000000000001 2.500000000000000000 1700000001 [''] LowCardinality(String); " +
			"x 99999999999999999999.999999999999999999 -3.000000000000000000 0 ['610162','0204'] LowCardinality(String)"
		if got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})

	t.Run("transform(SubAccountId, [ids], [names], '') names account IDs, on LowCardinality too", func(t *testing.T) {
		got := c.str(t, c.entry, `SELECT arrayStringConcat(groupArray(transform(lowerUTF8(toString(id)), ['000000000001', 'abc-guid'], ['One', 'Azure'], '')), ',')
			FROM (SELECT toLowCardinality(arrayJoin(['000000000001', 'ABC-GUID', '000000000002'])) AS id)`)
		if got != "One,Azure," {
			t.Fatalf("got %q", got)
		}
	})

	t.Run("the Parquet output format is absent (a Parquet export goes through DuckDB); the native protocol ignores FORMAT, so HTTP asks", func(t *testing.T) {
		addr := os.Getenv("RECKON_CLICKHOUSE_HTTP")
		if addr == "" {
			t.Skip("RECKON_CLICKHOUSE_HTTP (host:port of a shard's HTTP interface) is not set")
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/", strings.NewReader("SELECT 1 FORMAT Parquet"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusOK {
			err = nil
		} else {
			err = errors.New(string(body))
		}
		c.absentOn18(t, err, "FORMAT Parquet")
	})
}
