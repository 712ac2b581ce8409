package main

import (
	"context"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5"
)

// benchServers are the scale-out test servers (test/scaleout), as
// internal/chstore's tests find them, or a skip: a failure when
// RECKON_REQUIRE_CLICKHOUSE is set.
func benchServers(t *testing.T) (ch, pg string) {
	t.Helper()
	ch, pg = os.Getenv("RECKON_TEST_CLICKHOUSE"), os.Getenv("RECKON_TEST_POSTGRES")
	if ch == "" || pg == "" {
		if os.Getenv("RECKON_REQUIRE_CLICKHOUSE") != "" {
			t.Fatal("RECKON_REQUIRE_CLICKHOUSE is set but RECKON_TEST_CLICKHOUSE or RECKON_TEST_POSTGRES is not: start the servers with test/scaleout as .ci/run does")
		}
		t.Skip("RECKON_TEST_CLICKHOUSE and RECKON_TEST_POSTGRES are not both set (see test/scaleout/README.md)")
	}
	return ch, pg
}

func TestBenchesMeasureTheClickHouseStoreBesideTheEmbeddedOne(t *testing.T) {
	ch, pg := benchServers(t)
	// The benches load in processes of their own: this test binary,
	// standing in for reckon (TestMain).
	t.Setenv("RECKON_TEST_AS_CLI", "1")
	const (
		dur   = `\d+\.\dms`
		total = `\d+\.\d+`
	)
	for _, tc := range []struct {
		name string
		args []string
		want []string // patterns each matching a line, in order
	}{
		{"bench ingest loads the same CUR into both stores with the generator's exact total", []string{"bench", "ingest", "--rows", "3000", "--cardinality", "realistic"},
			[]string{
				`^clickhouse: the ClickHouse and PostgreSQL databases (reckon_bench_\w+), dropped after the run$`,
				`^check: sum\(BilledCost\) = ` + total + `, the generator's exact total$`,
				`^check: the ClickHouse store's sum\(BilledCost\) = ` + total + ` too$`,
				`^reckon +\d+\.\d\d s .* peak RSS +\d+ MB$`,
				`^baseline +\d+\.\d\d s .* peak RSS +\d+ MB$`,
				`^clickhouse +\d+\.\d\d s .* peak RSS +\d+ MB$`,
				`^clickhouse realistic: \d+\.\d\d× the embedded store's seconds .* not counted$`,
				`^ratio realistic \d+\.\d{3}$`,
			}},
		{"bench query answers every query identically on both stores", []string{"bench", "query", "--rows", "6000", "--runs", "1", "--clients", "2", "--duration", "1s"},
			[]string{
				`^clickhouse: the ClickHouse and PostgreSQL databases (reckon_bench_\w+), dropped after the run$`,
				`^check: the ClickHouse store's sum\(BilledCost\) = ` + total + `, the embedded store's$`,
				`^\(a\) 30 days daily by service +api p50 +` + dur,
				`^  on ClickHouse +api p50 +` + dur + ` p95 +` + dur + ` .* identical answers \(\d+ rows\)$`,
				`^\(b\) monthly by account and service +api p50`,
				`^  on ClickHouse .* identical answers \(\d+ rows\)$`,
				`^\(c\) top 10 resources and Others +api p50`,
				`^  on ClickHouse .* identical answers \(11 rows\)$`,
				`^\(d\) and/or/not filter by tag +api p50`,
				`^  on ClickHouse .* identical answers \(\d+ rows\)$`,
				`^2 clients for 1s, the mix with the ClickHouse store, the cache on, as reckon serve --store has it: \d+ queries, 0 errors`,
				`^2 clients for 1s, the mix with the ClickHouse store, the cache off: \d+ queries, 0 errors`,
				`^targets \(cost analysis issue\) +duckdb +clickhouse$`,
				`^identical answers +\(the reference\) +yes$`,
				`^ratio clickhouse \d+\.\d{3}$`,
				`^ratio \d+\.\d{3}$`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "--store", ch, "--catalog", pg)
			code, out, errOut := cli(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			lines, i := strings.Split(strings.TrimSpace(out), "\n"), 0
			var name string
			for _, pattern := range tc.want {
				re := regexp.MustCompile(pattern)
				for i < len(lines) && !re.MatchString(lines[i]) {
					i++
				}
				if i == len(lines) {
					t.Fatalf("no line after the last match matches %s:\n%s", pattern, out)
				}
				if m := re.FindStringSubmatch(lines[i]); name == "" && len(m) > 1 {
					name = m[1]
				}
			}
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "ratio ") {
				t.Errorf("the last line is %q, want the ratio", last)
			}
			if name == "" {
				t.Fatalf("the bench named no database:\n%s", out)
			}
			assertDropped(t, ch, pg, name)
		})
	}
}

// assertDropped checks that the bench dropped its databases.
func assertDropped(t *testing.T, chURL, pgURL, name string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil || n != 0 {
		t.Errorf("PostgreSQL database %s: %d left (%v)", name, n, err)
	}
	u, err := url.Parse(chURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range append([]string{u.Host}, strings.Split(os.Getenv("RECKON_CLICKHOUSE_SHARDS"), ",")...) {
		if addr == "" {
			continue
		}
		c, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
		if err != nil {
			t.Fatal(err)
		}
		var left uint64
		if err := c.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", name).Scan(&left); err != nil || left != 0 {
			t.Errorf("ClickHouse database %s on %s: %d left (%v)", name, addr, left, err)
		}
		c.Close()
	}
}
