package anomaly

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// madScale makes the median absolute error a standard deviation's
// estimate under normal noise (1/Φ⁻¹(0.75)).
const madScale = 1.4826

// offsetZero puts zero among a weekday's offsets; the tuning sweep
// (eval_test.go) turns it off to measure what it brings.
var offsetZero = true

// half is the exact factor of a median of an even number of values.
var half = decimal.MustParse("0.5")

// model is one series' complete days and the levels and expected costs
// computed so far.
// Each is computed once, on demand: a daily run reads about
// SpreadDays+LevelDays of them, not the whole series.
type model struct {
	p    Params
	days []Day // the complete days
	n    int   // len(days)
	// origin is the index of the first day that costs anything, n when
	// none does: the days before it are not history.
	origin   int
	lvl, pre []decimal.Decimal
	hasLvl   []bool
	hasPre   []bool
}

func newModel(days []Day, today time.Time, p Params) *model {
	n := 0
	for n < len(days) && days[n].Date.Before(today) {
		n++
	}
	p.Weeks = max(p.Weeks, 1)
	p.LevelDays = max(p.LevelDays, 1)
	p.SpreadDays = max(p.SpreadDays, 1)
	p.MinHistory = max(p.MinHistory, 1)
	p.Lookback = max(p.Lookback, 0)
	m := &model{p: p, days: days[:n], n: n, origin: n,
		lvl: make([]decimal.Decimal, n), pre: make([]decimal.Decimal, n),
		hasLvl: make([]bool, n), hasPre: make([]bool, n)}
	for i, d := range m.days {
		if !d.Cost.IsZero() {
			m.origin = i
			break
		}
	}
	return m
}

// level is the series' level before day i: the median of the LevelDays
// days before it (those since the series started costing), zero for its
// first day. A multiple of 7 days holds each weekday as often, so the
// weekly pattern does not move it.
func (m *model) level(i int) decimal.Decimal {
	if m.hasLvl[i] {
		return m.lvl[i]
	}
	xs := make([]decimal.Decimal, 0, m.p.LevelDays)
	for e := max(i-m.p.LevelDays, m.origin); e < i; e++ {
		xs = append(xs, m.usage(e))
	}
	m.lvl[i], m.hasLvl[i] = median(xs), true
	return m.lvl[i]
}

// pred is day i's expected cost before day-of-month charges: the level
// before it plus its weekday's offset, the median of what the same weekday
// cost above its own level over the last Weeks weeks (a week of history
// preceding each). Zero joins an even number of offsets: it breaks the tie
// toward no weekly pattern.
func (m *model) pred(i int) decimal.Decimal {
	if m.hasPre[i] {
		return m.pre[i]
	}
	xs := make([]decimal.Decimal, 0, m.p.Weeks+1)
	for k := 1; k <= m.p.Weeks && i-7*k-m.origin >= 7; k++ {
		xs = append(xs, m.usage(i-7*k).Sub(m.level(i-7*k)))
	}
	if offsetZero && len(xs) > 0 && len(xs)%2 == 0 {
		xs = append(xs, decimal.Zero)
	}
	m.pre[i], m.hasPre[i] = m.level(i).Add(median(xs)), true
	return m.pre[i]
}

// spread is the robust standard deviation of the errors pred made on the
// SpreadDays days before day j, with floors: a MinSpread fraction of the
// expected cost, and MinImpact/Threshold, so that on a series that never
// varies the minimum impact decides.
func (m *model) spread(j int, expected float64) float64 {
	errs := make([]float64, 0, m.p.SpreadDays)
	for i := max(j-m.p.SpreadDays, m.origin+1); i < j; i++ {
		errs = append(errs, abs(float(m.usage(i).Sub(m.pred(i)))))
	}
	s := madScale * medianFloat(errs)
	s = max(s, m.p.MinSpread*expected)
	if m.p.Threshold > 0 {
		s = max(s, float(m.p.MinImpact)/m.p.Threshold)
	}
	if !(s > 1e-9) { // also NaN
		s = 1e-9
	}
	return s
}

// recurring is day j's expected day-of-month charges. Those the caller
// marks (Day.Recurring) are expected as they were on the same day of the
// previous month, or as they are when the series does not reach back to
// it. Unmarked ones are learned: what the same day of the previous month
// cost above its expected cost is expected again, when that stood out (by
// Threshold spreads of day j and by MinImpact) and a week of history
// preceded it. The zeros before the series started costing are not
// history: a day whose previous month falls among them (a caller that
// passes a fixed window, zero before the data, as internal/budget does)
// expects its charges as they are, as when the series does not reach back.
func (m *model) recurring(j int) decimal.Decimal {
	i, ok := m.lastMonth(j)
	if !ok || i < m.origin {
		return m.days[j].Recurring
	}
	exp := m.days[i].Recurring
	if i < m.origin+7 {
		return exp
	}
	e := m.usage(i).Sub(m.pred(i))
	if e.Cmp(m.p.MinImpact) < 0 || float(e) < m.p.Threshold*m.spread(j, abs(float(m.pred(j)))) {
		return exp
	}
	return exp.Add(e)
}

// lastMonth returns the index of the day with day j's day of the month in
// the month before, when the series holds it.
func (m *model) lastMonth(j int) (int, bool) {
	d := m.days[j].Date
	prev := time.Date(d.Year(), d.Month()-1, d.Day(), 0, 0, 0, 0, time.UTC)
	if prev.Day() != d.Day() {
		return 0, false // no such day last month
	}
	i := j - int(d.Sub(prev).Hours()/24)
	return i, i >= 0 && i < j && m.days[i].Date.Equal(prev)
}

// usage is day i's cost without the charges the caller marks recurring.
func (m *model) usage(i int) decimal.Decimal { return m.days[i].Cost.Sub(m.days[i].Recurring) }

// median returns the middle value of xs, or the mean of the two middle
// values when their number is even; zero when xs is empty. It sorts xs.
func median(xs []decimal.Decimal) decimal.Decimal {
	n := len(xs)
	if n == 0 {
		return decimal.Zero
	}
	slices.SortFunc(xs, decimal.Decimal.Cmp)
	if n%2 == 1 {
		return xs[n/2]
	}
	a, b := xs[n/2-1], xs[n/2]
	if a == b {
		return a
	}
	if sum, ok := a.AddChecked(b); ok {
		return sum.Mul(half)
	}
	return a.Mul(half).Add(b.Mul(half)) // the sum is out of range; each half is not

}

// medianFloat is median for scores. It sorts xs.
func medianFloat(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// float converts a cost for scoring only; no cost is stored in float.
func float(d decimal.Decimal) float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

func abs(x float64) float64 { return math.Abs(x) }
