package chstore

import (
	"context"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestDataVersion checks that DataVersion changes with every flip and
// every deletion, as another store on the same PostgreSQL database sees
// it, and with nothing else: not a refused load, not Cleanup.
func TestDataVersion(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	ch, pg := testURLs(t)
	other, err := Open(ctx, ch, Options{Postgres: pg, Database: s.db, PostgresSchema: s.db})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	seen := map[string]string{}
	version := func(step string) string {
		t.Helper()
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if w, err := other.DataVersion(ctx); err != nil || w != v {
			t.Fatalf("%s: another store reads version %q (%v), this one %q", step, w, err, v)
		}
		return v
	}
	changed := func(step string) {
		t.Helper()
		v := version(step)
		if prev, ok := seen[v]; ok {
			t.Errorf("%s: the data version %q is the one of %s", step, v, prev)
		}
		seen[v] = step
	}
	same := func(step, was string) {
		t.Helper()
		if v := version(step); v != was {
			t.Errorf("%s: the data version changed from %q to %q", step, was, v)
		}
	}
	changed("a new store")
	load := cost.Load{Source: "aws-cur/111122223333/r", Version: "A", BillingAccount: "111122223333"}
	if _, err := s.ReplacePeriods(ctx, load, &rowList{rows: testRows(50, "1")}); err != nil {
		t.Fatal(err)
	}
	changed("a load")
	load.Version = "B"
	if _, err := other.ReplacePeriods(ctx, load, &rowList{rows: testRows(50, "2")}); err != nil {
		t.Fatal(err)
	}
	changed("a restatement by another store")
	was := version("before a refused load")
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "another", Version: "1", BillingAccount: "111122223333"}, &rowList{rows: testRows(5, "1")}); err == nil {
		t.Fatal("a second source of a held period was taken")
	}
	same("a refused load", was)
	if _, err := s.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	same("Cleanup", was)
	if _, err := s.DeleteBillingAccount(ctx, "111122223333"); err != nil {
		t.Fatal(err)
	}
	changed("a deleted billing account")
	fresh := openTest(t)
	v, err := fresh.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := seen[v]; ok {
		t.Errorf("a store on a new schema has the version %q of %s", v, seen[v])
	}
}
