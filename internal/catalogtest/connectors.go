package catalogtest

import (
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// connector is an AWS connector with every field set.
func connector(id cost.ScopeID) cost.Connector {
	return cost.Connector{ID: id, Kind: cost.ConnectorAWS, DisplayName: "Acme AWS", RoleARN: "arn:aws:iam::012345678901:role/reckon",
		ExternalID: "the-external-id", ReportName: "reckon", DefaultGroup: groupEU, AutoRenew: true,
		BillingSubscription: subEU, Created: at, Creator: "alice", State: cost.StateActive, DisabledAt: at.Add(time.Hour)}
}

// source is an Azure export source.
func source(id cost.ScopeID) cost.Connector {
	return cost.Connector{ID: id, Kind: cost.ConnectorAzureExport, DisplayName: "Azure exports",
		StorageURL: "https://acme.blob.core.windows.net", Container: "exports", Prefix: "daily/", CredentialEnv: "ACME_SAS",
		CredentialType: "sas", AccountName: "acme", DefaultGroup: cost.RootGroup, Created: at, Creator: "bob", State: cost.StateTrial}
}

var connectorTests = []test{
	{"a connector round trips whole, with its external ID", func(t *testing.T, c cost.Catalog) {
		aws, azure := connector(connID), source("connectors/azure")
		focus := cost.Connector{ID: "connectors/focus", Kind: cost.ConnectorFOCUS, DisplayName: "FOCUS", Bucket: "focus-bucket",
			RoleARN: "arn:aws:iam::012345678901:role/focus", ExternalID: "another-external-id", Created: at, State: cost.StateTrial}
		update(t, c, func(tx cost.CatalogTx) error {
			for _, conn := range []cost.Connector{aws, azure, focus} {
				must(t, tx.PutConnector(t.Context(), conn))
			}
			return nil
		})
		for _, want := range []cost.Connector{aws, azure, focus} {
			got, ok := found(t, c, func(r cost.CatalogReader) (cost.Connector, bool, error) { return r.Connector(t.Context(), want.ID) })
			check(t, "connector "+string(want.ID), got, want)
			check(t, "found", ok, true)
		}
		aws.ExternalID, aws.State, aws.DisplayName = "a-new-external-id", cost.StateDisabled, "Acme"
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutConnector(t.Context(), aws) })
		got, _ := found(t, c, func(r cost.CatalogReader) (cost.Connector, bool, error) { return r.Connector(t.Context(), connID) })
		check(t, "the replaced connector", got, aws)
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.Connector, bool, error) {
			return r.Connector(t.Context(), "connectors/none")
		}); ok {
			t.Error("an unknown connector was found")
		}
	}},
	{"connectors are listed by ID, deleted ones included", func(t *testing.T, c cost.Catalog) {
		gone := connector("connectors/gone")
		gone.State = cost.StateDeleted
		update(t, c, func(tx cost.CatalogTx) error {
			for _, conn := range []cost.Connector{source("connectors/zeta"), connector(connID), gone, source("connectors/a-b")} {
				must(t, tx.PutConnector(t.Context(), conn))
			}
			return nil
		})
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Connector, error) { return r.Connectors(t.Context()) })
		var ids []cost.ScopeID
		for _, conn := range got {
			ids = append(ids, conn.ID)
		}
		check(t, "the connectors", ids, []cost.ScopeID{"connectors/a-b", connID, "connectors/gone", "connectors/zeta"})
		check(t, "the deleted one", got[2], gone)
	}},
	{"deleting a connector's record leaves its scope", func(t *testing.T, c cost.Catalog) {
		addScopes(t, c, cost.Scope{ID: connID})
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutConnector(t.Context(), connector(connID)) })
		update(t, c, func(tx cost.CatalogTx) error { return tx.DeleteConnector(t.Context(), connID) })
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.Connector, bool, error) { return r.Connector(t.Context(), connID) }); ok {
			t.Error("the deleted connector was found")
		}
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Connector, error) { return r.Connectors(t.Context()) })
		check(t, "the connectors", got, []cost.Connector(nil))
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.Scope, bool, error) { return r.Scope(t.Context(), connID) }); !ok {
			t.Error("the connector's scope went with its record")
		}
	}},
	{"the audit log is read oldest first", func(t *testing.T, c cost.Catalog) {
		entry := func(min int, action string) cost.AuditEntry {
			return cost.AuditEntry{Time: at.Add(time.Duration(min) * time.Minute), User: "alice", Action: action, Scope: connID,
				Detail: "detail of " + action}
		}
		// Entries of the same time stay in the order appended.
		first, second, third, fourth := entry(1, "b.first"), entry(2, "a.second"), entry(2, "c.third"), entry(3, "a.fourth")
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, tx.Audit(t.Context(), first))
			must(t, tx.Audit(t.Context(), second))
			return tx.Audit(t.Context(), third)
		})
		update(t, c, func(tx cost.CatalogTx) error { return tx.Audit(t.Context(), fourth) })
		got := read(t, c, func(r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(t.Context()) })
		check(t, "the audit log", got, []cost.AuditEntry{first, second, third, fourth})
		update(t, c, func(tx cost.CatalogTx) error {
			return tx.Audit(t.Context(), cost.AuditEntry{Time: at, User: "reckon", Action: "scope.discover"})
		})
		got = read(t, c, func(r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(t.Context()) })
		check(t, "an entry with no scope or detail, older than the rest", got[0], cost.AuditEntry{Time: at, User: "reckon", Action: "scope.discover"})
	}},
}
