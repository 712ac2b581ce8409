package forecast

import (
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Horizon is the calendar period a forecast runs to the end of.
type Horizon string

// The horizons: the calendar month, quarter or year that holds today (UTC).
const (
	Month   Horizon = "month"
	Quarter Horizon = "quarter"
	Year    Horizon = "year"
)

// ParseHorizon reads a horizon name, ignoring case; "" is Month.
func ParseHorizon(s string) (Horizon, error) {
	switch h := Horizon(strings.ToLower(strings.TrimSpace(s))); h {
	case "":
		return Month, nil
	case Month, Quarter, Year:
		return h, nil
	}
	return "", cost.Errorf(cost.EInvalid, "horizon %s is not one of month, quarter, year", cost.Quote(s))
}

// Period is a forecast's range of UTC days, Start inclusive and End
// exclusive, seen on Today: the days before Today are complete, Today is
// partial, the days after it are to come.
type Period struct {
	Start, End, Today time.Time
}

// DayOf returns t's UTC day at midnight.
func DayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// PeriodOf returns the horizon's period that holds now's day.
func PeriodOf(h Horizon, now time.Time) Period {
	today := DayOf(now)
	start := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	months := 1
	switch h {
	case Quarter:
		start = start.AddDate(0, -int(today.Month()-1)%3, 0)
		months = 3
	case Year:
		start = time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		months = 12
	}
	return Period{Start: start, End: start.AddDate(0, months, 0), Today: today}
}

// Validate checks that the period's bounds are whole UTC days, End after
// Start.
func (p Period) Validate() error {
	for _, t := range []time.Time{p.Start, p.End, p.Today} {
		if !t.Equal(DayOf(t)) {
			return cost.Errorf(cost.EInvalid, "the forecast period's days must be whole UTC days; got %s", t.Format(time.RFC3339))
		}
	}
	if !p.End.After(p.Start) {
		return cost.Errorf(cost.EInvalid, "the forecast period ends (%s) before it starts (%s): give an end after the start",
			p.End.Format(time.DateOnly), p.Start.Format(time.DateOnly))
	}
	return nil
}

// Over reports whether every day of the period is complete.
func (p Period) Over() bool { return !p.End.After(p.Today) }

// History returns the days a forecast of the period reads, From inclusive
// and To exclusive: the period's days up to today, and before them the
// 7×Weeks+BacktestDays+MaxLead days the model learns from (and at least the two
// months before today's, for the recurring charges). A period already over
// needs only its own days.
func (p Period) History() (from, to time.Time) {
	if p.Over() {
		return p.Start, p.End
	}
	learn := p.Today.AddDate(0, 0, -7*Weeks-BacktestDays-MaxLead)
	// A recurring charge on the 31st may last have landed two months ago.
	twoMonths := time.Date(p.Today.Year(), p.Today.Month()-2, 1, 0, 0, 0, 0, time.UTC)
	return earlier(p.Start, earlier(learn, twoMonths)), p.Today.AddDate(0, 0, 1)
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
