package forecast

import (
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dec(s string) decimal.Decimal { return decimal.MustParse(s) }

func TestPeriodOf(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		h          Horizon
		now        time.Time
		start, end string
	}{
		{Month, now, "2026-11-01", "2026-12-01"},
		{Quarter, now, "2026-10-01", "2027-01-01"},
		{Year, now, "2026-01-01", "2027-01-01"},
		{Quarter, date("2026-02-28"), "2026-01-01", "2026-04-01"},
		{Quarter, date("2026-06-30"), "2026-04-01", "2026-07-01"},
	} {
		p := PeriodOf(tc.h, tc.now)
		if !p.Start.Equal(date(tc.start)) || !p.End.Equal(date(tc.end)) || !p.Today.Equal(DayOf(tc.now)) {
			t.Errorf("%s at %s: %+v, want %s to %s", tc.h, tc.now, p, tc.start, tc.end)
		}
	}
	// The history reaches 84 days back, or to the first of the month two
	// months back, whichever is earlier; and the period's start.
	from, to := PeriodOf(Month, now).History()
	if !from.Equal(date("2026-09-01")) || !to.Equal(date("2026-11-29")) {
		t.Errorf("history of November: %s to %s, want 2026-09-01 to 2026-11-29", from, to)
	}
	from, _ = PeriodOf(Year, now).History()
	if !from.Equal(date("2026-01-01")) {
		t.Errorf("history of the year starts %s, want 2026-01-01", from)
	}
	over := Period{Start: date("2026-10-01"), End: date("2026-11-01"), Today: date("2026-11-28")}
	if from, to := over.History(); !from.Equal(over.Start) || !to.Equal(over.End) {
		t.Errorf("history of a period over: %s to %s, want the period", from, to)
	}
}

func TestParseHorizon(t *testing.T) {
	for in, want := range map[string]Horizon{"": Month, "Month": Month, "quarter": Quarter, " YEAR ": Year} {
		if got, err := ParseHorizon(in); err != nil || got != want {
			t.Errorf("ParseHorizon(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseHorizon("week")
	if cost.ErrorCode(err) != cost.EInvalid || err.Error() != `horizon "week" is not one of month, quarter, year` {
		t.Errorf("ParseHorizon(week): %v", err)
	}
	bad := Period{Start: date("2026-11-01"), End: date("2026-11-01"), Today: date("2026-11-28")}
	if _, err := Run("USD", nil, bad); err == nil || err.Error() != "the forecast period ends (2026-11-01) before it starts (2026-11-01): give an end after the start" {
		t.Errorf("an empty period: %v", err)
	}
}

func TestStatistics(t *testing.T) {
	var xs []decimal.Decimal
	for i := 10; i >= 1; i-- {
		xs = append(xs, decimal.FromInt(int64(i)))
	}
	for _, tc := range []struct {
		name string
		got  decimal.Decimal
		want string
	}{
		{"the median of an even number of values is the mean of the middle two", median(xs), "5.5"},
		{"the median of an odd number of values is the middle one", median(xs[:3]), "9"},
		{"the 10th percentile of 1..10 is at rank 1.1", quantile(xs, 10), "1.1"},
		{"the 90th percentile of 1..10 is at rank 9.9", quantile(xs, 90), "9.9"},
		{"a percentile below the first rank is the smallest value", quantile(xs[:4], 10), "7"},
		{"a percentile past the last rank is the largest value", quantile(xs[:4], 90), "10"},
		{"nothing has a median of zero", median(nil), "0"},
	} {
		if tc.got.Cmp(dec(tc.want)) != 0 {
			t.Errorf("%s: got %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

// point is a day's expected point, in whole currency units.
type point struct {
	date            string
	kind            Kind
	cost, low, high int64
}

func checkPoints(t *testing.T, got []Point, want []point) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d points, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Date.Format(time.DateOnly) != w.date || g.Kind != w.kind || g.Cost.Cmp(decimal.FromInt(w.cost)) != 0 ||
			g.Low.Cmp(decimal.FromInt(w.low)) != 0 || g.High.Cmp(decimal.FromInt(w.high)) != 0 {
			t.Errorf("point %d: %s %s %s [%s, %s], want %+v", i, g.Date.Format(time.DateOnly), g.Kind, g.Cost, g.Low, g.High, w)
		}
	}
}

func checkTotals(t *testing.T, s *Series, actual, total, low, high int64) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got       decimal.Decimal
		wantUnits int64
	}{{"actual", s.Actual, actual}, {"total", s.Total, total}, {"low", s.Low, low}, {"high", s.High, high}} {
		if c.got.Cmp(decimal.FromInt(c.wantUnits)) != 0 {
			t.Errorf("%s: %s, want %d", c.name, c.got, c.wantUnits)
		}
	}
}
