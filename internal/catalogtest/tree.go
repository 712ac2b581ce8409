package catalogtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// testRandomTrees applies random histories of group creations, moves and
// deletions to the catalog and to an in-memory cost.Hierarchy, and
// compares every group path, subtree and error.
func testRandomTrees(t *testing.T, c cost.Catalog) {
	for seed := range uint64(12) {
		if seed > 0 {
			// A new history starts from the root alone.
			c = reset(t, c)
		}
		h := cost.NewHierarchy()
		r := rand.New(rand.NewPCG(seed, 0x7eee))
		groups := []cost.ScopeID{cost.RootGroup}
		pick := func(from []cost.ScopeID) cost.ScopeID { return from[r.IntN(len(from))] }
		var leaves []cost.ScopeID
		for step := range 40 {
			var op func(cost.ScopeWriter) error
			var what string
			ctx := t.Context()
			switch n := r.IntN(10); {
			case n < 4:
				g, parent := cost.ScopeID(fmt.Sprintf("mg/g%d", step)), pick(groups)
				groups = append(groups, g)
				what, op = "add "+string(g), func(w cost.ScopeWriter) error { return cost.AddScope(ctx, w, cost.Scope{ID: g, Group: parent}) }
			case n < 5:
				sub := cost.ScopeID(fmt.Sprintf("azure/subscriptions/00000000-0000-0000-0000-%012d", step))
				group := pick(groups)
				leaves = append(leaves, sub)
				what, op = "add "+string(sub), func(w cost.ScopeWriter) error { return cost.AddScope(ctx, w, cost.Scope{ID: sub, Group: group}) }
			case n < 8:
				g, parent := pick(groups), pick(groups)
				what, op = fmt.Sprintf("move %s under %s", g, parent), func(w cost.ScopeWriter) error { return cost.MoveGroup(ctx, w, g, parent) }
			case n < 9 && len(leaves) > 0:
				leaf, group := pick(leaves), pick(groups)
				what, op = fmt.Sprintf("move %s into %s", leaf, group), func(w cost.ScopeWriter) error {
					return cost.MoveScopes(ctx, w, []cost.ScopeID{leaf}, group)
				}
			default:
				g := pick(groups)
				what, op = "delete "+string(g), func(w cost.ScopeWriter) error { return cost.DeleteGroup(ctx, w, g) }
			}
			want := op(h.Rows())
			got := c.Update(ctx, func(tx cost.CatalogTx) error { return op(tx) })
			if cost.ErrorCode(got) != cost.ErrorCode(want) {
				t.Fatalf("seed %d, %s: the catalog %v, the hierarchy %v", seed, what, got, want)
			}
			compareTrees(t, c, h)
		}
	}
}

// reset deletes every scope but the root, deepest first, and returns the
// catalog.
func reset(t *testing.T, c cost.Catalog) cost.Catalog {
	update(t, c, func(tx cost.CatalogTx) error {
		all, err := tx.Scopes(t.Context())
		if err != nil {
			return err
		}
		depth := map[cost.ScopeID]int{}
		for _, s := range all {
			path, err := tx.GroupPath(t.Context(), s.ID)
			if err != nil {
				return err
			}
			depth[s.ID] = len(path)
		}
		slices.SortFunc(all, func(a, b cost.Scope) int { return depth[b.ID] - depth[a.ID] })
		for _, s := range all {
			if s.ID != cost.RootGroup {
				if err := tx.DeleteScope(t.Context(), s.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return c
}

func compareTrees(t *testing.T, c cost.Catalog, h *cost.Hierarchy) {
	t.Helper()
	ctx := t.Context()
	mem := h.Rows()
	must(t, c.View(ctx, func(r cost.CatalogReader) error {
		stored, err := r.Scopes(ctx)
		if err != nil {
			return err
		}
		if !slices.Equal(scopeIDs(stored), scopeIDs(h.Scopes())) {
			t.Fatalf("the catalog holds %v, the hierarchy %v", scopeIDs(stored), scopeIDs(h.Scopes()))
		}
		for _, sc := range stored {
			got, err := r.GroupPath(ctx, sc.ID)
			must(t, err)
			want, _ := mem.GroupPath(ctx, sc.ID)
			if !slices.Equal(got, want) {
				t.Fatalf("GroupPath(%s) = %v, want %v", sc.ID, got, want)
			}
			if sc.ID.Kind() != cost.KindManagementGroup {
				continue
			}
			got2, err := r.Descendants(ctx, sc.ID)
			must(t, err)
			want2, _ := mem.Descendants(ctx, sc.ID)
			if !slices.Equal(scopeIDs(got2), scopeIDs(want2)) {
				t.Fatalf("Descendants(%s) = %v, want %v", sc.ID, scopeIDs(got2), scopeIDs(want2))
			}
			got3, err := r.Children(ctx, sc.ID)
			must(t, err)
			want3, _ := mem.Children(ctx, sc.ID)
			if !slices.Equal(scopeIDs(got3), scopeIDs(want3)) {
				t.Fatalf("Children(%s) = %v, want %v", sc.ID, scopeIDs(got3), scopeIDs(want3))
			}
		}
		return nil
	}))
}
