package forecast

import (
	"fmt"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The model's settings; the package doc explains them, and the held-out
// test in heldout_test.go measures them.
const (
	// Weeks is how many recent weeks of complete days each weekday's
	// median reads.
	Weeks = 4
	// BacktestDays is how many recent complete days' errors make the band.
	BacktestDays = 28
	// MaxLead is the farthest lead, in days, at which the backtest measures
	// the errors: days farther ahead take its band.
	MaxLead = 28
	// LowPercentile and HighPercentile bound the 80% band.
	LowPercentile, HighPercentile = 10, 90
	// minResiduals is the fewest backtest errors the band is read from;
	// with fewer, it comes from the days' spread around their median.
	minResiduals = 7
	// MaxLateDays is the longest silence, in days before yesterday, taken
	// for late data (forecast); a longer one is taken for no cost.
	MaxLateDays = 7
)

// maxDayCost bounds one day's cost in magnitude (10^17), so that a
// period's sums stay far inside decimal's range of 10^20.
var maxDayCost = decimal.MustParse("100000000000000000")

// Day is one UTC day's cost in one currency.
type Day struct {
	Date time.Time
	// Cost is every charge but the recurring ones: usage, and one-time
	// purchases, credits and refunds, which the median passes over unless
	// they happen on most days.
	Cost decimal.Decimal
	// Recurring holds the charges whose ChargeFrequency is Recurring
	// (monthly fees, taxes): each repeats on its day of the month.
	Recurring decimal.Decimal
}

// Kind says whether a point was measured or is forecast.
type Kind string

// The kinds of points.
const (
	Actual   Kind = "Actual"
	Forecast Kind = "Forecast"
)

// Point is one day of an answer: the actual cost (Low and High equal to
// it), or the forecast with its 80% band.
type Point struct {
	Date            time.Time
	Kind            Kind
	Cost, Low, High decimal.Decimal
}

// Series is one currency's actuals and forecast over a period.
type Series struct {
	Currency string
	// Points holds an Actual point for each day from the period's start
	// through today (the partial day), then a Forecast point for each day
	// from today to the period's end. Today has both. When the data is
	// late (none for yesterday or today), the actuals end with the last day
	// with data and the forecast starts the day after.
	Points []Point
	// Actual is the sum of the Actual points.
	Actual decimal.Decimal
	// Total is the period's expected cost: the complete days' actuals and
	// the forecast of today and the days to come. Low and High bound it
	// with the sums of the daily bands.
	Total, Low, High decimal.Decimal
	// Notes say what limited the forecast: a short history, no history.
	Notes []string
}

// params are the model's settings, which the tests vary.
type params struct {
	weeks, backtest, maxLead int
}

var defaults = params{weeks: Weeks, backtest: BacktestDays, maxLead: MaxLead}

// Run forecasts one currency's days over the period. Days before the
// first one given are not history; a day after it that is missing cost
// nothing.
func Run(currency string, days []Day, p Period) (*Series, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	for _, d := range days {
		if d.Cost.Abs().Cmp(maxDayCost) >= 0 || d.Recurring.Abs().Cmp(maxDayCost) >= 0 {
			return nil, cost.Errorf(cost.EInvalid, "the cost of %s on %s is too large to forecast: a day's cost must be below 10^17",
				currency, d.Date.Format(time.DateOnly))
		}
	}
	return run(currency, days, p, defaults), nil
}

// model is one currency's history, by day number (days since 1970-01-01).
type model struct {
	params
	cost, rec    map[int]decimal.Decimal
	first, today int  // today is the model's: the day after the last with data when the data is late
	has          bool // some day holds data
	// late is the day after the last with data, when that is before
	// yesterday but at most MaxLateDays before it: the data is late (a CUR
	// arrives a day or more behind), and the days since are forecast
	// rather than counted as costing nothing. Zero otherwise.
	late int
	// silent is the day after the last with data when a longer silence
	// is taken for no cost; zero otherwise.
	silent int
}

func dayNumber(t time.Time) int { return int(DayOf(t).Unix() / 86400) }

func dateOf(n int) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }

func newModel(days []Day, today time.Time, prm params) *model {
	m := &model{params: prm, cost: map[int]decimal.Decimal{}, rec: map[int]decimal.Decimal{}, today: dayNumber(today)}
	last := 0
	for _, d := range days {
		n := dayNumber(d.Date)
		m.cost[n] = m.cost[n].Add(d.Cost)
		m.rec[n] = m.rec[n].Add(d.Recurring)
		if !m.has || n < m.first {
			m.first = n
		}
		if !m.has || n > last {
			last = n
		}
		m.has = true
	}
	switch gap := m.today - 1 - last; {
	case !m.has || gap <= 0:
	case gap <= MaxLateDays:
		m.late, m.today = last+1, last+1
	default:
		m.silent = last + 1
	}
	return m
}

// complete reports whether day n is history: on or after the first day
// with data, and before today.
func (m *model) complete(n int) bool { return m.has && n >= m.first && n < m.today }

// sameWeekday returns the costs of the complete days with day n's weekday
// among the m.weeks weeks before day `before` (n ≥ before), latest first.
func (m *model) sameWeekday(n, before int) []decimal.Decimal {
	last := n - 7*((n-before)/7+1)
	var out []decimal.Decimal
	for k := range m.weeks {
		if e := last - 7*k; m.complete(e) {
			out = append(out, m.cost[e])
		}
	}
	return out
}

// recent returns the costs of the complete days among the m.weeks weeks
// before day `before`.
func (m *model) recent(before int) []decimal.Decimal {
	var out []decimal.Decimal
	for e := before - 7*m.weeks; e < before; e++ {
		if m.complete(e) {
			out = append(out, m.cost[e])
		}
	}
	return out
}

// predict is the cost (without recurring charges) of day n as seen before
// day `before`: the median of the same weekday in the weeks before, or,
// when no such day is history yet, the median of every recent day.
func (m *model) predict(n, before int) decimal.Decimal {
	if same := m.sameWeekday(n, before); len(same) > 0 {
		return median(same)
	}
	return median(m.recent(before))
}

// recurring is day n's recurring charges: those of the latest complete day
// with the same day of the month, up to a year back.
func (m *model) recurring(n int) decimal.Decimal {
	t := dateOf(n)
	for k := 1; k <= 12; k++ {
		month := time.Date(t.Year(), t.Month()-time.Month(k), 1, 0, 0, 0, 0, time.UTC)
		if t.Day() > month.AddDate(0, 1, -1).Day() {
			continue // no such day that month
		}
		if e := dayNumber(month.AddDate(0, 0, t.Day()-1)); m.complete(e) {
			return m.rec[e]
		}
	}
	return decimal.Zero
}

// residuals are the backtest's errors at a lead of k days: each recent
// complete day's cost less what predict said of it k days before it. A
// day counts when as many weeks of history preceded that forecast as
// precede today's (up to m.weeks): a median of fewer is not the one the
// forecast uses.
func (m *model) residuals(k int) []decimal.Decimal {
	need := min(m.weeks, max(1, (m.today-m.first)/7))
	var res []decimal.Decimal
	for n := m.today - m.backtest; n < m.today; n++ {
		if m.complete(n) && len(m.sameWeekday(n, n-k)) >= need {
			res = append(res, m.cost[n].Sub(m.predict(n, n-k)))
		}
	}
	return res
}

// band returns the low and high offsets of the band at each lead up to
// m.maxLead days. A lead with fewer than minResiduals errors takes the
// band of the lead before it; when even today's has too few, the band is
// the spread of the recent days around their median, and spread says so.
func (m *model) band() (low, high []decimal.Decimal, spread bool) {
	for k := range m.maxLead + 1 {
		res := m.residuals(k)
		switch {
		case len(res) >= minResiduals:
		case k > 0:
			low, high = append(low, low[k-1]), append(high, high[k-1])
			continue
		default:
			spread = true
			days := m.recent(m.today)
			mid := median(days)
			for _, c := range days {
				res = append(res, c.Sub(mid))
			}
		}
		low, high = append(low, quantile(res, LowPercentile)), append(high, quantile(res, HighPercentile))
	}
	return low, high, spread
}

func run(currency string, days []Day, p Period, prm params) *Series {
	m := newModel(days, p.Today, prm)
	s := &Series{Currency: currency}
	start, end := dayNumber(p.Start), dayNumber(p.End)
	var complete decimal.Decimal // the period's complete days
	lastActual := m.today        // today's partial day, unless the data is late
	if m.late != 0 {
		lastActual = m.today - 1
	}
	for n := start; n < end && n <= lastActual; n++ {
		c := m.cost[n].Add(m.rec[n])
		s.Points = append(s.Points, Point{Date: dateOf(n), Kind: Actual, Cost: c, Low: c, High: c})
		s.Actual = s.Actual.Add(c)
		if n < m.today {
			complete = complete.Add(c)
		}
	}
	s.Total, s.Low, s.High = complete, complete, complete
	if p.Over() {
		s.Total, s.Low, s.High = s.Actual, s.Actual, s.Actual
		return s
	}
	s.Notes = m.notes()
	below, above, spread := m.band()
	if spread && len(m.recent(m.today)) > 0 {
		s.Notes = append(s.Notes, "the band is the spread of the recent days around their median: too few days have the history before them to test the forecast on")
	}
	for n := max(start, m.today); n < end; n++ {
		pt := Point{Date: dateOf(n), Kind: Forecast}
		pt.Cost = m.predict(n, m.today).Add(m.recurring(n))
		lead := min(n-m.today, m.maxLead)
		// The band holds the forecast, also when the backtest's errors
		// all lean one way.
		pt.Low, pt.High = lesser(pt.Cost.Add(below[lead]), pt.Cost), greater(pt.Cost.Add(above[lead]), pt.Cost)
		if n == m.today && m.late == 0 {
			pt = floorAt(pt, m.cost[n].Add(m.rec[n]))
		}
		s.Points = append(s.Points, pt)
		s.Total, s.Low, s.High = s.Total.Add(pt.Cost), s.Low.Add(pt.Low), s.High.Add(pt.High)
	}
	return s
}

// floorAt keeps today's forecast at or above what today has cost so far,
// when that is positive: the rest of the day adds to it.
func floorAt(pt Point, sofar decimal.Decimal) Point {
	if sofar.Sign() <= 0 {
		return pt
	}
	for _, v := range []*decimal.Decimal{&pt.Low, &pt.Cost, &pt.High} {
		if v.Cmp(sofar) < 0 {
			*v = sofar
		}
	}
	return pt
}

// notes says what limits the forecast: no history, a short one, or data
// that stops before yesterday.
func (m *model) notes() []string {
	day := func(n int) string { return dateOf(n).Format(time.DateOnly) }
	history := 0
	for n := m.today - 7*m.weeks; n < m.today; n++ {
		if m.complete(n) {
			history++
		}
	}
	var out []string
	switch {
	case history == 0:
		out = append(out, fmt.Sprintf("no cost before %s to learn from: the forecast is zero", day(m.today)))
	case history < 7:
		out = append(out, fmt.Sprintf("only %s of history (since %s): every day is forecast at their median", completeDays(history), day(m.first)))
	case history < 7*m.weeks:
		out = append(out, fmt.Sprintf("only %s of history (since %s): each weekday's median reads fewer than %d weeks", completeDays(history), day(m.first), m.weeks))
	}
	switch {
	case history > 0 && m.late != 0:
		out = append(out, fmt.Sprintf("no cost recorded after %s: the days since are forecast, as if the data were late", day(m.late-1)))
	case history > 0 && m.silent != 0:
		out = append(out, fmt.Sprintf("no cost recorded after %s: the days since count as costing nothing; if the data is late, the forecast is too low",
			day(m.silent-1)))
	}
	return out
}

func lesser(a, b decimal.Decimal) decimal.Decimal {
	if a.Cmp(b) < 0 {
		return a
	}
	return b
}

func greater(a, b decimal.Decimal) decimal.Decimal {
	if a.Cmp(b) > 0 {
		return a
	}
	return b
}

func completeDays(n int) string {
	if n == 1 {
		return "1 complete day"
	}
	return fmt.Sprintf("%d complete days", n)
}
