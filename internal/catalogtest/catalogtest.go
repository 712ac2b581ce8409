// Package catalogtest is the conformance suite of cost.Catalog: the tests
// every catalog backend (DuckDB, PostgreSQL) runs unchanged, through the
// cost package's API alone, so that the control plane behaves the same
// whichever holds its state. A backend's test calls Run with a function
// that opens an empty catalog.
//
// Besides what cost.Catalog's comments say, the suite expects what the
// DuckDB catalog does and callers may lean on:
//   - a new catalog holds the root group (cost.RootGroup, named
//     cost.RootGroupName) and nothing else;
//   - lists are sorted byte by byte (a "C" collation, never a locale's),
//     "regardless of case" meaning by the lower-cased name; assignments
//     sort by the role's name (Contributor, Owner, Reader);
//   - times come back in UTC, to the microsecond;
//   - a record comes back exactly as put: every decimal place, and a nil
//     list inside it apart from an empty one (Webhooks: []string{});
//   - the audit log is sorted by time, entries of the same time in the
//     order appended;
//   - AlertFilter.Since includes alerts fired at that time;
//   - Update returns its function's error as is (errors.Is holds), and
//     does not fail because other Updates ran at the same time: a backend
//     that detects conflicts retries or queues them;
//   - an Update may commit while a View runs, in the same goroutine.
package catalogtest

import (
	"reflect"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Run runs every conformance test against the catalogs open returns. Each
// test calls open once for a new catalog that holds only the root group,
// as a new installation's does; open closes it when the test ends
// (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) cost.Catalog) {
	for _, section := range []struct {
		name  string
		tests []test
	}{
		{"scopes", scopeTests},
		{"the tree rules", treeTests},
		{"access", accessTests},
		{"connectors and the audit log", connectorTests},
		{"saved views", viewTests},
		{"budgets and alerts", budgetTests},
		{"transactions", txTests},
		{"listings", listingTests},
	} {
		t.Run(section.name, func(t *testing.T) {
			for _, tt := range section.tests {
				t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
			}
		})
	}
	t.Run("a catalog's contents copied into a new one read the same", func(t *testing.T) { testCopy(t, open) })
}

// test is one conformance test, run on a new catalog.
type test struct {
	name string
	run  func(t *testing.T, c cost.Catalog)
}

// at is when the tests' records were made: to the microsecond, the
// precision every backend keeps.
var at = time.Date(2026, 11, 28, 9, 30, 15, 123456000, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// update runs fn in one Update, which must commit.
func update(t *testing.T, c cost.Catalog, fn func(tx cost.CatalogTx) error) {
	t.Helper()
	must(t, c.Update(t.Context(), fn))
}

// read reads the catalog in a View and in an Update, which must agree: a
// backend may answer them from different places (DuckDB's View reads a
// copy in memory). It returns what the View read.
func read[T any](t *testing.T, c cost.Catalog, fn func(r cost.CatalogReader) (T, error)) T {
	t.Helper()
	var viewed, inTx T
	must(t, c.View(t.Context(), func(r cost.CatalogReader) (err error) {
		viewed, err = fn(r)
		return err
	}))
	must(t, c.Update(t.Context(), func(tx cost.CatalogTx) (err error) {
		inTx, err = fn(tx)
		return err
	}))
	if !same(viewed, inTx) {
		t.Fatalf("a view reads\n%+v\nand a transaction\n%+v", viewed, inTx)
	}
	return viewed
}

// same is reflect.DeepEqual, but for which a nil list and an empty one
// are the same answer.
func same(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Kind() == reflect.Slice && vb.Kind() == reflect.Slice && va.Len() == 0 && vb.Len() == 0 {
		return va.Type() == vb.Type()
	}
	return reflect.DeepEqual(a, b)
}

// check fails the test when got is not want.
func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if !same(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// code fails the test when err does not carry the error code want ("" for
// no error).
func code(t *testing.T, what string, err error, want string) {
	t.Helper()
	if got := cost.ErrorCode(err); got != want {
		t.Errorf("%s: %v (code %q), want code %q", what, err, got, want)
	}
}

// found reads one record by its key, with whether there is one.
func found[T any](t *testing.T, c cost.Catalog, fn func(r cost.CatalogReader) (T, bool, error)) (T, bool) {
	t.Helper()
	type one struct {
		v  T
		ok bool
	}
	o := read(t, c, func(r cost.CatalogReader) (one, error) {
		v, ok, err := fn(r)
		return one{v, ok}, err
	})
	return o.v, o.ok
}

// addScopes adds scopes by the tree rules, in order.
func addScopes(t *testing.T, c cost.Catalog, scopes ...cost.Scope) {
	t.Helper()
	update(t, c, func(tx cost.CatalogTx) error {
		for _, s := range scopes {
			if err := cost.AddScope(t.Context(), tx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// scopeIDs returns the scopes' IDs, in order.
func scopeIDs(scopes []cost.Scope) []cost.ScopeID {
	out := make([]cost.ScopeID, len(scopes))
	for i, s := range scopes {
		out[i] = s.ID
	}
	return out
}
