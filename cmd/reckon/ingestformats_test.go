package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
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
		{filepath.Join("..", "..", "internal", "focusfile", "testdata", "google-focus-1.3-service-provider.csv"), "focus/Google Cloud/01A2B3-C4D5E6-F7A8B9"},
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

	// Every account became a scope, whatever its cloud: Azure's as Azure
	// scopes, Google's under providers/.
	store, err := duckstore.Open(context.Background(), data, duckstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	err = store.View(context.Background(), func(r cost.CatalogReader) error {
		scopes, err := r.Scopes(context.Background())
		for _, s := range scopes {
			ids = append(ids, string(s.ID))
		}
		return err
	})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"aws/billing/012345678901", "azure/billingAccounts/8611537", "azure/subscriptions/" + opts.Subscriptions[0].ID,
		"azure/billingAccounts/12345678", "providers/google-cloud/billingAccounts/01A2B3-C4D5E6-F7A8B9",
		"providers/google-cloud/accounts/example-web-prod"} {
		if !slices.Contains(ids, want) {
			t.Errorf("no scope %s among %v", want, ids)
		}
	}

	// A file that is none of them is refused, saying what was expected.
	code, _, stderr = cli(t, "ingest", "--data", data, filepath.Join("..", "..", "README.md"))
	if code == 0 || !strings.Contains(stderr, "--format") {
		t.Errorf("ingest README.md: exit %d, %s", code, stderr)
	}
}
