package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

func TestQueryJSONHasTheAzureQueryShape(t *testing.T) {
	bucket, data := t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 11, Months: 2, RowsPerMonth: 600})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "ingest", "--data", data, bucket); code != 0 {
		t.Fatalf("ingest exited %d: %s", code, stderr)
	}
	code, stdout, stderr := cli(t, "query", "--data", data, "--granularity", "monthly", "--group-by", "SubAccountId", "--format", "json")
	if code != 0 {
		t.Fatalf("query exited %d: %s", code, stderr)
	}
	var res struct {
		Columns []struct{ Name, Type string } `json:"columns"`
		Rows    [][]json.RawMessage           `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	var names []string
	for _, c := range res.Columns {
		names = append(names, c.Name+":"+c.Type)
	}
	if got := strings.Join(names, ","); got != "Cost:Number,Currency:String,Date:Datetime,SubAccountId:String" {
		t.Errorf("columns = %s", got)
	}
	total := decimal.Zero
	for _, row := range res.Rows {
		cost := string(row[0])
		if strings.HasPrefix(cost, `"`) {
			t.Fatalf("Cost %s is a string; the README promises a JSON number", cost)
		}
		if i := strings.IndexByte(cost, '.'); i < 0 || len(cost)-i-1 < 10 {
			t.Errorf("Cost %s has fewer than 10 decimal places", cost)
		}
		total = total.Add(decimal.MustParse(cost))
		var date string
		if err := json.Unmarshal(row[2], &date); err != nil || len(date) != 10 || !strings.HasSuffix(date, "-01") {
			t.Errorf("Date %s is not the first of a month as YYYY-MM-DD", row[2])
		}
	}
	if total.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("the JSON costs sum to %s, want %s", total, want.BilledCost)
	}
}

func TestQueryCSVAndTableAgree(t *testing.T) {
	bucket, data := t.TempDir(), t.TempDir()
	if _, err := synth.WriteBucket(bucket, synth.Options{Seed: 12, RowsPerMonth: 300}); err != nil {
		t.Fatal(err)
	}
	cli(t, "ingest", "--data", data, bucket)
	_, csvOut, _ := cli(t, "query", "--data", data, "--group-by", "x_LineItemType", "--type", "amortized", "--format", "csv")
	_, table, _ := cli(t, "query", "--data", data, "--group-by", "x_LineItemType", "--type", "amortized")
	lines := strings.Split(strings.TrimSpace(csvOut), "\n")
	if lines[0] != "Cost,Currency,x_LineItemType" {
		t.Fatalf("CSV header = %q", lines[0])
	}
	// The table rounds to cents, with thousands separators; CSV is exact.
	for _, line := range lines[1:] {
		exact := strings.Split(line, ",")[0]
		cents := money(decimal.MustParse(exact), "USD")
		if !strings.Contains(table, " "+cents+" ") || strings.Count(strings.Split(exact, ".")[1], "") < 11 {
			t.Errorf("the table lacks the CSV's cost %s as %s, or the CSV is not exact:\n%s", exact, cents, table)
		}
	}
}

func TestTheTableRoundsToTheCurrencysMinorUnit(t *testing.T) {
	for _, tt := range []struct{ amount, currency, want string }{
		{"697.31796526242561643", "USD", "697.32"},
		{"1234567.005", "USD", "1,234,567.00"},
		{"1234567.015", "EUR", "1,234,567.02"},
		{"-1234.5", "USD", "-1,234.50"},
		{"-0.001", "USD", "0.00"},
		{"123456.6", "JPY", "123,457"},
		{"1.23456", "KWD", "1.235"},
		{"999.995", "usd", "1,000.00"},
	} {
		if got := money(decimal.MustParse(tt.amount), tt.currency); got != tt.want {
			t.Errorf("money(%s %s) = %s, want %s", tt.amount, tt.currency, got, tt.want)
		}
	}
	if got := quantity(decimal.MustParse("12345.123456")); got != "12,345.1235" {
		t.Errorf("quantity = %s", got)
	}
}

func TestBadInputNamesTheFileLineColumnAndProblem(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broken.csv")
	header := "identity/LineItemId,bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,lineItem/UnblendedCost\n"
	rows := "a,012345678901,012345678901,Usage,2026-08-01T00:00:00Z,2026-08-01T01:00:00Z,AmazonEC2,0.5\n" +
		"b,012345678901,012345678901,Usage,2026-08-01T01:00:00Z,2026-08-01T02:00:00Z,AmazonEC2,12.5O\n"
	if err := os.WriteFile(path, []byte(header+rows), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	code, _, stderr := cli(t, "ingest", "--data", data, path)
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	for _, want := range []string{"broken.csv", "line 3", "lineItem/UnblendedCost", `"12.5O"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the message %q does not name %s", stderr, want)
		}
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
		t.Errorf("the message is a stack trace: %s", stderr)
	}
}

func TestUsageErrorsExitTwoWithAMessage(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"query", "--data", data, "--granularity", "hourly"},
		{"query", "--data", data, "--group-by", "Nonsense"},
		{"query", "--data", data, "--from", "2026-13-01"},
		{"query", "--data", data, "--format", "xml"},
		{"query", "--data", data, "--filter", "ServiceName"},
		{"serve", "--data", data, "--memory", "lots"},
		{"serve", "--data", data, "--threads", "0"},
		{"ingest", "/nowhere"},
	} {
		code, _, stderr := cli(t, args...)
		if code == 0 || stderr == "" || strings.Contains(stderr, "goroutine") {
			t.Errorf("reckon %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
		}
	}
}

// fixedClock is a cost.Clock that always says t.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestDemoSummarisesThreeMonthsExactly(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	want, err := synth.WriteBucket(t.TempDir(), synth.DemoOptions(now))
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	code, out, stderr := cliAt(t, fixedClock{now}, "demo", "--once", "--data", data)
	if code != 0 {
		t.Fatalf("demo exited %d: %s", code, stderr)
	}
	// Served, the demo's folder shows its organisation: the AWS total in
	// dollars and the Azure total in euros, a row each, never one sum.
	_, az := synth.GenerateAzure(synth.DemoAzureOptions(now))
	base, _, stop := startServe(t, data, nil)
	defer stop()
	api := &apiCaller{base: base, token: demoTokens(t, out)["admin"]}
	for _, c := range []struct{ scope, usd, eur string }{
		{"mg/root", want.BilledCost, synth.Micro(az.BilledTotal)},
		{"mg/production", "", synth.Micro(az.Billed[synth.DemoAzureOptions(now).Subscriptions[0].ID])},
	} {
		var res cost.Result
		if err := api.call("POST", "/api/v1/query", map[string]any{"scope": c.scope}, &res); err != nil {
			t.Fatal(err)
		}
		got := map[string]decimal.Decimal{}
		for _, r := range res.Rows {
			got[r.Currency] = r.Cost
		}
		if got["EUR"].Cmp(decimal.MustParse(c.eur)) != 0 || (c.usd != "" && got["USD"].Cmp(decimal.MustParse(c.usd)) != 0) || len(got) != 2 {
			t.Errorf("%s of the served demo: %v, want %s USD and %s EUR", c.scope, got, c.usd, c.eur)
		}
	}
	for _, month := range []string{"2026-09", "2026-10", "2026-11"} {
		if !strings.Contains(out, month) {
			t.Errorf("the summary lacks %s:\n%s", month, out)
		}
	}
	// The actual table's last line is the grand total, rounded to cents.
	actual := out[strings.Index(out, "AWS actual cost"):strings.Index(out, "AWS amortized cost")]
	lines := strings.Split(strings.TrimSpace(actual), "\n")
	fields := strings.Fields(lines[len(lines)-1])
	if got, wantTotal := fields[len(fields)-1], decimal.MustParse(want.BilledCost).Fixed(2); fields[0] != "Total" || got != wantTotal {
		t.Errorf("grand total line %q, want Total … %s", lines[len(lines)-1], wantTotal)
	}
}
