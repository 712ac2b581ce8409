package duckstore

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// viewsOf reads a scope's saved views from the copy in memory and from a
// transaction, and fails when the two differ.
func viewsOf(t *testing.T, s *Store, scope cost.ScopeID) []cost.SavedView {
	t.Helper()
	ctx := context.Background()
	fromCopy := view(t, s, func(ctx context.Context, r cost.CatalogReader) ([]cost.SavedView, error) {
		return r.SavedViews(ctx, scope)
	})
	var fromTx []cost.SavedView
	must(t, s.Update(ctx, func(tx cost.CatalogTx) (err error) {
		fromTx, err = tx.SavedViews(ctx, scope)
		return err
	}))
	if !reflect.DeepEqual(fromCopy, fromTx) {
		t.Fatalf("the copy in memory has %+v, the database %+v", fromCopy, fromTx)
	}
	return fromCopy
}

// TestSavedViewsRoundTripThroughAReopen checks that saved views survive a
// reopen, in the copy in memory and in the database alike.
func TestSavedViewsRoundTripThroughAReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openStore(t, dir, Options{})
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	payer := id(t)(cost.BillingAccountID("012345678901"))
	linked := id(t)(cost.LinkedAccountID("045678901234"))
	daily := cost.SavedView{ID: cost.NewViewID(), Scope: cost.RootGroup, Name: "daily by service", Chart: "STACKEDCOLUMN",
		Query: cost.QuerySpec{Timeframe: "MonthToDate", Granularity: "daily", GroupBy: []string{"ServiceName"},
			Filter: "not tag:env = dev"},
		Created: now, CreatedBy: "alice", Updated: now, UpdatedBy: "alice"}
	top := cost.SavedView{ID: cost.NewViewID(), Scope: cost.RootGroup, Name: "Top resources", Chart: cost.ChartBar,
		Query:   cost.QuerySpec{From: "2026-10-01", To: "2026-11-01", GroupBy: []string{"ResourceId"}, Top: 10, Measures: []string{"EffectiveCost"}},
		Created: now, CreatedBy: "bob", Updated: now, UpdatedBy: "bob"}
	onPayer := cost.SavedView{ID: cost.NewViewID(), Scope: payer, Name: "Amortized by charge category", Chart: cost.ChartPie,
		Query:   cost.QuerySpec{Timeframe: "TheLastMonth", Type: "amortized", GroupBy: []string{"ChargeCategory"}},
		Created: now, CreatedBy: "alice", Updated: now, UpdatedBy: "alice"}
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: payer, Name: "Payer"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: linked, Name: "Data", BillingAccount: payer}))
		for i, v := range []cost.SavedView{daily, top, onPayer} {
			saved, err := cost.SaveView(ctx, tx, v, now)
			must(t, err)
			if i == 0 && saved.Chart != cost.ChartStackedColumn {
				t.Errorf("saved chart %q, want it spelled %q", saved.Chart, cost.ChartStackedColumn)
			}
		}
		return nil
	}))
	daily.Chart = cost.ChartStackedColumn
	// By name regardless of case: "daily…" before "Top…".
	if got := viewsOf(t, s, cost.RootGroup); !reflect.DeepEqual(got, []cost.SavedView{daily, top}) {
		t.Errorf("the root's views: %+v\nwant %+v", got, []cost.SavedView{daily, top})
	}
	s.Close()

	s = openStore(t, dir, Options{})
	if got := viewsOf(t, s, cost.RootGroup); !reflect.DeepEqual(got, []cost.SavedView{daily, top}) {
		t.Errorf("after a reopen, the root's views: %+v", got)
	}
	got, ok := view2(t, s, onPayer.ID)
	if !ok || !reflect.DeepEqual(got, onPayer) {
		t.Errorf("the payer's view after a reopen: %v %+v, want %+v", ok, got, onPayer)
	}
	if got := viewsOf(t, s, linked); len(got) != 0 {
		t.Errorf("the linked account has views %+v, want none", got)
	}
}

// view2 reads one saved view from the copy in memory.
func view2(t *testing.T, s *Store, id string) (cost.SavedView, bool) {
	t.Helper()
	type found struct {
		v  cost.SavedView
		ok bool
	}
	f := view(t, s, func(ctx context.Context, r cost.CatalogReader) (found, error) {
		v, ok, err := r.SavedView(ctx, id)
		return found{v, ok}, err
	})
	return f.v, f.ok
}
