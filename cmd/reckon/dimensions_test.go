package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestDimensionsFromTheStoreAndThroughTheServer lists the values of an
// ingested synthetic bill from the data folder and through reckon serve,
// and checks them against the generator's own totals.
func TestDimensionsFromTheStoreAndThroughTheServer(t *testing.T) {
	bucket, data := t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 21, RowsPerMonth: 600})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "ingest", "--data", data, bucket); code != 0 {
		t.Fatalf("ingest exited %d: %s", code, stderr)
	}
	clock := fixedClock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	flags := []string{"--from", "2026-07-01", "--to", "2026-10-01", "--dimension", "ServiceName", "--dimension", "SubAccountId",
		"--limit", "1000", "--format", "json"}
	list := func(args ...string) api.DimensionsAnswer {
		t.Helper()
		code, stdout, stderr := cliAt(t, clock, append(append([]string{"dimensions"}, args...), flags...)...)
		if code != 0 {
			t.Fatalf("dimensions %s exited %d: %s", strings.Join(args, " "), code, stderr)
		}
		var ans api.DimensionsAnswer
		if err := json.Unmarshal([]byte(stdout), &ans); err != nil {
			t.Fatalf("output is not the API's JSON: %v\n%s", err, stdout)
		}
		return ans
	}
	check := func(what string, ans api.DimensionsAnswer, accounts map[string]synth.Sum, services map[string]synth.Sum) {
		t.Helper()
		if len(ans.Dimensions) != 2 || ans.Dimensions[0].Name != "ServiceName" || ans.Dimensions[1].Name != "SubAccountId" {
			t.Fatalf("%s: dimensions %+v", what, ans.Dimensions)
		}
		for i, byValue := range []map[string]synth.Sum{services, accounts} {
			l := ans.Dimensions[i]
			if l.Count != len(byValue) || l.More || len(l.Values) != len(byValue) {
				t.Errorf("%s: %s has %d of %d values, want %d", what, l.Name, len(l.Values), l.Count, len(byValue))
			}
			for j, v := range l.Values {
				if w, ok := byValue[v.Value]; !ok || v.Currency != "USD" || v.Cost.Cmp(decimal.MustParse(w.BilledCost)) != 0 {
					t.Errorf("%s: %s %q costs %s %s, want %s USD", what, l.Name, v.Value, v.Cost, v.Currency, w.BilledCost)
				}
				if j > 0 && v.Cost.Cmp(l.Values[j-1].Cost) > 0 {
					t.Errorf("%s: %s %q costs more than the value before it", what, l.Name, v.Value)
				}
			}
		}
	}
	whole := list("--data", data)
	check("the whole store", whole, want.ByAccount, want.ByService)
	var account string
	for a := range want.ByAccount {
		account = a
	}
	mine := list("--data", data, "--scope", "aws/accounts/"+account)
	if l := mine.Dimensions[1]; len(l.Values) != 1 || l.Values[0].Value != account ||
		l.Values[0].Cost.Cmp(decimal.MustParse(want.ByAccount[account].BilledCost)) != 0 {
		t.Errorf("one account's SubAccountId values: %+v, want %s alone costing %s", l, account, want.ByAccount[account].BilledCost)
	}

	base, token, stop := startServe(t, data, nil)
	defer stop()
	t.Setenv("RECKON_TOKEN", token)
	served := list("--server", base, "--scope", "mg/root")
	check("through the server", served, want.ByAccount, want.ByService)
	if served.Scope != "mg/root" || served.From != "2026-07-01" || served.To != "2026-10-01" || served.Type != "actual" {
		t.Errorf("the server's answer is for %s %s..%s %s", served.Scope, served.From, served.To, served.Type)
	}

	code, stdout, stderr := cliAt(t, clock, "dimensions", "--server", base, "--scope", "mg/root", "--from", "2026-07-01",
		"--search", "ACCOUNT", "--limit", "2")
	if code != 0 {
		t.Fatalf("dimensions as a table exited %d: %s", code, stderr)
	}
	// The server's clock, not the client's, ends the range: tomorrow.
	if first, _, _ := strings.Cut(stdout, "\n"); !strings.HasPrefix(first, "mg/root, 2026-07-01 to 20") || !strings.HasSuffix(first, " (exclusive), actual cost") {
		t.Errorf("the table's first line is %q", first)
	}
	for _, line := range []string{
		"ChargeDescription: the largest 2 of 5 (--limit, --search)",
		"SubAccountId: none", // no account ID contains "account"
		"SubAccountName: none",
	} {
		if !strings.Contains(stdout, line+"\n") {
			t.Errorf("the table lacks %q:\n%s", line, stdout)
		}
	}
	if !strings.Contains(stdout, "x_ServiceCode:") || !strings.Contains(stdout, "Tag keys:") {
		t.Errorf("the table does not list every dimension and the tag keys:\n%s", stdout)
	}
}

func TestDimensionsRefusesABadCommandLine(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"dimensions"}, 2, "give either --data DIR"},
		{[]string{"dimensions", "--data", "d", "--server", "http://x"}, 2, "give either --data DIR"},
		{[]string{"dimensions", "--server", "http://127.0.0.1:1"}, 2, "--server needs --scope"},
		{[]string{"dimensions", "--data", "d", "--format", "csv"}, 2, `--format "csv": use table or json`},
		{[]string{"dimensions", "--data", "d", "--from", "1 May"}, 2, `--from "1 May": write a day as YYYY-MM-DD`},
		{[]string{"dimensions", "--data", t.TempDir(), "--dimension", "Colour"}, 1, `unknown dimension "Colour": use one of ProviderName`},
		{[]string{"dimensions", "--data", t.TempDir(), "--limit", "0"}, 1, `limit "0": give a whole number from 1 to 1000`},
		{[]string{"dimensions", "--data", t.TempDir(), "--from", "2026-11-10", "--to", "2026-11-01"}, 1, "the range is empty"},
	} {
		code, _, stderr := cli(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("reckon %s: exit %d, %q; want %d saying %q", strings.Join(tt.args[1:], " "), code, stderr, tt.code, tt.want)
		}
	}
}
