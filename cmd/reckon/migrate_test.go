package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// TestMigrateMovesTheDemoToTheClusterIdentically builds the demo's
// installation in a data folder, migrates it to the test cluster, and
// checks through cost.Catalog and the cost stores' query API that both
// hold the same; then that a second run resumes without copying again,
// and that a difference in the copy fails the run.
func TestMigrateMovesTheDemoToTheClusterIdentically(t *testing.T) {
	storeURL, catalogURL := scaleOutTarget(t)
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck // never fails
	t.Setenv(catalogKeyEnv, base64.StdEncoding.EncodeToString(key))
	data := t.TempDir()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if code, _, stderr := cliAt(t, fixedClock{now}, "demo", "--once", "--data", data); code != 0 {
		t.Fatalf("demo exited %d: %s", code, stderr)
	}

	out := migrateExactly(t, data, storeURL, catalogURL)
	for _, want := range []string{"Copied the catalog: ", " rows in ", "the totals by each of 28 columns"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q", want)
		}
	}

	ctx := context.Background()
	src, err := duckstore.Open(ctx, data, duckstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := openScaleOut(ctx, storeURL, catalogURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	want, err := readContents(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	checkNoSecrets(t, out, catalogURL, want)
	t.Run("the catalog reads the same through cost.Catalog", func(t *testing.T) {
		got, err := readContents(ctx, dst.catalog)
		if err != nil {
			t.Fatal(err)
		}
		if d := want.Diff(got); len(d) > 0 {
			t.Errorf("the catalogs differ: %v", d)
		}
		if len(want.Users) < 3 || len(want.Assignments) < 3 || len(want.Connectors) == 0 || len(want.Views) == 0 || len(want.Tokens) < 3 {
			t.Errorf("the demo's catalog is thinner than expected: %s", want.Counts())
		}
		for _, c := range want.Connectors {
			var got cost.Connector
			must(t, dst.catalog.View(ctx, func(r cost.CatalogReader) (err error) { got, _, err = r.Connector(ctx, c.ID); return err }))
			if !reflect.DeepEqual(got, c) {
				t.Errorf("connector %s differs once copied", c.ID)
			}
		}
	})
	t.Run("every dimension's totals are the same", func(t *testing.T) {
		loads, err := src.Loads(ctx)
		if err != nil {
			t.Fatal(err)
		}
		check, err := verifyMigration(ctx, src, dst.store, loads)
		if err != nil {
			t.Fatal(err)
		}
		if d := check.differences; len(d) > 0 || check.columns != len(cost.Dimensions) || check.tagKeys == 0 || check.periods == 0 {
			t.Errorf("checked %s; differences: %v", check.summary(), d)
		}
		// And as a page of the API shows them, whole answers compared.
		for _, q := range []cost.Query{
			{Granularity: cost.GranularityMonthly, Type: cost.CostAmortized, GroupBy: []cost.Dimension{{Column: "SubAccountId"}, {Column: "ServiceName"}}},
			{Granularity: cost.GranularityNone, Measures: cost.AllMeasures, GroupBy: []cost.Dimension{{Column: "ProviderName"}}},
		} {
			w, err := src.Query(ctx, &q)
			must(t, err)
			g, err := dst.store.Query(ctx, &q)
			must(t, err)
			if !reflect.DeepEqual(w.Rows, g.Rows) || len(w.Rows) == 0 {
				t.Errorf("%+v: the copy answers\n%+v\nthe data folder\n%+v", q, g.Rows, w.Rows)
			}
		}
	})

	t.Run("a second run copies nothing again and finds the copy identical", func(t *testing.T) {
		out := migrateExactly(t, data, storeURL, catalogURL)
		if !strings.Contains(out, "copied by an earlier run") || strings.Contains(out, " rows in ") || !strings.Contains(out, "already there") {
			t.Errorf("the second run did not resume:\n%s", out)
		}
	})
	t.Run("a difference in the copy fails the run and is named", func(t *testing.T) {
		p := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
		extra := &cost.Row{ProviderName: "Other", BillingAccountID: "x", BillingPeriodStart: p, BillingPeriodEnd: p.AddDate(0, 1, 0),
			ChargePeriodStart: p, ChargePeriodEnd: p.Add(time.Hour), ChargeCategory: cost.ChargeUsage, BillingCurrency: "USD",
			BilledCost: decimal.MustParse("0.000000000000000001")}
		if _, err := dst.store.ReplacePeriods(ctx, cost.Load{Source: "stray", Version: "1"}, &oneRow{r: extra}); err != nil {
			t.Fatal(err)
		}
		code, out, _ := cli(t, "migrate", "--from", data, "--to-store", storeURL, "--to-catalog", catalogURL)
		if code != 1 || !strings.Contains(out, `by ProviderName: USD ["Other"] is in the copy only`) {
			t.Errorf("exited %d:\n%s", code, out)
		}
	})
	t.Run("without the catalog's key external IDs are refused, naming its variable", func(t *testing.T) {
		t.Setenv(catalogKeyEnv, "")
		code, out, stderr := cli(t, "migrate", "--from", data, "--to-store", "clickhouse://127.0.0.1:1/x?cluster=c", "--to-catalog", "postgres://nowhere/x")
		if code != 2 || !strings.Contains(stderr, catalogKeyEnv) || out != "" {
			t.Errorf("exited %d:\n%s%s", code, out, stderr)
		}
	})
	t.Run("a target catalog holding something else is refused", func(t *testing.T) {
		otherStore, otherCatalog := scaleOutTarget(t)
		c, err := openScaleOut(ctx, otherStore, otherCatalog)
		if err != nil {
			t.Fatal(err)
		}
		must(t, c.catalog.Update(ctx, func(tx cost.CatalogTx) error { return tx.PutUser(ctx, cost.User{Name: "zed", Created: now}) }))
		c.Close()
		code, out, stderr := cli(t, "migrate", "--from", data, "--to-store", otherStore, "--to-catalog", otherCatalog)
		if code != 2 || !strings.Contains(stderr, "the target catalog is not new") || strings.Contains(out, " rows in ") {
			t.Errorf("exited %d:\n%s%s", code, out, stderr)
		}
	})
}

// migrateExactly runs reckon migrate and fails the test unless it
// succeeds with an identical copy; it returns the output.
func migrateExactly(t *testing.T, data, storeURL, catalogURL string) string {
	t.Helper()
	code, out, stderr := cli(t, "migrate", "--from", data, "--to-store", storeURL, "--to-catalog", catalogURL)
	t.Logf("reckon migrate exited %d:\n%s%s", code, out, stderr)
	if code != 0 || !strings.Contains(out, "The copy is identical") {
		t.Fatalf("migrate exited %d:\n%s%s", code, out, stderr)
	}
	return out
}

func TestMigrateNeedsItsThreePlaces(t *testing.T) {
	for _, args := range [][]string{
		{"migrate"},
		{"migrate", "--from", t.TempDir()},
		{"migrate", "--from", t.TempDir(), "--to-store", "clickhouse://127.0.0.1:1?cluster=c"},
		{"migrate", "--to-store", "clickhouse://127.0.0.1:1?cluster=c", "--to-catalog", "postgres://u:secret@h/db"},
	} {
		code, _, stderr := cli(t, args...)
		if code != 2 || !strings.Contains(stderr, "give --from DIR") || strings.Contains(stderr, "secret") {
			t.Errorf("%q exited %d: %s", args, code, stderr)
		}
	}
}

// checkNoSecrets fails the test when out shows a secret: the URL's
// password, a connector's external ID, a token's hash.
func checkNoSecrets(t *testing.T, out, catalogURL string, c *cost.CatalogContents) {
	t.Helper()
	u, err := url.Parse(catalogURL)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	for _, conn := range c.Connectors {
		secrets = append(secrets, conn.ExternalID)
	}
	for _, tok := range c.Tokens {
		secrets = append(secrets, tok.Hash)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the output shows a secret (%d characters)", len(s))
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// oneRow is a cost.RowSource of one row.
type oneRow struct {
	r    *cost.Row
	done bool
}

func (o *oneRow) Next() (*cost.Row, error) {
	if o.done {
		return nil, io.EOF
	}
	o.done = true
	return o.r, nil
}
