package anomaly

import (
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// FuzzDetect reads a series and its parameters from the fuzz bytes: the
// first byte is the lookback, the second the minimum history and the
// switches, then each 3 bytes are a day's cost in cents (signed). Detect
// must not panic, and must return days of the series before today, oldest
// first, each with Impact = Actual − Expected.
func FuzzDetect(f *testing.F) {
	f.Add([]byte{200, 14, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 9, 0})
	f.Add([]byte{1, 0, 255, 255, 255, 0, 0, 0, 128, 0, 0})
	f.Add(make([]byte, 300))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		p := Default()
		p.Lookback, p.MinHistory, p.Drops = int(b[0]), int(b[1]&31), b[1]&32 != 0
		if b[1]&64 != 0 {
			p.MinImpact = decimal.Zero
		}
		if b[1]&128 != 0 {
			p.Weeks, p.LevelDays, p.SpreadDays = 0, 0, 0
		}
		first := time.Date(2026, 1, 28, 0, 0, 0, 0, time.UTC)
		var days []Day
		for i := 2; i+3 <= len(b); i += 3 {
			cents := int64(int32(uint32(b[i])<<24|uint32(b[i+1])<<16|uint32(b[i+2])<<8) >> 8)
			days = append(days, Day{Date: first.AddDate(0, 0, len(days)), Cost: decimal.FromInt(cents).Mul(hundredth)})
		}
		today := first.AddDate(0, 0, len(days)-int(b[0]%4))
		var last time.Time
		for _, f := range Detect(days, today, p) {
			if f.Date.Before(first) || !f.Date.Before(today) || !f.Date.After(last) {
				t.Fatalf("finding on %s: outside the series before %s, or out of order", f.Date, today)
			}
			if f.Actual.Sub(f.Expected) != f.Impact {
				t.Fatalf("impact %s is not %s − %s", f.Impact, f.Actual, f.Expected)
			}
			last = f.Date
		}
	})
}
