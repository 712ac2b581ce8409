package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/reckon-finops/reckon/internal/chstore"
)

// scaleOutServers are the test servers (test/scaleout): the ClickHouse
// cluster's URL and a PostgreSQL URL where tests may create databases. The
// test skips without them, and fails when RECKON_REQUIRE_CLICKHOUSE (or
// RECKON_REQUIRE_POSTGRES) is set, as CI sets it.
func scaleOutServers(t *testing.T) (ch, pg string) {
	t.Helper()
	ch, pg = os.Getenv("RECKON_TEST_CLICKHOUSE"), os.Getenv("RECKON_TEST_POSTGRES")
	if ch == "" || pg == "" {
		if os.Getenv("RECKON_REQUIRE_CLICKHOUSE") != "" || os.Getenv("RECKON_REQUIRE_POSTGRES") != "" {
			t.Fatal("RECKON_REQUIRE_CLICKHOUSE is set but RECKON_TEST_CLICKHOUSE or RECKON_TEST_POSTGRES is not: " +
				"start the servers with test/scaleout as .ci/run does")
		}
		t.Skip("RECKON_TEST_CLICKHOUSE and RECKON_TEST_POSTGRES are not both set (see test/scaleout/README.md)")
	}
	return ch, pg
}

// scaleOutTarget makes a new PostgreSQL database and names a new
// ClickHouse database for the test, both dropped when it ends, and
// returns their URLs.
func scaleOutTarget(t *testing.T) (storeURL, catalogURL string) {
	t.Helper()
	ch, admin := scaleOutServers(t)
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck // never fails
	name := "reckon_cmd_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to RECKON_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	pu.Path = "/" + name
	cu, err := url.Parse(ch)
	if err != nil {
		t.Fatal(err)
	}
	cu.Path = "/" + name
	storeURL, catalogURL = cu.String(), pu.String()
	t.Cleanup(func() {
		if s, err := chstore.Open(ctx, storeURL, chstore.Options{Postgres: catalogURL}); err != nil {
			t.Errorf("open the test's ClickHouse database to drop it: %v", err)
		} else {
			if err := s.DropDatabase(ctx); err != nil {
				t.Errorf("drop the test's ClickHouse database: %v", err)
			}
			s.Close()
		}
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("connect to drop the test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop the test database: %v", err)
		}
	})
	return storeURL, catalogURL
}
