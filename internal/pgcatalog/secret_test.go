package pgcatalog

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

const externalID = "reckon-3f1c9a7e-ext-id-5d2b"

func acme(externalID string) cost.Connector {
	return cost.Connector{ID: "connectors/acme", Kind: cost.ConnectorKind("aws"), DisplayName: "Acme AWS",
		RoleARN: "arn:aws:iam::012345678901:role/reckon", ExternalID: externalID, ReportName: "reckon",
		DefaultGroup: cost.RootGroup, Created: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Creator: "alice", State: cost.StateTrial}
}

func putConnector(t *testing.T, c cost.Catalog, conn cost.Connector) error {
	t.Helper()
	return c.Update(context.Background(), func(tx cost.CatalogTx) error { return tx.PutConnector(context.Background(), conn) })
}

func readConnector(t *testing.T, c cost.Catalog, id cost.ScopeID) (cost.Connector, error) {
	t.Helper()
	var got cost.Connector
	err := c.View(context.Background(), func(r cost.CatalogReader) error {
		var err error
		got, _, err = r.Connector(context.Background(), id)
		return err
	})
	return got, err
}

// rawCatalog is every byte of the catalog's tables as the database holds
// them.
func rawCatalog(t *testing.T, c *Catalog) []byte {
	t.Helper()
	ctx := context.Background()
	var out []byte
	for _, table := range []string{"connectors", "connector_secrets", "scopes", "audit_log"} {
		rows, err := c.pool.Query(ctx, `SELECT t::text, convert_to(t::text, 'UTF8') FROM `+table+` t`)
		must(t, err)
		for rows.Next() {
			var text string
			var raw []byte
			must(t, rows.Scan(&text, &raw))
			out = append(append(out, text...), raw...)
		}
		must(t, rows.Err())
	}
	var sealed []byte
	must(t, c.pool.QueryRow(ctx, `SELECT external_id FROM connector_secrets`).Scan(&sealed))
	return append(out, sealed...)
}

func TestTheExternalIDIsSealedAtRestAndReadBack(t *testing.T) {
	url := testDatabase(t)
	c := openAt(t, url, Options{Key: testKey})
	want := acme(externalID)
	must(t, putConnector(t, c, want))
	got, err := readConnector(t, c, want.ID)
	must(t, err)
	if got != want {
		t.Errorf("connector %+v, want %+v", got, want)
	}
	list := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Connector, error) { return r.Connectors(ctx) })
	if len(list) != 1 || list[0] != want {
		t.Errorf("connectors %+v", list)
	}
	raw := rawCatalog(t, c)
	if bytes.Contains(raw, []byte(externalID)) || bytes.Contains(raw, []byte(strings.ToUpper(externalID))) {
		t.Fatal("the external ID is stored in plain text")
	}
	if !bytes.Contains(raw, []byte("Acme AWS")) {
		t.Fatal("the raw read did not see the connector's shown fields: it proves nothing")
	}

	t.Run("a catalog holding secrets does not open without a key", func(t *testing.T) {
		if _, err := Open(context.Background(), url, Options{}); err == nil || !strings.Contains(err.Error(), "key") {
			t.Errorf("open without a key: %v", err)
		}
	})
	t.Run("nor with another key", func(t *testing.T) {
		other := bytes.Repeat([]byte{7}, 32)
		if _, err := Open(context.Background(), url, Options{Key: other}); err == nil {
			t.Error("opened with a key that does not open its secrets")
		}
	})
	t.Run("a key that is not 32 bytes is refused", func(t *testing.T) {
		if _, err := Open(context.Background(), url, Options{Key: testKey[:16]}); err == nil {
			t.Error("opened with a 16-byte key")
		}
	})
	t.Run("a rotated key still opens the old secrets and seals the next write", func(t *testing.T) {
		next := bytes.Repeat([]byte{9}, 32)
		rotated := openAt(t, url, Options{Key: next, OldKeys: [][]byte{testKey}})
		got, err := readConnector(t, rotated, want.ID)
		if err != nil || got.ExternalID != externalID {
			t.Fatalf("with the old key among the old keys: %q %v", got.ExternalID, err)
		}
		must(t, putConnector(t, rotated, got))
		rotated.Close()
		onlyNext := openAt(t, url, Options{Key: next})
		if got, err := readConnector(t, onlyNext, want.ID); err != nil || got.ExternalID != externalID {
			t.Errorf("after rewriting, the new key alone: %q %v", got.ExternalID, err)
		}
	})
	t.Run("a secret moved to another row does not open, and the error does not show it", func(t *testing.T) {
		moved := acme("")
		moved.ID = "connectors/other"
		must(t, putConnector(t, c, moved))
		// A ciphertext moved to another connector's row does not open.
		_, err := c.pool.Exec(context.Background(), `UPDATE connector_secrets SET external_id =
			(SELECT external_id FROM connector_secrets WHERE connector = 'connectors/acme') WHERE connector = 'connectors/other'`)
		must(t, err)
		both := Options{Key: testKey, OldKeys: [][]byte{bytes.Repeat([]byte{9}, 32)}}
		_, err = readConnector(t, openAt(t, url, both), moved.ID)
		if err == nil || !strings.Contains(err.Error(), "altered or moved") || strings.Contains(err.Error(), externalID) {
			t.Errorf("reading a moved secret: %v", err)
		}
	})
}

func TestACatalogWithoutSecretsOpensWithoutAKeyButStoresNone(t *testing.T) {
	c := openAt(t, testDatabase(t), Options{})
	source := acme("") // a source without an external ID holds no secret
	must(t, putConnector(t, c, source))
	if got, err := readConnector(t, c, source.ID); err != nil || got != source {
		t.Errorf("a connector without a secret: %+v %v", got, err)
	}
	err := putConnector(t, c, acme(externalID))
	if err == nil || strings.Contains(err.Error(), externalID) {
		t.Errorf("storing a secret without a key: %v", err)
	}
}

func TestDeletingAConnectorDeletesItsSecret(t *testing.T) {
	ctx := context.Background()
	c := openAt(t, testDatabase(t), Options{Key: testKey})
	must(t, putConnector(t, c, acme(externalID)))
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error { return tx.DeleteConnector(ctx, "connectors/acme") })
	var n int
	must(t, c.pool.QueryRow(ctx, `SELECT count(*) FROM connector_secrets`).Scan(&n))
	if n != 0 {
		t.Errorf("%d secrets outlive their connector", n)
	}
	if found := view(t, c, func(ctx context.Context, r cost.CatalogReader) (bool, error) {
		_, ok, err := r.Connector(ctx, "connectors/acme")
		return ok, err
	}); found {
		t.Error("a deleted connector is found")
	}
}
