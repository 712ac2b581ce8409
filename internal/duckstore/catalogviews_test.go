package duckstore

import (
	"context"
	"fmt"
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

func names(vs []cost.SavedView) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

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

	// An edit replaces the row in place; a deletion removes it.
	later := now.Add(time.Hour)
	top.Name, top.Updated, top.UpdatedBy = "Biggest resources", later, "carol"
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error {
		_, err := cost.SaveView(ctx, tx, top, later)
		return err
	}))
	if got := viewsOf(t, s, cost.RootGroup); !reflect.DeepEqual(got, []cost.SavedView{top, daily}) {
		t.Errorf("after the rename: %+v", names(got))
	}
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error {
		if gone, err := tx.DeleteSavedView(ctx, daily.ID); err != nil || !gone {
			t.Errorf("delete %s: %v %v, want it gone", daily.ID, gone, err)
		}
		if gone, err := tx.DeleteSavedView(ctx, daily.ID); err != nil || gone {
			t.Errorf("delete %s again: %v %v, want nothing to delete", daily.ID, gone, err)
		}
		return nil
	}))
	if got := names(viewsOf(t, s, cost.RootGroup)); !reflect.DeepEqual(got, []string{"Biggest resources"}) {
		t.Errorf("after the deletion: %q", got)
	}

	// A scope that goes takes its views with it.
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error { return tx.DeleteScope(ctx, payer) }))
	if _, ok := view2(t, s, onPayer.ID); ok {
		t.Error("the payer's view outlived the payer")
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

func TestViewNamesAreUniquePerScopeWhateverTheCase(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	eu := id(t)(cost.ManagementGroupID("eu"))
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error { return cost.AddScope(ctx, tx, cost.Scope{ID: eu, Name: "EU"}) }))
	save := func(scope cost.ScopeID, name string, viewID string) error {
		return s.Update(ctx, func(tx cost.CatalogTx) error {
			_, err := cost.SaveView(ctx, tx, cost.SavedView{ID: viewID, Scope: scope, Name: name, Chart: cost.ChartTable,
				Created: now, Updated: now}, now)
			return err
		})
	}
	first := cost.NewViewID()
	must(t, save(cost.RootGroup, "Cost by account", first))
	tests := []struct {
		name  string
		scope cost.ScopeID
		view  string
		id    string
		want  string // the error code; "" for none
	}{
		{"the same name on the same scope conflicts", cost.RootGroup, "Cost by account", cost.NewViewID(), cost.EConflict},
		{"a name differing only in case conflicts", cost.RootGroup, "COST BY ACCOUNT", cost.NewViewID(), cost.EConflict},
		{"the same name on another scope is another view", eu, "Cost by account", cost.NewViewID(), ""},
		{"a view saved again under its own name is no conflict", cost.RootGroup, "cost by Account", first, ""},
		{"a view on a scope that does not exist is not found", "mg/gone", "Cost by account", cost.NewViewID(), cost.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cost.ErrorCode(save(tt.scope, tt.view, tt.id)); got != tt.want {
				t.Errorf("save %q on %s: code %q, want %q", tt.view, tt.scope, got, tt.want)
			}
		})
	}
	// What was refused was not written.
	if got := names(viewsOf(t, s, cost.RootGroup)); !reflect.DeepEqual(got, []string{"cost by Account"}) {
		t.Errorf("the root's views: %q", got)
	}
	if got := names(viewsOf(t, s, eu)); !reflect.DeepEqual(got, []string{"Cost by account"}) {
		t.Errorf("eu's views: %q", got)
	}
}

func TestAScopeHoldsAtMostMaxViewsPerScope(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	save := func(tx cost.CatalogTx, id, name string) error {
		_, err := cost.SaveView(ctx, tx, cost.SavedView{ID: id, Scope: cost.RootGroup, Name: name, Chart: cost.ChartTable,
			Created: now, Updated: now}, now)
		return err
	}
	first := cost.NewViewID()
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error {
		must(t, save(tx, first, "view 0"))
		for i := 1; i < cost.MaxViewsPerScope; i++ {
			must(t, save(tx, cost.NewViewID(), fmt.Sprintf("view %d", i)))
		}
		return nil
	}))
	err := s.Update(ctx, func(tx cost.CatalogTx) error { return save(tx, cost.NewViewID(), "one more") })
	if cost.ErrorCode(err) != cost.EConflict || err.Error() != "mg/root has 256 views, the most a scope may have: delete some before saving another" {
		t.Errorf("a view past the bound: %v, want Conflict", err)
	}
	// A full scope's views may still change.
	must(t, s.Update(ctx, func(tx cost.CatalogTx) error { return save(tx, first, "renamed") }))
	if got := len(viewsOf(t, s, cost.RootGroup)); got != cost.MaxViewsPerScope {
		t.Errorf("%d views, want %d", got, cost.MaxViewsPerScope)
	}
}
