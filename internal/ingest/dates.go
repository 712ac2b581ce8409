package ingest

import (
	"fmt"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// OutsideTolerance is how far a row's charge period may reach past its
// billing period before the load warns. AWS dates a few rows just outside
// it (a usage hour that ends on the next month's first hour, a fee dated at
// midnight of the next day), never by more than a day; a date months or
// decades away (usage dated December in an October bill, 1970 to 9999) is a
// damaged or forged file. Such rows still load, as the file states them:
// the warning names the first, and Report.OutsidePeriod counts them.
const OutsideTolerance = 24 * time.Hour

// outsidePeriod reports whether the row's charge period reaches more than
// OutsideTolerance before or after its billing period.
func outsidePeriod(row *cost.Row) bool {
	if row.ChargePeriodStart.Before(row.BillingPeriodStart.Add(-OutsideTolerance)) {
		return true
	}
	return !row.BillingPeriodEnd.IsZero() && row.ChargePeriodEnd.After(row.BillingPeriodEnd.Add(OutsideTolerance))
}

// outsideRows counts a billing period's rows charged outside it, and keeps
// the first for the warning.
type outsideRows struct {
	n          int64
	period     Period
	file       string
	line       int
	start, end time.Time
}

func (s *fileRows) flagOutside(row *cost.Row) {
	key := row.BillingPeriodStart.Unix()
	o := s.outside[key]
	if o == nil {
		if s.outside == nil {
			s.outside = map[int64]*outsideRows{}
		}
		o = &outsideRows{period: Period{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd},
			file: s.paths[s.i], line: s.r.Line(), start: row.ChargePeriodStart, end: row.ChargePeriodEnd}
		s.outside[key] = o
	}
	o.n++
}

// outsideOf returns the count of rows charged outside the billing period
// that starts at start, and the warning that names the first.
func (s *fileRows) outsideOf(start time.Time) (int64, []string) {
	o := s.outside[start.Unix()]
	if o == nil {
		return 0, nil
	}
	rows := "1 row is"
	if o.n > 1 {
		rows = fmt.Sprintf("%d rows are", o.n)
	}
	return o.n, []string{fmt.Sprintf("%s: line %d: %s charged outside the billing period %s by more than a day, the first from %s to %s; loaded as the file states them, check the file if the dates look wrong",
		o.file, o.line, rows, o.period, o.start.Format(time.RFC3339), o.end.Format(time.RFC3339))}
}
