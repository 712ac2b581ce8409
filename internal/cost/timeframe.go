package cost

import (
	"strings"
	"time"
)

// Timeframe names a range of days relative to now, as Azure Cost
// Management names them.
type Timeframe string

// The timeframes. Days are UTC; a week starts on Monday (ISO 8601). The
// billing-month timeframes select rows by the billing period they were
// billed in (Query.Period), not by the day they were charged: AWS and
// Azure bill by calendar month in UTC, but a fee or credit billed in a
// month may be dated in another.
const (
	TimeframeCustom              Timeframe = "Custom"
	TimeframeMonthToDate         Timeframe = "MonthToDate"
	TimeframeBillingMonthToDate  Timeframe = "BillingMonthToDate"
	TimeframeTheLastMonth        Timeframe = "TheLastMonth"
	TimeframeTheLastBillingMonth Timeframe = "TheLastBillingMonth"
	TimeframeWeekToDate          Timeframe = "WeekToDate"
	TimeframeTheLast7Days        Timeframe = "TheLast7Days"
	TimeframeTheLast30Days       Timeframe = "TheLast30Days"
	TimeframeYearToDate          Timeframe = "YearToDate"
)

var timeframes = []Timeframe{
	TimeframeMonthToDate, TimeframeBillingMonthToDate, TimeframeTheLastMonth, TimeframeTheLastBillingMonth,
	TimeframeWeekToDate, TimeframeTheLast7Days, TimeframeTheLast30Days, TimeframeYearToDate, TimeframeCustom,
}

// ParseTimeframe reads a timeframe name, ignoring case.
func ParseTimeframe(s string) (Timeframe, error) {
	for _, t := range timeframes {
		if strings.EqualFold(string(t), s) {
			return t, nil
		}
	}
	names := make([]string, len(timeframes))
	for i, t := range timeframes {
		names[i] = string(t)
	}
	return "", Errorf(EInvalid, "unknown timeframe %s: use one of %s", Quote(s), strings.Join(names, ", "))
}

// Range returns the days the timeframe covers at now, From inclusive and
// To exclusive, and which date of a row they bound. "To date" ranges
// include today. Custom has no range of its own: it is an error here.
func (t Timeframe) Range(now time.Time) (from, to time.Time, p Period, err error) {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	tomorrow := today.AddDate(0, 0, 1)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	switch t {
	case TimeframeMonthToDate:
		return month, tomorrow, PeriodCharge, nil
	case TimeframeBillingMonthToDate:
		return month, month.AddDate(0, 1, 0), PeriodBilling, nil
	case TimeframeTheLastMonth:
		return month.AddDate(0, -1, 0), month, PeriodCharge, nil
	case TimeframeTheLastBillingMonth:
		return month.AddDate(0, -1, 0), month, PeriodBilling, nil
	case TimeframeWeekToDate:
		back := (int(today.Weekday()) + 6) % 7 // days since Monday
		return today.AddDate(0, 0, -back), tomorrow, PeriodCharge, nil
	case TimeframeTheLast7Days:
		return today.AddDate(0, 0, -7), today, PeriodCharge, nil
	case TimeframeTheLast30Days:
		return today.AddDate(0, 0, -30), today, PeriodCharge, nil
	case TimeframeYearToDate:
		return time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC), tomorrow, PeriodCharge, nil
	}
	return time.Time{}, time.Time{}, "", Errorf(EInvalid, "timeframe %s needs from and to", Quote(string(t)))
}
