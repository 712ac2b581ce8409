package anomaly

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestLevelShift steps a flat series up by half: the first day is a spike,
// the next ones levelShift until the level (the median of 14 days) has
// followed, and no day after is a drop. Stepped down, with drops, the
// mirror image: no day after is a spike.
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
	for i := range days {
		days[i].Cost = decimal.FromInt(2500).Sub(days[i].Cost) // 1500, then 1000
	}
	got = nil
	for _, f := range Detect(days, todayAfter(days), p) {
		got = append(got, f.Date.Format(time.DateOnly)+" "+f.Kind+" "+f.Impact.Fixed(2))
	}
	for i := range want {
		want[i] = strings.Replace(strings.Replace(want[i], " spike ", " drop ", 1), " 500.00", " -500.00", 1)
		want[i] = strings.Replace(want[i], " 250.00", " -250.00", 1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("stepped down: got %q, want %q", got, want)
	}
}
