package catalogtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// savedView is a view on the scope with every field set.
func savedView(id string, scope cost.ScopeID, name string) cost.SavedView {
	return cost.SavedView{ID: id, Scope: scope, Name: name, Chart: cost.ChartStackedColumn,
		Query: cost.QuerySpec{Timeframe: "MonthToDate", Granularity: "daily", GroupBy: []string{"ServiceName", "tag:env"},
			Measures: []string{"EffectiveCost"}, Filters: []string{"RegionId=us-east-1"}, Filter: "not tag:env = dev",
			OrderBy: []string{"EffectiveCost desc"}, Top: 10, PageSize: 500},
		Created: at, CreatedBy: "alice", Updated: at.Add(time.Minute), UpdatedBy: "bob"}
}

func viewNames(vs []cost.SavedView) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func viewsOn(t *testing.T, c cost.Catalog, scope cost.ScopeID) []cost.SavedView {
	t.Helper()
	return read(t, c, func(r cost.CatalogReader) ([]cost.SavedView, error) { return r.SavedViews(t.Context(), scope) })
}

var viewTests = []test{
	{"a saved view round trips whole and put again replaces the one with its ID", func(t *testing.T, c cost.Catalog) {
		addScopes(t, c, cost.Scope{ID: payer})
		v, other := savedView(cost.NewViewID(), payer, "by service"), savedView(cost.NewViewID(), cost.RootGroup, "by service")
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, tx.PutSavedView(t.Context(), v))
			return tx.PutSavedView(t.Context(), other)
		})
		got, ok := found(t, c, func(r cost.CatalogReader) (cost.SavedView, bool, error) { return r.SavedView(t.Context(), v.ID) })
		check(t, "the view", got, v)
		check(t, "found", ok, true)
		check(t, "the payer's views", viewsOn(t, c, payer), []cost.SavedView{v})
		v.Name, v.Chart, v.Query, v.Updated = "renamed", cost.ChartTable, cost.QuerySpec{From: "2026-10-01", To: "2026-11-01"}, at.Add(time.Hour)
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutSavedView(t.Context(), v) })
		check(t, "the payer's views after the edit", viewsOn(t, c, payer), []cost.SavedView{v})
		check(t, "the root's views", viewsOn(t, c, cost.RootGroup), []cost.SavedView{other})
		if _, ok := found(t, c, func(r cost.CatalogReader) (cost.SavedView, bool, error) {
			return r.SavedView(t.Context(), cost.NewViewID())
		}); ok {
			t.Error("an unknown view was found")
		}
	}},
	{"deleting a saved view reports whether there was one", func(t *testing.T, c cost.Catalog) {
		v := savedView(cost.NewViewID(), cost.RootGroup, "by service")
		update(t, c, func(tx cost.CatalogTx) error { return tx.PutSavedView(t.Context(), v) })
		var first, again bool
		update(t, c, func(tx cost.CatalogTx) (err error) {
			first, err = tx.DeleteSavedView(t.Context(), v.ID)
			must(t, err)
			again, err = tx.DeleteSavedView(t.Context(), v.ID)
			return err
		})
		if !first || again {
			t.Errorf("deleted %v, then again %v; want true, then false", first, again)
		}
		check(t, "the root's views", viewsOn(t, c, cost.RootGroup), []cost.SavedView(nil))
	}},
	{"saved views are listed by name regardless of case, then ID", func(t *testing.T, c cost.Catalog) {
		names := []string{"Top resources", "daily by service", "Amortized", "b", "B-side", "same", "same"}
		ids := []string{"000000000000000f", "000000000000000e", "000000000000000d", "000000000000000c", "000000000000000b",
			"0000000000000002", "0000000000000001"}
		update(t, c, func(tx cost.CatalogTx) error {
			for i, n := range names {
				must(t, tx.PutSavedView(t.Context(), savedView(ids[i], cost.RootGroup, n)))
			}
			return nil
		})
		got := viewsOn(t, c, cost.RootGroup)
		var order []string
		for _, v := range got {
			order = append(order, v.Name+" "+v.ID)
		}
		check(t, "the order", order, []string{"Amortized 000000000000000d", "b 000000000000000c", "B-side 000000000000000b",
			"daily by service 000000000000000e", "same 0000000000000001", "same 0000000000000002", "Top resources 000000000000000f"})
	}},
	{"view names are unique per scope whatever the case", testViewNames},
	{"a scope holds at most MaxViewsPerScope views", func(t *testing.T, c cost.Catalog) {
		save := func(tx cost.CatalogTx, id, name string) error {
			_, err := cost.SaveView(t.Context(), tx, cost.SavedView{ID: id, Scope: cost.RootGroup, Name: name, Chart: cost.ChartTable,
				Created: at, Updated: at}, at)
			return err
		}
		first := cost.NewViewID()
		update(t, c, func(tx cost.CatalogTx) error {
			must(t, save(tx, first, "view 0"))
			for i := 1; i < cost.MaxViewsPerScope; i++ {
				must(t, save(tx, cost.NewViewID(), fmt.Sprintf("view %d", i)))
			}
			return nil
		})
		err := c.Update(t.Context(), func(tx cost.CatalogTx) error { return save(tx, cost.NewViewID(), "one more") })
		code(t, "a view past the bound", err, cost.EConflict)
		// A full scope's views may still change.
		update(t, c, func(tx cost.CatalogTx) error { return save(tx, first, "renamed") })
		if got := len(viewsOn(t, c, cost.RootGroup)); got != cost.MaxViewsPerScope {
			t.Errorf("%d views, want %d", got, cost.MaxViewsPerScope)
		}
	}},
}

func testViewNames(t *testing.T, c cost.Catalog) {
	addScopes(t, c, cost.Scope{ID: groupEU, Name: "EU"})
	save := func(scope cost.ScopeID, name string, viewID string) error {
		return c.Update(t.Context(), func(tx cost.CatalogTx) error {
			_, err := cost.SaveView(t.Context(), tx, cost.SavedView{ID: viewID, Scope: scope, Name: name, Chart: cost.ChartTable,
				Created: at, Updated: at}, at)
			return err
		})
	}
	first := cost.NewViewID()
	must(t, save(cost.RootGroup, "Cost by account", first))
	for _, tt := range []struct {
		name  string
		scope cost.ScopeID
		view  string
		id    string
		want  string // the error code; "" for none
	}{
		{"the same name on the same scope conflicts", cost.RootGroup, "Cost by account", cost.NewViewID(), cost.EConflict},
		{"a name differing only in case conflicts", cost.RootGroup, "COST BY ACCOUNT", cost.NewViewID(), cost.EConflict},
		{"the same name on another scope is another view", groupEU, "Cost by account", cost.NewViewID(), ""},
		{"a view saved again under its own name is no conflict", cost.RootGroup, "cost by Account", first, ""},
		{"a view on a scope that does not exist is not found", "mg/gone", "Cost by account", cost.NewViewID(), cost.ENotFound},
	} {
		code(t, tt.name, save(tt.scope, tt.view, tt.id), tt.want)
	}
	// What was refused was not written.
	check(t, "the root's views", viewNames(viewsOn(t, c, cost.RootGroup)), []string{"cost by Account"})
	check(t, "eu's views", viewNames(viewsOn(t, c, groupEU)), []string{"Cost by account"})
}
