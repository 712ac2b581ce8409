package duckstore

import (
	"context"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestConnectorsFromBeforeKindsBecomeAWSConnectors writes a connector as
// Reckon did before migration 010 (no kind in its document) and opens the
// store again: the connector says it is an AWS connector, with everything
// else, the external ID included, as it was.
func TestConnectorsFromBeforeKindsBecomeAWSConnectors(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO connectors VALUES ('connectors/acme', '{"id":"connectors/acme","displayName":"Acme","roleArn":"arn:aws:iam::012345678901:role/reckon","reportName":"reckon","state":"Trial"}', 'the-external-id')`,
		`DELETE FROM schema_migrations WHERE name = 'migrations/010_connector_kind.sql'`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	s = openStore(t, dir, Options{})
	var conn cost.Connector
	if err := s.View(ctx, func(r cost.CatalogReader) (err error) {
		conn, _, err = r.Connector(ctx, "connectors/acme")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if conn.Kind != cost.ConnectorAWS || conn.RoleARN != "arn:aws:iam::012345678901:role/reckon" || conn.ExternalID != "the-external-id" || conn.State != cost.StateTrial {
		t.Errorf("after the upgrade: %+v", conn)
	}
}
