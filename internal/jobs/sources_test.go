package jobs

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// folderStandIn stands in for Blob Storage at the Collector boundary (the
// real one runs end to end against Azurite in cmd/reckon): each collection
// loads one FOCUS folder as one load of several billing accounts, an Azure
// one with a subscription and an AWS one with a linked account; or fails
// with err.
type folderStandIn struct {
	store *duckstore.Store
	err   error
}

func (c *folderStandIn) Accounts(context.Context, cost.Connector) (map[string]cost.Account, []string, error) {
	return nil, nil, nil
}

const sourceSub = "1a2b3c4d-0000-4000-8000-00000000000a"

func (c *folderStandIn) Load(ctx context.Context, conn cost.Connector, register cost.RegisterFunc) ([]string, int64, error) {
	if c.err != nil {
		return nil, 0, c.err
	}
	sept := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	row := func(provider, account, sub string) *cost.Row {
		return &cost.Row{ProviderName: provider, BillingAccountID: account, SubAccountID: sub, BillingPeriodStart: sept, BillingPeriodEnd: sept.AddDate(0, 1, 0),
			ChargePeriodStart: sept, ChargePeriodEnd: sept.AddDate(0, 0, 1), ChargeCategory: cost.ChargeUsage, BilledCost: decimal.MustParse("2.5"),
			EffectiveCost: decimal.MustParse("2.5"), BillingCurrency: "USD", ServiceName: "Compute"}
	}
	res, err := c.store.ReplacePeriods(ctx, cost.Load{Source: "focus/acct/container/folder", Version: "v1", Periods: []time.Time{sept}, Register: register},
		&rowList{rows: []*cost.Row{row("Microsoft", "8611537", sourceSub), row("AWS", "111111111111", "222222222222")}})
	return []string{"loaded September"}, res.Rows, err
}

// TestADeletedSourceIsPurgedWithWhatItFound collects a FOCUS source whose
// folder holds two clouds' billing accounts, deletes it, and runs the
// periodic job: the billing accounts' rows, the accounts it found, its scope
// and the folder's version go, so that a new source loads it again.
func TestADeletedSourceIsPurgedWithWhatItFound(t *testing.T) {
	store := openStore(t)
	now := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	collector := &folderStandIn{store: store}
	r := newRunner(store, fixedClock{now}, collector, &bytes.Buffer{}, nil)
	src := cost.NewSource(cost.Connector{ID: "connectors/files", Kind: cost.ConnectorFOCUS, DisplayName: "files",
		StorageURL: "https://acct.blob.core.windows.net", Container: "container", CredentialEnv: "SAS", Creator: "admin"}, now)
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) {
		scope, owner := cost.ConnectorCreated(src.ID, "files", "admin")
		must(t, cost.AddScope(ctx, tx, scope))
		must(t, tx.AddAssignment(ctx, owner))
		must(t, tx.PutConnector(ctx, src))
	})
	res, err := r.Collect(context.Background(), src, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Discovered) != 4 {
		t.Fatalf("discovered %v, want both billing accounts and their accounts", res.Discovered)
	}
	if info, ok, _ := r.CollectionInfo(context.Background(), src.ID); !ok || info.Error != nil || !info.LastUpdated.Equal(now) {
		t.Errorf("collection info %+v, %v", info, ok)
	}
	src.State = cost.StateDeleted
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) { must(t, tx.PutConnector(ctx, src)) })
	must(t, r.Maintain(context.Background()))
	left := read(t, store, func(ctx context.Context, cr cost.CatalogReader) ([]cost.Scope, error) {
		return cr.ConnectorScopes(ctx, src.ID)
	})
	_, present := read2(t, store, src.ID)
	if len(left) != 0 || present {
		t.Errorf("after the purge: scopes %v, the source's scope present %v", left, present)
	}
	q, err := store.Query(context.Background(), &cost.Query{Type: cost.CostActual, Granularity: cost.GranularityNone})
	if err != nil || len(q.Rows) != 0 {
		t.Errorf("rows after the purge: %+v, %v", q.Rows, err)
	}
	if v, err := store.LoadedVersion(context.Background(), "focus/acct/container/folder", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)); err != nil || v != "" {
		t.Errorf("the folder's version after the purge: %q, %v; want none, so that a new source loads it again", v, err)
	}
}

// TestASourcesFailuresKeepTheirCodeAndStart fails a source's collection
// twice with one code, then with another, then succeeds.
func TestASourcesFailuresKeepTheirCodeAndStart(t *testing.T) {
	store := openStore(t)
	clock := &movingClock{t: time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)}
	collector := &folderStandIn{store: store, err: cost.Errorf(cost.EAccessDeniedExport, "grant Storage Blob Data Reader")}
	r := newRunner(store, clock, collector, &bytes.Buffer{}, nil)
	src := cost.NewSource(cost.Connector{ID: "connectors/files", Kind: cost.ConnectorFOCUS}, clock.Now())
	// The outcome is kept with the connector, in the catalog.
	if err := store.Update(context.Background(), func(tx cost.CatalogTx) error { return tx.PutConnector(context.Background(), src) }); err != nil {
		t.Fatal(err)
	}
	first := clock.Now()
	for range 2 {
		if _, err := r.Collect(context.Background(), src, Actor); cost.ErrorCode(err) != cost.EAccessDeniedExport {
			t.Fatalf("collect: %v", err)
		}
		clock.add(6 * time.Hour)
	}
	info, _, _ := r.CollectionInfo(context.Background(), src.ID)
	if info.Error == nil || info.Error.Code != cost.EAccessDeniedExport || !info.Error.StartTime.Equal(first) || !info.LastChecked.Equal(first.Add(6*time.Hour)) {
		t.Errorf("after two denials: %+v %+v", info, info.Error)
	}
	collector.err = cost.Errorf(cost.EExportNotFound, "no export")
	r.Collect(context.Background(), src, Actor) //nolint:errcheck // recorded
	if info, _, _ := r.CollectionInfo(context.Background(), src.ID); info.Error == nil || info.Error.Code != cost.EExportNotFound || !info.Error.StartTime.Equal(clock.Now()) {
		t.Errorf("after another failure: %+v", info.Error)
	}
}

func read2(t *testing.T, c cost.Catalog, id cost.ScopeID) (cost.Scope, bool) {
	t.Helper()
	var s cost.Scope
	var ok bool
	must(t, c.View(context.Background(), func(r cost.CatalogReader) (err error) {
		s, ok, err = r.Scope(context.Background(), id)
		return err
	}))
	return s, ok
}
