package pgcatalog

import (
	"cmp"
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Saved views, budgets and subscriptions list by scope, then by name
// regardless of case. PostgreSQL's lower() under COLLATE "C" folds ASCII
// letters only ("Élan" would sort before "éclair"), and another collation
// would depend on the server's build and locale, so the rows come in
// bytewise and are put in order here, folding case as Go does.

// byFoldedName sorts by scope, then name regardless of case, then name and
// ID bytewise.
func byFoldedName[T any](items []T, key func(T) (scope cost.ScopeID, name, id string)) []T {
	type keyed struct {
		scope            cost.ScopeID
		folded, name, id string
		v                T
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		s, n, id := key(it)
		ks[i] = keyed{s, strings.ToLower(n), n, id, it}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.scope, b.scope), cmp.Compare(a.folded, b.folded), cmp.Compare(a.name, b.name), cmp.Compare(a.id, b.id))
	})
	for i := range ks {
		items[i] = ks[i].v
	}
	return items
}

func viewKey(v cost.SavedView) (cost.ScopeID, string, string) { return v.Scope, v.Name, v.ID }

func budgetKey(b cost.Budget) (cost.ScopeID, string, string) { return b.Scope, b.Name, b.ID }

func subscriptionKey(s cost.AnomalySubscription) (cost.ScopeID, string, string) {
	return s.Scope, s.Name, s.ID
}
