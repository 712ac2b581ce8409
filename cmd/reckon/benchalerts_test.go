package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestBenchAlertsRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("generates, loads and evaluates a CUR")
	}
	// The bench loads with reckon ingest in a process of its own: this
	// test binary, standing in for reckon (TestMain).
	t.Setenv("RECKON_TEST_AS_CLI", "1")
	code, out, errOut := cli(t, "bench", "alerts", "--rows", "20000", "--budgets", "5", "--runs", "2", "--keep", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	const dur = `\d+\.\dms`
	want := []string{
		`^generated \d+ rows over 6 months \(\d{4}-\d\d to \d{4}-\d\d, the last to date\) in \d+s$`,
		`^reckon ingest \d+\.\d s$`,
		`^budgets 5 on \d+ scopes \(mg/root, 1 billing account, \d+ linked accounts\), .*, \d+ notifications; 1 anomaly subscription on mg/root$`,
		`^warm-up evaluation ` + dur + `, \d+ queries: raised [1-9]\d* alerts \(\d+ budget, \d+ anomaly\); the anomaly search reads 2 scopes$`,
		`^evaluate, cache on, kept between runs +p50 +` + dur + ` p95 +` + dur + `   \d+ queries/run, ` + dur + `/run in them$`,
		`^evaluate, cache on, new each run \(after a load\) +p50 +` + dur + ` p95 +` + dur + `   \d+ queries/run, ` + dur + `/run in them$`,
		`^evaluate, cache off +p50 +` + dur + ` p95 +` + dur + `   \d+ queries/run, ` + dur + `/run in them$`,
		`^the 6 timed evaluations found the warm-up's \d+ alerts and wrote nothing: no alert raised or changed$`,
		`^baseline, 30 days daily by service on mg/root, cache off  p50 +` + dur + ` p95 +` + dur + `$`,
		`^per budget \(cache on, new each run\): ` + dur + ` = p50 ` + dur + ` / 5 budgets$`,
		`^peak RSS \d+ MB \(the store's DuckDB: 192MB, 1 threads\)$`,
		`^ratio \d+\.\d{3}$`,
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d is %q, want it to match %s", i+1, lines[i], re)
		}
	}
}
