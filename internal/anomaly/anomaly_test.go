package anomaly

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

var start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday

// flat returns n days of the same cost from start, weekdays at c and
// weekends at w.
func flat(n int, c, w string) []Day {
	out := make([]Day, n)
	for i := range out {
		d := start.AddDate(0, 0, i)
		v := c
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			v = w
		}
		out[i] = Day{Date: d, Cost: decimal.MustParse(v)}
	}
	return out
}

// wobble adds ±1% to alternate days, so that the series has a spread.
func wobble(days []Day) []Day {
	for i := range days {
		f := "1.01"
		if i%2 == 1 {
			f = "0.99"
		}
		days[i].Cost = days[i].Cost.Mul(decimal.MustParse(f))
	}
	return days
}

func set(days []Day, i int, c string) []Day {
	days[i].Cost = decimal.MustParse(c)
	return days
}

// zeroUntil makes the days before index k cost nothing.
func zeroUntil(days []Day, k int) []Day {
	for i := range k {
		days[i].Cost = decimal.Zero
	}
	return days
}

func todayAfter(days []Day) time.Time { return start.AddDate(0, 0, len(days)) }

func TestDetect(t *testing.T) {
	backfill := Default()
	backfill.Lookback = 1000
	drops := backfill
	drops.Drops = true
	tests := []struct {
		name  string
		days  []Day
		p     Params
		today time.Time // zero: the day after the last
		want  []string  // "index kind impact"
	}{
		{"an empty series has no findings", nil, backfill, start, nil},
		{"too little history flags nothing", set(flat(10, "100", "100"), 9, "5000"), backfill, time.Time{}, nil},
		{"a series of zeros has no findings", flat(60, "0", "0"), backfill, time.Time{}, nil},
		{"a spike is found with its exact impact", set(flat(60, "1000", "400"), 44, "3000"), backfill, time.Time{},
			[]string{"44 spike 2000.00"}},
		{"a spike on a weekend is judged against weekends", set(flat(60, "1000", "400"), 40, "900"), backfill, time.Time{},
			[]string{"40 spike 500.00"}},
		{"a weekday at the weekday level is not a spike on a weekly series", flat(60, "1000", "400"), backfill, time.Time{}, nil},
		{"a drop is not reported by default", set(flat(60, "1000", "400"), 44, "10"), backfill, time.Time{}, nil},
		{"a drop is reported with Drops", set(flat(60, "1000", "400"), 44, "10"), drops, time.Time{},
			[]string{"44 drop -990.00"}},
		{"a change below MinImpact is not reported", set(flat(60, "20", "20"), 44, "29"), backfill, time.Time{}, nil},
		{"a change below MinRelative is not reported", set(flat(60, "100000", "100000"), 44, "104000"), backfill, time.Time{}, nil},
		{"a series that starts costing is new on its first day", zeroUntil(flat(60, "500", "500"), 30), backfill, time.Time{},
			[]string{"30 new 500.00"}},
		{"a credit (a negative day) does not panic or flag", set(flat(60, "1000", "1000"), 44, "-5000"), backfill, time.Time{}, nil},
		{"days on and after today are ignored", set(flat(60, "1000", "400"), 44, "3000"), backfill, start.AddDate(0, 0, 44), nil},
		{"a daily run judges only yesterday", set(set(flat(60, "1000", "400"), 44, "3000"), 50, "3000"), Default(), start.AddDate(0, 0, 51),
			[]string{"50 spike 2000.00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			today := tc.today
			if today.IsZero() {
				today = todayAfter(tc.days)
			}
			var got []string
			for _, f := range Detect(tc.days, today, tc.p) {
				i := int(f.Date.Sub(start).Hours() / 24)
				got = append(got, strconv.Itoa(i)+" "+f.Kind+" "+f.Impact.Fixed(2))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDetectRecurringAndGaps(t *testing.T) {
	backfill := Default()
	backfill.Lookback = 1000
	backfill.Drops = true
	monthly := flat(120, "1000", "600") // 2026-03-02 to 2026-06-29
	for i, d := range monthly {
		if d.Date.Day() == 1 {
			monthly[i].Cost = d.Cost.Add(decimal.MustParse("20000"))
		}
	}
	purchase := set(flat(120, "1000", "600"), 44, "31000") // 2026-04-15
	gaps := flat(90, "1000", "1000")
	for _, i := range []int{30, 44, 58} { // three Wednesdays without data, a fortnight apart
		gaps[i].Cost = decimal.Zero
	}
	tests := []struct {
		name string
		days []Day
		want []string
	}{
		{"a fee on the 1st is flagged the first month only", monthly, []string{"2026-04-01 spike 20000.00"}},
		{"a one-time purchase is flagged once, and its day next month is no drop", purchase, []string{"2026-04-15 spike 30000.00"}},
		{"single missing days are drops, and the days after them are not spikes", gaps,
			[]string{"2026-04-01 drop -1000.00", "2026-04-15 drop -1000.00", "2026-04-29 drop -1000.00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Detect(tc.days, todayAfter(tc.days), backfill) {
				got = append(got, f.Date.Format(time.DateOnly)+" "+f.Kind+" "+f.Impact.Fixed(2))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestBackfillIsDailyRuns checks that judging N days at once finds what N
// daily runs find.
func TestBackfillIsDailyRuns(t *testing.T) {
	for _, seed := range []uint64{101, 102, 103, 104, 105} {
		sc := genScope(seed)
		days := series(sc.start, first(sc.total()))
		today := todayAfterSeries(days)
		p := Default()
		p.Lookback = len(days)
		all := Detect(days, today, p)
		var daily []Finding
		for k := 1; k <= len(days); k++ {
			daily = append(daily, Detect(days, days[0].Date.AddDate(0, 0, k), Default())...)
		}
		if !slices.Equal(all, daily) {
			t.Errorf("seed %d: a backfill found %d days, daily runs %d", seed, len(all), len(daily))
		}
	}
}

func todayAfterSeries(days []Day) time.Time { return days[len(days)-1].Date.AddDate(0, 0, 1) }

func first(a, _ []int64) []int64 { return a }
