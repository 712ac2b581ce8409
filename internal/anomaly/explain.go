package anomaly

import (
	"cmp"
	"slices"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// Contributor is one dimension value's share of an anomaly.
type Contributor struct {
	Dimension string // e.g. "SubAccountId", "RegionId", "x_UsageType"
	Value     string
	Expected  decimal.Decimal
	Actual    decimal.Decimal
	Impact    decimal.Decimal // Actual − Expected
}

// Explain ranks the dimension values that made the anomaly f. breakdown
// maps a dimension to its values' series, each over the same days as the
// total (consecutive, oldest first, missing days filled with zero). Each
// value's expected cost on f.Date comes from its own series by the rule
// Detect uses; values whose impact leans the way f's does are ranked by
// its size across all dimensions (ties by dimension, then value), and the
// top n returned, all of them when n ≤ 0. Across dimensions, so that the
// account, the region and the usage type that carry the same spike are
// all named: each dimension splits the same total.
func Explain(f Finding, breakdown map[string]map[string][]Day, today time.Time, p Params, n int) []Contributor {
	var out []Contributor
	for dim, values := range breakdown {
		for value, days := range values {
			m := newModel(days, today, p)
			j, ok := m.index(f.Date)
			if !ok {
				continue
			}
			exp := m.pred(j).Add(m.recurring(j))
			c := Contributor{Dimension: dim, Value: value, Expected: exp, Actual: m.days[j].Cost}
			c.Impact = c.Actual.Sub(exp)
			if c.Impact.Sign() != 0 && c.Impact.Sign() == f.Impact.Sign() {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b Contributor) int {
		return cmp.Or(b.Impact.Abs().Cmp(a.Impact.Abs()), cmp.Compare(a.Dimension, b.Dimension), cmp.Compare(a.Value, b.Value))
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// index returns the position of the complete day at date.
func (m *model) index(date time.Time) (int, bool) {
	if m.n == 0 {
		return 0, false
	}
	j := int(date.Sub(m.days[0].Date).Hours() / 24)
	if j >= 0 && j < m.n && m.days[j].Date.Equal(date) {
		return j, true
	}
	for i, d := range m.days { // the days are not consecutive
		if d.Date.Equal(date) {
			return i, true
		}
	}
	return 0, false
}
