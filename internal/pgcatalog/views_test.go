package pgcatalog

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// viewsOf reads a scope's saved views in a View and in an Update, and
// fails when the two differ.
func viewsOf(t *testing.T, c cost.Catalog, scope cost.ScopeID) []cost.SavedView {
	t.Helper()
	fromView := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.SavedView, error) {
		return r.SavedViews(ctx, scope)
	})
	var fromTx []cost.SavedView
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) (err error) {
		fromTx, err = tx.SavedViews(ctx, scope)
		return err
	})
	if !reflect.DeepEqual(fromView, fromTx) {
		t.Fatalf("a View reads %+v, an Update %+v", fromView, fromTx)
	}
	return fromView
}

func names(vs []cost.SavedView) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func TestSavedViewsRoundTripThroughAReopen(t *testing.T) {
	url := testDatabase(t)
	c := openAt(t, url, Options{Key: testKey})
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	payer := id(t)(cost.BillingAccountID("012345678901"))
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
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: payer, Name: "Payer"}))
		for _, v := range []cost.SavedView{daily, top, onPayer} {
			_, err := cost.SaveView(ctx, tx, v, now)
			must(t, err)
		}
		return nil
	})
	daily.Chart = cost.ChartStackedColumn
	// By name regardless of case: "daily…" before "Top…".
	if got := viewsOf(t, c, cost.RootGroup); !reflect.DeepEqual(got, []cost.SavedView{daily, top}) {
		t.Errorf("the root's views: %+v\nwant %+v", got, []cost.SavedView{daily, top})
	}
	c.Close()

	c = openAt(t, url, Options{Key: testKey})
	if got := viewsOf(t, c, cost.RootGroup); !reflect.DeepEqual(got, []cost.SavedView{daily, top}) {
		t.Errorf("after a reopen, the root's views: %+v", got)
	}
	got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.SavedView, error) {
		v, _, err := r.SavedView(ctx, onPayer.ID)
		return v, err
	})
	if !reflect.DeepEqual(got, onPayer) {
		t.Errorf("the payer's view after a reopen: %+v, want %+v", got, onPayer)
	}

	later := now.Add(time.Hour)
	top.Name, top.Updated, top.UpdatedBy = "Biggest resources", later, "carol"
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		_, err := cost.SaveView(ctx, tx, top, later)
		return err
	})
	if got := viewsOf(t, c, cost.RootGroup); !reflect.DeepEqual(got, []cost.SavedView{top, daily}) {
		t.Errorf("after the rename: %q", names(got))
	}
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		if gone, err := tx.DeleteSavedView(ctx, daily.ID); err != nil || !gone {
			t.Errorf("delete %s: %v %v, want it gone", daily.ID, gone, err)
		}
		if gone, err := tx.DeleteSavedView(ctx, daily.ID); err != nil || gone {
			t.Errorf("delete %s again: %v %v, want nothing to delete", daily.ID, gone, err)
		}
		return nil
	})
	if got := names(viewsOf(t, c, cost.RootGroup)); !reflect.DeepEqual(got, []string{"Biggest resources"}) {
		t.Errorf("after the deletion: %q", got)
	}
}

func TestNamesSortRegardlessOfCaseBeyondASCII(t *testing.T) {
	c := newCatalog(t)
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		for i, name := range []string{"Élan", "Zoo", "éclair", "apple"} {
			v := cost.SavedView{ID: fmt.Sprintf("v%d", i), Scope: cost.RootGroup, Name: name, Chart: cost.ChartTable, Created: now, Updated: now}
			must(t, tx.PutSavedView(ctx, v))
			b := budget(cost.RootGroup, name, "1")
			must(t, tx.PutBudget(ctx, b))
			must(t, tx.PutAnomalySubscription(ctx, cost.AnomalySubscription{ID: fmt.Sprintf("s%d", i), Scope: cost.RootGroup, Name: name}))
		}
		return nil
	})
	want := []string{"apple", "Zoo", "éclair", "Élan"}
	if got := names(viewsOf(t, c, cost.RootGroup)); !reflect.DeepEqual(got, want) {
		t.Errorf("views %q, want %q", got, want)
	}
	budgets := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Budget, error) { return r.Budgets(ctx, "") })
	subs := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.AnomalySubscription, error) {
		return r.AnomalySubscriptions(ctx, cost.RootGroup)
	})
	for i := range want {
		if budgets[i].Name != want[i] || subs[i].Name != want[i] {
			t.Errorf("budget %d is %q, subscription %q, want %q", i, budgets[i].Name, subs[i].Name, want[i])
		}
	}
}
