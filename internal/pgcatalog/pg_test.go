package pgcatalog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
)

// The tests run against a real PostgreSQL: RECKON_TEST_POSTGRES is the URL
// of a server where the tests may create databases, one per test. Without
// it they skip, unless RECKON_REQUIRE_POSTGRES is set (as CI does).

// testKey is the key the tests seal secrets with.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// testDatabase creates an empty database for the test, drops it after,
// and returns its URL.
func testDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("RECKON_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("RECKON_REQUIRE_POSTGRES") != "" {
			t.Fatal("RECKON_REQUIRE_POSTGRES is set but RECKON_TEST_POSTGRES, the server's URL, is not")
		}
		t.Skip("set RECKON_TEST_POSTGRES to a PostgreSQL URL to run the catalog's tests")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to RECKON_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // never fails
	name := "reckon_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create the test database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("connect to drop the test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop the test database: %v", err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("RECKON_TEST_POSTGRES is not a URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// openAt opens the catalog at the URL, closed when the test ends.
func openAt(t *testing.T, url string, opts Options) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// newCatalog opens a catalog in a database of its own: what a shared
// conformance suite's constructor for this backend would be.
func newCatalog(t *testing.T) cost.Catalog {
	t.Helper()
	return openAt(t, testDatabase(t), Options{Key: testKey})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func id(t *testing.T) func(cost.ScopeID, error) cost.ScopeID {
	return func(i cost.ScopeID, err error) cost.ScopeID {
		t.Helper()
		must(t, err)
		return i
	}
}

// view reads the catalog in one snapshot.
func view[T any](t *testing.T, c cost.Catalog, read func(context.Context, cost.CatalogReader) (T, error)) T {
	t.Helper()
	var out T
	must(t, c.View(context.Background(), func(r cost.CatalogReader) error {
		var err error
		out, err = read(context.Background(), r)
		return err
	}))
	return out
}

func update(t *testing.T, c cost.Catalog, fn func(context.Context, cost.CatalogTx) error) {
	t.Helper()
	must(t, c.Update(context.Background(), func(tx cost.CatalogTx) error { return fn(context.Background(), tx) }))
}

func ids(scopes []cost.Scope) []cost.ScopeID {
	out := make([]cost.ScopeID, len(scopes))
	for i, s := range scopes {
		out[i] = s.ID
	}
	return out
}
