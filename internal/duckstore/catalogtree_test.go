package duckstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestTheStoredTreeAgreesWithTheHierarchy applies random histories of
// group creations, moves and deletions to the store and to an in-memory
// Hierarchy, and compares every group path, subtree and error.
func TestTheStoredTreeAgreesWithTheHierarchy(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(12) {
		s := openStore(t, t.TempDir(), Options{})
		h := cost.NewHierarchy()
		r := rand.New(rand.NewPCG(seed, 0x7eee))
		groups := []cost.ScopeID{cost.RootGroup}
		pick := func(from []cost.ScopeID) cost.ScopeID { return from[r.IntN(len(from))] }
		var leaves []cost.ScopeID
		for step := range 40 {
			var op func(cost.ScopeWriter) error
			var what string
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
				what, op = fmt.Sprintf("move %s into %s", leaf, group), func(w cost.ScopeWriter) error { return cost.MoveScopes(ctx, w, []cost.ScopeID{leaf}, group) }
			default:
				g := pick(groups)
				what, op = "delete "+string(g), func(w cost.ScopeWriter) error { return cost.DeleteGroup(ctx, w, g) }
			}
			want := op(h.Rows())
			got := s.Update(ctx, func(tx cost.CatalogTx) error { return op(tx) })
			if cost.ErrorCode(got) != cost.ErrorCode(want) {
				t.Fatalf("seed %d, %s: store %v, hierarchy %v", seed, what, got, want)
			}
			compareTrees(t, s, h)
		}
	}
}

func compareTrees(t *testing.T, s *Store, h *cost.Hierarchy) {
	t.Helper()
	ctx := context.Background()
	mem := h.Rows()
	must(t, s.View(ctx, func(r cost.CatalogReader) error {
		stored, err := r.Scopes(ctx)
		if err != nil {
			return err
		}
		if !slices.Equal(ids(stored), ids(h.Scopes())) {
			t.Fatalf("the store holds %v, the hierarchy %v", ids(stored), ids(h.Scopes()))
		}
		for _, sc := range stored {
			got, _ := r.GroupPath(ctx, sc.ID)
			want, _ := mem.GroupPath(ctx, sc.ID)
			if !slices.Equal(got, want) {
				t.Fatalf("GroupPath(%s) = %v, want %v", sc.ID, got, want)
			}
			if sc.ID.Kind() != cost.KindManagementGroup {
				continue
			}
			got2, _ := r.Descendants(ctx, sc.ID)
			want2, _ := mem.Descendants(ctx, sc.ID)
			if !slices.Equal(ids(got2), ids(want2)) {
				t.Fatalf("Descendants(%s) = %v, want %v", sc.ID, ids(got2), ids(want2))
			}
		}
		return nil
	}))
}

func ids(scopes []cost.Scope) []cost.ScopeID {
	out := make([]cost.ScopeID, len(scopes))
	for i, s := range scopes {
		out[i] = s.ID
	}
	return out
}
