package anomaly

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestLevelShift steps a flat series up by half: the first day is a spike,
// the next ones levelShift until the level (the median of 14 days) has
// followed, and no day after is a drop.
func TestLevelShift(t *testing.T) {
	days := flat(120, "1000", "1000")
	for i := 44; i < 120; i++ {
		days[i].Cost = decimal.MustParse("1500")
	}
	p := Default()
	p.Lookback, p.Drops = 1000, true
	var got []string
	for _, f := range Detect(days, todayAfter(days), p) {
		got = append(got, f.Date.Format(time.DateOnly)+" "+f.Kind+" "+f.Impact.Fixed(2))
	}
	want := []string{"2026-04-15 spike 500.00"}
	for d := 16; d <= 21; d++ {
		want = append(want, "2026-04-"+strconv.Itoa(d)+" levelShift 500.00")
	}
	want = append(want, "2026-04-22 levelShift 250.00")
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
