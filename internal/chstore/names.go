package chstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Account names the source left empty come from the catalog, as in
// duckstore (its named_dims view): where a row's BillingAccountName or
// SubAccountName is empty, answers, filters, value listings and Rows show
// the name Options.AccountNames holds for its BillingAccountId or
// SubAccountId. The names are written into the query as two arrays for
// transform(), and only into the queries that use those columns.

// accountNames are the names of Options.AccountNames, read at most once
// per call of the store, and only when a query uses a name.
type accountNames struct {
	once  func() (map[string]string, error)
	ids   string // the SQL arrays for transform(), made once
	names string
}

// namesFor reads s's account names lazily for one call of the store.
func (s *Store) namesFor(ctx context.Context) *accountNames {
	if s.accountNames == nil {
		return nil
	}
	fn := s.accountNames
	return &accountNames{once: sync.OnceValues(func() (map[string]string, error) {
		m, err := fn(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the account names of the catalog: %w", err)
		}
		return m, nil
	})}
}

// isNamed reports whether a column is an account name the catalog fills.
func isNamed(column string) bool { return column == "SubAccountName" || column == "BillingAccountName" }

// namedSQL is the SQL of an account name column: the row's own name, or
// else the catalog's name of its account ID, compared ignoring case (an
// Azure subscription's GUID comes in either case), or ”.
func (n *accountNames) namedSQL(column string) (string, error) {
	plain := column
	if n == nil {
		return plain, nil
	}
	if n.ids == "" {
		m, err := n.once()
		if err != nil {
			return "", err
		}
		if len(m) == 0 {
			return plain, nil
		}
		// Lower-cased IDs, each once: when two IDs differ by case only, the
		// smaller one's name wins, whatever the map's order.
		lower := map[string]string{}
		for _, id := range slices.Sorted(maps.Keys(m)) {
			if m[id] == "" {
				continue
			}
			if _, ok := lower[strings.ToLower(id)]; !ok {
				lower[strings.ToLower(id)] = m[id]
			}
		}
		if len(lower) == 0 {
			return plain, nil
		}
		var ids, names []string
		for _, id := range slices.Sorted(maps.Keys(lower)) {
			ids = append(ids, quote(id))
			names = append(names, quote(lower[id]))
		}
		n.ids, n.names = "["+strings.Join(ids, ", ")+"]", "["+strings.Join(names, ", ")+"]"
	}
	idCol := strings.TrimSuffix(column, "Name") + "Id"
	return "if(" + column + " != '', toString(" + column + "), transform(lowerUTF8(toString(" + idCol + ")), " + n.ids + ", " + n.names + ", ''))", nil
}

// namedDimension is cost.Dimension's column SQL, with the catalog's names
// for the account name columns.
func (c *compiler) namedDimension(column string) (string, error) {
	if isNamed(column) {
		return c.names.namedSQL(column)
	}
	return column, nil
}
