package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// reckon ingest tells a CUR, an Azure export and a FOCUS file apart by
// what they hold, and loads each into one store.
func TestIngestTellsTheFormatsApart(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	bucket, azure := t.TempDir(), t.TempDir()
	aws, err := synth.WriteBucket(bucket, synth.Options{Seed: 3, RowsPerMonth: 600})
	if err != nil {
		t.Fatal(err)
	}
	opts := synth.DemoAzureOptions(now)
	az, err := synth.WriteAzureExports(azure, opts)
	if err != nil {
		t.Fatal(err)
	}
	focus := filepath.Join("..", "..", "internal", "focusfile", "testdata", "microsoft-focus-1.0-export.csv")
	data := t.TempDir()
	for _, c := range []struct {
		path, source string
	}{
		{bucket, "aws-cur/012345678901/reckon-cur"},
		{azure, "azure-export/providers/microsoft.billing/billingaccounts/8611537"},
		{focus, "focus/Microsoft/12345678"},
		{filepath.Join("..", "..", "internal", "azexport", "testdata", "koku", "koku_azure_camelCased.csv"), "azure-export/"},
	} {
		code, out, stderr := cli(t, "ingest", "--data", data, c.path)
		if code != 0 || !strings.Contains(out, c.source) {
			t.Errorf("ingest %s: exit %d, want a load of %s:\n%s%s", c.path, code, c.source, out, stderr)
		}
	}

	// The AWS and Azure exports' totals, each in its currency.
	code, out, stderr := cli(t, "query", "--data", data, "--group-by", "ProviderName,BillingAccountId", "--format", "json")
	if code != 0 {
		t.Fatalf("query: %d %s", code, stderr)
	}
	var res struct {
		Rows [][]any `json:"rows"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	got := map[string]string{}
	for _, r := range res.Rows {
		got[r[2].(string)+" "+r[3].(string)+" "+r[1].(string)] = string(r[0].(json.Number))
	}
	for key, want := range map[string]string{
		"AWS 012345678901 USD":   aws.BilledCost,
		"Microsoft 8611537 EUR":  synth.Micro(az.BilledTotal),
		"Microsoft 12345678 EUR": "", // the FOCUS file's, checked by focussource's tests
	} {
		g, ok := got[key]
		if !ok || (want != "" && decimal.MustParse(g).Cmp(decimal.MustParse(want)) != 0) {
			t.Errorf("%s: %q, want %s (all: %v)", key, g, want, got)
		}
	}

	// A file that is none of them is refused, saying what was expected.
	code, _, stderr = cli(t, "ingest", "--data", data, filepath.Join("..", "..", "README.md"))
	if code == 0 || !strings.Contains(stderr, "--format") {
		t.Errorf("ingest README.md: exit %d, %s", code, stderr)
	}
}
