package forecast

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// weekdayBase is $100 on weekdays and $40 on weekends.
func weekdayBase(d time.Time) int64 {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return 40
	}
	return 100
}

func days(from, to string, fn func(time.Time) (cost, recurring int64)) []Day {
	var out []Day
	for d := date(from); d.Before(date(to)); d = d.AddDate(0, 0, 1) {
		c, r := fn(d)
		out = append(out, Day{Date: d, Cost: decimal.FromInt(c), Recurring: decimal.FromInt(r)})
	}
	return out
}

// TestAWeeklyPatternWithAMonthlyFee forecasts a quarter from a series whose
// weeks alternate between the base and $20 more, with fees on the first:
// the median of four weeks is the base plus 10, and every backtest error
// is ±10, so the band is ±10.
func TestAWeeklyPatternWithAMonthlyFee(t *testing.T) {
	monday := date("2026-07-27")
	value := func(d time.Time) int64 {
		return weekdayBase(d) + 20*int64(int(d.Sub(monday).Hours()/24)/7%2)
	}
	fee := map[string]int64{"2026-09-01": 450, "2026-10-01": 450, "2026-11-01": 500}
	history := days("2026-08-01", "2026-11-28", func(d time.Time) (int64, int64) {
		return value(d), fee[d.Format(time.DateOnly)]
	})
	history = append(history, Day{Date: date("2026-11-28"), Cost: decimal.FromInt(10)}) // today, so far
	p := PeriodOf(Quarter, time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	s, err := Run("USD", history, p)
	if err != nil {
		t.Fatal(err)
	}
	var want []point
	var complete, forecast int64
	for d := date("2026-10-01"); d.Before(date("2026-11-28")); d = d.AddDate(0, 0, 1) {
		c := value(d) + fee[d.Format(time.DateOnly)]
		want = append(want, point{d.Format(time.DateOnly), Actual, c, c, c})
		complete += c
	}
	want = append(want, point{"2026-11-28", Actual, 10, 10, 10})
	for d := date("2026-11-28"); d.Before(date("2027-01-01")); d = d.AddDate(0, 0, 1) {
		c := weekdayBase(d) + 10
		if d.Equal(date("2026-12-01")) {
			c += 500 // November's fee, the latest on a first
		}
		want = append(want, point{d.Format(time.DateOnly), Forecast, c, c - 10, c + 10})
		forecast += c
	}
	checkPoints(t, s.Points, want)
	const ahead = 34 // 2026-11-28 to 2026-12-31
	checkTotals(t, s, complete+10, complete+forecast, complete+forecast-10*ahead, complete+forecast+10*ahead)
	if len(s.Notes) != 0 {
		t.Errorf("notes: %q, want none", s.Notes)
	}
}

// TestEdgesOfHistory covers a purchase, credits, today's floor, a short
// history, none, a period over and data that stops early.
func TestEdgesOfHistory(t *testing.T) {
	november := PeriodOf(Month, date("2026-11-28"))
	flat := func(d time.Time) (int64, int64) { return 100, 0 }
	tests := []struct {
		name   string
		days   []Day
		period Period
		want   []point // from 2026-11-27 on, or all when the period ends before
		notes  []string
	}{
		{
			name: "a one-time purchase does not move the median of its weekday",
			days: days("2026-08-01", "2026-11-28", func(d time.Time) (int64, int64) {
				if d.Equal(date("2026-11-18")) {
					return 3100, 0 // a Wednesday
				}
				return 100, 0
			}),
			period: Period{Start: date("2026-11-01"), End: date("2026-12-03"), Today: date("2026-11-28")},
			want: []point{{"2026-11-27", Actual, 100, 100, 100}, {"2026-11-28", Actual, 0, 0, 0},
				{"2026-11-28", Forecast, 100, 100, 100}, {"2026-11-29", Forecast, 100, 100, 100}, {"2026-11-30", Forecast, 100, 100, 100},
				{"2026-12-01", Forecast, 100, 100, 100}, {"2026-12-02", Forecast, 100, 100, 100}},
		},
		{
			name: "credits larger than usage make negative days, forecast as such",
			days: append(days("2026-08-01", "2026-11-28", func(d time.Time) (int64, int64) { return weekdayBase(d) - 150, 0 }),
				Day{Date: date("2026-11-28"), Cost: decimal.FromInt(-5)}),
			period: november,
			want: []point{{"2026-11-27", Actual, -50, -50, -50}, {"2026-11-28", Actual, -5, -5, -5},
				{"2026-11-28", Forecast, -110, -110, -110}, {"2026-11-29", Forecast, -110, -110, -110}, {"2026-11-30", Forecast, -50, -50, -50}},
		},
		{
			name: "today's forecast is not below what today has cost so far",
			days: append(days("2026-08-01", "2026-11-28", flat),
				Day{Date: date("2026-11-28"), Cost: decimal.FromInt(70), Recurring: decimal.FromInt(60)}),
			period: november,
			want: []point{{"2026-11-27", Actual, 100, 100, 100}, {"2026-11-28", Actual, 130, 130, 130},
				{"2026-11-28", Forecast, 130, 130, 130}, {"2026-11-29", Forecast, 100, 100, 100}, {"2026-11-30", Forecast, 100, 100, 100}},
		},
		{
			name: "four days of history forecast every day at their median, with their spread as the band",
			days: []Day{{Date: date("2026-11-24"), Cost: dec("100")}, {Date: date("2026-11-25"), Cost: dec("110")},
				{Date: date("2026-11-26"), Cost: dec("120")}, {Date: date("2026-11-27"), Cost: dec("130")}},
			period: november,
			want: []point{{"2026-11-27", Actual, 130, 130, 130}, {"2026-11-28", Actual, 0, 0, 0},
				{"2026-11-28", Forecast, 115, 100, 130}, {"2026-11-29", Forecast, 115, 100, 130}, {"2026-11-30", Forecast, 115, 100, 130}},
			notes: []string{"only 4 complete days of history (since 2026-11-24): every day is forecast at their median",
				"the band is the spread of the recent days around their median: too few days have the history before them to test the forecast on"},
		},
		{
			name:   "no history forecasts zero and says so",
			period: november,
			want: []point{{"2026-11-27", Actual, 0, 0, 0}, {"2026-11-28", Actual, 0, 0, 0},
				{"2026-11-28", Forecast, 0, 0, 0}, {"2026-11-29", Forecast, 0, 0, 0}, {"2026-11-30", Forecast, 0, 0, 0}},
			notes: []string{"no cost before 2026-11-28 to learn from: the forecast is zero"},
		},
		{
			name:   "a period already over is all actuals",
			days:   days("2026-10-01", "2026-11-28", flat),
			period: Period{Start: date("2026-10-30"), End: date("2026-11-01"), Today: date("2026-11-28")},
			want:   []point{{"2026-10-30", Actual, 100, 100, 100}, {"2026-10-31", Actual, 100, 100, 100}},
		},
		{
			name:   "a period that has not started is all forecast",
			days:   days("2026-08-01", "2026-11-28", flat),
			period: Period{Start: date("2026-12-01"), End: date("2026-12-03"), Today: date("2026-11-28")},
			want:   []point{{"2026-12-01", Forecast, 100, 100, 100}, {"2026-12-02", Forecast, 100, 100, 100}},
		},
		{
			// The days since the last data are forecast, not zeros: a CUR
			// arrives a day or more behind.
			name:   "data that stops before yesterday is late: the days since are forecast",
			days:   days("2026-08-01", "2026-11-26", flat),
			period: november,
			want: []point{{"2026-11-27", Forecast, 100, 100, 100}, {"2026-11-28", Forecast, 100, 100, 100},
				{"2026-11-29", Forecast, 100, 100, 100}, {"2026-11-30", Forecast, 100, 100, 100}},
			notes: []string{"no cost recorded after 2026-11-25: the days since are forecast, as if the data were late"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Run("USD", tc.days, tc.period)
			if err != nil {
				t.Fatal(err)
			}
			from := slices.IndexFunc(s.Points, func(p Point) bool { return !p.Date.Before(date("2026-11-27")) })
			if tc.period.Over() {
				from = 0
			}
			checkPoints(t, s.Points[from:], tc.want)
			if !slices.Equal(s.Notes, tc.notes) {
				t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(s.Notes, "\n"), strings.Join(tc.notes, "\n"))
			}
		})
	}
}

// TestFarLeadsTakeTheBandOfTheFarthestMeasured: five weeks of history
// (alternating weeks, as above) measure the backtest's errors at leads up
// to 6 days only; the days farther ahead keep that ±10 band rather than
// falling back to the days' spread.
func TestFarLeadsTakeTheBandOfTheFarthestMeasured(t *testing.T) {
	monday := date("2026-07-27")
	history := days("2026-10-24", "2026-11-28", func(d time.Time) (int64, int64) {
		return weekdayBase(d) + 20*int64(int(d.Sub(monday).Hours()/24)/7%2), 0
	})
	s, err := Run("USD", history, PeriodOf(Quarter, date("2026-11-28")))
	if err != nil {
		t.Fatal(err)
	}
	var want []point
	for d := date("2026-11-28"); d.Before(date("2027-01-01")); d = d.AddDate(0, 0, 1) {
		c := weekdayBase(d) + 10
		want = append(want, point{d.Format(time.DateOnly), Forecast, c, c - 10, c + 10})
	}
	checkPoints(t, s.Points[len(s.Points)-len(want):], want)
	if len(s.Notes) != 0 {
		t.Errorf("notes: %q", s.Notes)
	}
}
