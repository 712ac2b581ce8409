package forecast

import (
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestTheBandHoldsTheForecast: on a steep trend the backtest's errors are
// all positive (the median of past weeks is always behind), and the band
// would sit above the forecast; it is widened to hold it.
func TestTheBandHoldsTheForecast(t *testing.T) {
	var history []Day
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	for d := start; d.Before(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		history = append(history, Day{Date: d, Cost: decimal.FromInt(int64(10 * (d.Sub(start).Hours()/24 + 1)))})
	}
	s, err := Run("USD", history, PeriodOf(Quarter, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	forecasts := 0
	for _, p := range s.Points {
		if p.Kind != Forecast {
			continue
		}
		forecasts++
		if p.Low.Cmp(p.Cost) > 0 || p.High.Cmp(p.Cost) < 0 {
			t.Errorf("%s: band %s to %s does not hold the forecast %s", p.Date.Format(time.DateOnly), p.Low, p.High, p.Cost)
		}
	}
	if forecasts != 34 || s.Low.Cmp(s.Total) > 0 || s.High.Cmp(s.Total) < 0 {
		t.Errorf("%d forecast days; total %s in %s to %s", forecasts, s.Total, s.Low, s.High)
	}
}

// TestALongSilenceCountsAsNoCost: data that stopped more than MaxLateDays
// before yesterday is not late but gone (a closed account): the days since
// are actuals of zero, and the note says the forecast is too low if the
// data is late after all.
func TestALongSilenceCountsAsNoCost(t *testing.T) {
	var history []Day
	for d := date("2026-08-01"); d.Before(date("2026-11-10")); d = d.AddDate(0, 0, 1) {
		history = append(history, Day{Date: d, Cost: decimal.FromInt(100)})
	}
	s, err := Run("USD", history, PeriodOf(Month, date("2026-11-28")))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Points {
		if p.Date.Equal(date("2026-11-27")) && (p.Kind != Actual || !p.Cost.IsZero()) {
			t.Errorf("27 November: %+v, want an actual zero", p)
		}
	}
	want := "no cost recorded after 2026-11-09: the days since count as costing nothing; if the data is late, the forecast is too low"
	if len(s.Notes) != 1 || s.Notes[0] != want {
		t.Errorf("notes %q, want %q", s.Notes, want)
	}
}
