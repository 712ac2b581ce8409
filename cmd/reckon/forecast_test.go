package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/forecast"
	"github.com/reckon-finops/reckon/internal/synth"
)

const forecastTestAdmin = "rkn_00aa11bb22cc33dd_" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// forecastData loads October and November 2026 of a synthetic
// organisation into a data folder with reckon ingest, and returns it with
// the exact totals.
func forecastData(t *testing.T, clock fixedClock) (string, *synth.Totals) {
	t.Helper()
	bucket, data := t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 5, RowsPerMonth: 3000,
		Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Months: 2})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cliAt(t, clock, "ingest", "--data", data, bucket); code != 0 {
		t.Fatalf("ingest: %d %s", code, stderr)
	}
	return data, want
}

// TestForecastCommand forecasts the fourth quarter of 2026 on December 1st
// from the data folder and through a server over the same store: the two
// answers are the same, their actuals are the generator's exact total, and
// each format shows them as it should.
func TestForecastCommand(t *testing.T) {
	clock := fixedClock{time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	data, want := forecastData(t, clock)
	at := func(args ...string) (int, string, string) { return cliAt(t, clock, args...) }

	code, local, stderr := at("forecast", "--data", data, "--horizon", "quarter", "--format", "json")
	if code != 0 {
		t.Fatalf("forecast --data: %d %s", code, stderr)
	}
	var a forecast.Answer
	if err := json.Unmarshal([]byte(local), &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Series) != 1 || a.Series[0].Actual.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Fatalf("actual to date: %+v, want %s", a.Series, want.BilledCost)
	}
	s := a.Series[0]
	if n := len(s.Points); n != 62+31 { // October 1 to December 1, then December 1 to 31
		t.Errorf("%d points, want 93", n)
	}

	code, table, _ := at("forecast", "--data", data, "--horizon", "quarter")
	rounded := func(d decimal.Decimal) string { return d.Round(2).Fixed(2) }
	summary := regexp.MustCompile(`(?m)^  USD +actual to date ([0-9,.]+) +forecast ([0-9,.]+) +80% band ([0-9,.]+) to ([0-9,.]+)$`).FindStringSubmatch(table)
	if code != 0 || summary == nil || !strings.Contains(table, "2026-10-01 to 2026-12-31 (this quarter), today 2026-12-01:") {
		t.Fatalf("the table: %d\n%s", code, table)
	}
	for i, d := range []decimal.Decimal{s.Actual, s.Total, s.Low, s.High} {
		if got := strings.ReplaceAll(summary[i+1], ",", ""); got != rounded(d) {
			t.Errorf("the table's total %d reads %s, want %s", i, summary[i+1], rounded(d))
		}
	}
	if !regexp.MustCompile(`(?m)^ *2026-12-31 +Forecast +[0-9,]+\.[0-9]{2} +-?[0-9,]+\.[0-9]{2} +[0-9,]+\.[0-9]{2} +USD$`).MatchString(table) ||
		!regexp.MustCompile(`(?m)^ *2026-10-01 +Actual +[0-9,]+\.[0-9]{2} +- +- +USD$`).MatchString(table) {
		t.Errorf("the table's rows:\n%s", table)
	}
	if s.Total.Cmp(decimal.FromInt(1000)) >= 0 && !strings.Contains(summary[2], ",") {
		t.Errorf("the forecast %s has no thousands separator", summary[2])
	}

	code, csv, _ := at("forecast", "--data", data, "--horizon", "quarter", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if code != 0 || len(lines) != 94 || lines[0] != "Cost,Low,High,Currency,Date,Kind" ||
		!strings.HasSuffix(lines[93], ",USD,2026-12-31,Forecast") {
		t.Errorf("csv: %d, %d lines, %q … %q", code, len(lines), lines[0], lines[len(lines)-1])
	}

	server := forecastServe(t, data, clock)
	code, remote, stderr := at("forecast", "--server", server, "--scope", "mg/root", "--horizon", "quarter", "--format", "json")
	if code != 0 || remote != local {
		t.Errorf("through the server: %d %s\n%s\nwant the data folder's answer", code, stderr, remote)
	}
}

// forecastServe serves the store in data through the API, as the
// administrator whose token RECKON_TOKEN then holds.
func forecastServe(t *testing.T, data string, clock fixedClock) string {
	t.Helper()
	ctx := context.Background()
	store, err := duckstore.Open(ctx, data, duckstore.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := api.EnsureAdmin(ctx, store, clock, forecastTestAdmin); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Catalog: store, Costs: store, Clock: clock}))
	t.Cleanup(srv.Close)
	t.Setenv("RECKON_TOKEN", forecastTestAdmin)
	return srv.URL
}

func TestForecastCommandRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"forecast"}, 2, "give either --data DIR (read the store) or --server URL with --scope (forecast through the API)"},
		{[]string{"forecast", "--server", "http://127.0.0.1:1"}, 2, "--server needs --scope: the scope whose costs to forecast"},
		{[]string{"forecast", "--data", "x", "--horizon", "week"}, 2, `--horizon "week": use month, quarter or year`},
		{[]string{"forecast", "--data", "x", "--format", "xml"}, 2, `--format "xml": use table, csv, json or jsonl`},
		{[]string{"forecast", "--data", "x", "--measure", "ConsumedQuantity"}, 1,
			"a forecast sums a cost, not ConsumedQuantity: give one of BilledCost, EffectiveCost, ListCost, x_UnblendedCost"},
	} {
		t.Setenv("RECKON_TOKEN", forecastTestAdmin)
		code, _, stderr := cli(t, tc.args...)
		if code != tc.code || stderr != "reckon: "+tc.want+"\n" {
			t.Errorf("%s: exit %d, %q; want %d, %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.want)
		}
	}
}
