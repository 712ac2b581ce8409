package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestRateCommandsSetListImportAndDelete(t *testing.T) {
	server, _, _ := serveBudgets(t)
	at := func(args ...string) (int, string, string) {
		return cliAt(t, fixedClock{budgetNow}, append(args, "--server", server)...)
	}
	if code, out, stderr := at("rate", "set", "eur", "USD", "1.08"); code != 0 || out != "Set 1 EUR = 1.08 USD.\n" {
		t.Fatalf("rate set: %d %q %s", code, out, stderr)
	}
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.csv", "from,to,rate\nGBP,USD,1.27\nJPY,USD,0.0067\nCHF,CHF,1\nSEK,USD,0.095\n")
	if code, _, stderr := at("rate", "import", bad); code != 1 || !strings.Contains(stderr, "bad.csv line 4: a rate converts one currency into another; CHF to CHF is 1 (nothing was sent)") {
		t.Errorf("rate import of a bad file: %d %q", code, stderr)
	}
	if code, out, _ := at("rate", "list"); code != 0 || strings.Contains(out, "GBP") {
		t.Errorf("a bad file set rates: %d\n%s", code, out)
	}
	good := writeFile(t, dir, "good.csv", "GBP,USD,1.27\n# a comment\njpy, usd, 0.0067\n")
	if code, out, stderr := at("rate", "import", good); code != 0 || out != "Set 2 rates from "+good+".\n" {
		t.Errorf("rate import: %d %q %s", code, out, stderr)
	}
	code, out, _ := at("rate", "list")
	want := regexp.MustCompile(`^FROM +TO +RATE +UPDATED\n(EUR +USD +1\.08|GBP +USD +1\.27|JPY +USD +0\.0067) +2026-11-28 09:30 UTC\n`)
	if code != 0 || strings.Count(out, "\n") != 4 || !want.MatchString(out) || !regexp.MustCompile(`(?m)^GBP +USD +1\.27 `).MatchString(out) {
		t.Errorf("rate list: %d\n%s", code, out)
	}
	if code, out, _ = at("rate", "delete", "gbp", "usd"); code != 0 || out != "Deleted the rate from GBP to USD.\n" {
		t.Errorf("rate delete: %d %q", code, out)
	}
	if code, _, stderr := at("rate", "delete", "GBP", "USD"); code != 1 || !strings.Contains(stderr, `there is no rate from "GBP" to "USD"`) {
		t.Errorf("rate delete of a rate gone: %d %q", code, stderr)
	}
}

// FuzzReadRates: a rates file is read whole or refused with the line at
// fault; every rate read is one the server takes.
func FuzzReadRates(f *testing.F) {
	for _, s := range []string{"from,to,rate\nEUR,USD,1.08\n", "GBP,USD,1.27\n# c\njpy,usd,0.0067", "EUR,USD\n", "\"EUR\",USD,1\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rates, err := readRates(strings.NewReader(text), "rates.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rates.csv") {
				t.Fatalf("readRates(%q): %v, want the file named", text, err)
			}
			return
		}
		for _, r := range rates {
			if _, err := checkRate(r.From, r.To, string(r.Rate)); err != nil || len(rates) == 0 {
				t.Fatalf("readRates(%q) kept %+v: %v", text, r, err)
			}
		}
	})
}
