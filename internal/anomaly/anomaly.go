package anomaly

import (
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// Day is one day's cost of a series; Date is midnight UTC.
type Day struct {
	Date time.Time
	Cost decimal.Decimal
	// Recurring is the part of Cost that the caller knows recurs on its
	// day of the month (FOCUS ChargeFrequency "Recurring": monthly fees,
	// Reserved Instance and Savings Plan fees, support, tax); optional.
	// It is expected as it was the month before, or, when the series does
	// not reach back that far, as it is.
	Recurring decimal.Decimal
}

// The kinds of findings.
const (
	Spike = "spike" // the day cost more than expected
	Drop  = "drop"  // the day cost less than expected (only with Params.Drops)
	New   = "new"   // the series cost nothing before, for at least MinHistory days
)

// Params tune detection; Default gives the documented defaults, which the
// evaluation in eval_test.go measures. Start from Default: the zero value
// flags nearly every day.
type Params struct {
	// Weeks is how many weeks of the same weekday the baseline's median
	// reads.
	Weeks int
	// LevelDays is how many recent days' median error corrects the
	// baseline, so that it follows a trend or a new level within about
	// half as many days; 0 turns the correction off.
	LevelDays int
	// SpreadDays is how many recent days' errors measure the series'
	// spread (their median absolute error, scaled by 1.4826).
	SpreadDays int
	// MinHistory is how many days must precede a day before it is judged.
	MinHistory int
	// Threshold is the robust z-score, |actual − expected| / spread, from
	// which a day is anomalous.
	Threshold float64
	// MinImpact is the smallest |actual − expected|, in the series'
	// currency, worth an alarm.
	MinImpact decimal.Decimal
	// MinRelative is the smallest |actual − expected| / |expected| worth
	// an alarm.
	MinRelative float64
	// MinSpread is the spread's floor as a fraction of |expected|, so that
	// a nearly flat series does not flag tiny changes.
	MinSpread float64
	// RecurringSlack is how much, as a fraction of it, a day-of-month
	// recurring charge may change from the previous month's before the
	// change counts against the day.
	RecurringSlack float64
	// Lookback is how many of the latest complete days are judged: 1 for a
	// daily run, more to backfill.
	Lookback int
	// Drops reports days that cost less than expected too.
	Drops bool
}

// Default returns the documented defaults.
func Default() Params {
	return Params{
		Weeks:          4,
		LevelDays:      7,
		SpreadDays:     28,
		MinHistory:     14,
		Threshold:      3.5,
		MinImpact:      decimal.FromInt(10),
		MinRelative:    0.05,
		MinSpread:      0.01,
		RecurringSlack: 0.2,
		Lookback:       1,
	}
}

// Finding is one anomalous day of one series.
type Finding struct {
	Date     time.Time
	Expected decimal.Decimal // the baseline, recurring charges included
	Actual   decimal.Decimal
	Impact   decimal.Decimal // Actual − Expected
	// Score is the robust z-score: how many spreads the impact is from the
	// baseline, for sorting.
	Score float64
	Kind  string // Spike, Drop or New
}

// Detect judges the days of one series: days are consecutive, oldest
// first (the caller fills missing days with zero), and today is the first
// day not complete (days on or after it are ignored). It returns the
// anomalous days among the last p.Lookback complete days, oldest first.
// Each day is judged on the days before it alone, so a backfill of N days
// finds what N daily runs would have found.
func Detect(days []Day, today time.Time, p Params) []Finding {
	m := newModel(days, today, p)
	var out []Finding
	for j := max(m.n-m.p.Lookback, 0); j < m.n; j++ {
		if !m.judged(j) {
			continue
		}
		if f, ok := m.judge(j); ok {
			out = append(out, f)
		}
	}
	return out
}

// judged reports whether day j has the history to be judged: MinHistory
// days since the series started costing, or, on the day it starts, as
// many days of no cost before it.
func (m *model) judged(j int) bool {
	return j-m.origin >= m.p.MinHistory || (j == m.origin && j >= m.p.MinHistory)
}

// judge decides whether day j is anomalous.
func (m *model) judge(j int) (Finding, bool) {
	rec := m.recurring(j)
	exp := m.pred(j).Add(rec)
	act := m.days[j].Cost
	imp := act.Sub(exp)
	f := Finding{Date: m.days[j].Date, Expected: exp, Actual: act, Impact: imp, Kind: Spike}
	switch {
	case imp.Sign() == 0:
		return f, false
	case imp.Sign() < 0 && !m.p.Drops:
		return f, false
	case imp.Sign() < 0:
		f.Kind = Drop
	case j == m.origin:
		f.Kind = New
	}
	if imp.Abs().Cmp(m.p.MinImpact) < 0 {
		return f, false
	}
	impF, expF := abs(float(imp)), abs(float(exp))
	if impF < m.p.MinRelative*expF {
		return f, false
	}
	// A recurring charge may change by RecurringSlack of itself; one that
	// does not come at all is no drop: it may have been a one-time purchase.
	slack := m.p.RecurringSlack
	if imp.Sign() < 0 {
		slack = 1
	}
	dev := max(impF-slack*float(rec), 0)
	f.Score = dev / m.spread(j, expF)
	return f, f.Score >= m.p.Threshold
}
