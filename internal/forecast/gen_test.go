package forecast

import (
	"math/rand/v2"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// shape describes a generated daily cost series. Amounts are whole cents,
// so the series is exact and the same for a seed.
type shape struct {
	seed       uint64
	base       int64 // cents per weekday on the first day
	growthBP   int64 // growth per 30 days, in basis points of base (1000 = 10%)
	weekendPct int64 // a Saturday's or Sunday's share of a weekday, in percent
	noisePct   int64 // each day varies uniformly within ±noisePct percent
	feeCents   int64 // a recurring fee on the first of each month
	spikeEvery int   // a one-time purchase of 30 days' cost every this many days; 0 for none
	credit     int64 // cents of credit on every day, subtracted (negative days when larger than the cost)
}

// generate returns the series' days from `from` to `to` (exclusive).
func (s shape) generate(from, to time.Time) []Day {
	r := rand.New(rand.NewPCG(s.seed, 99))
	var out []Day
	i := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		level := s.base + s.base*s.growthBP*int64(i)/(30*10_000)
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			level = level * s.weekendPct / 100
		}
		noise := int64(0)
		if s.noisePct > 0 {
			noise = r.Int64N(2*s.noisePct*100+1) - s.noisePct*100 // hundredths of a percent
		}
		c := level + level*noise/10_000 - s.credit
		if s.spikeEvery > 0 && i%s.spikeEvery == s.spikeEvery/2 {
			c += 30 * s.base
		}
		day := Day{Date: d, Cost: cents(c)}
		if d.Day() == 1 {
			day.Recurring = cents(s.feeCents)
		}
		out = append(out, day)
		i++
	}
	return out
}

func cents(c int64) decimal.Decimal {
	return decimal.FromInt(c).Mul(decimal.MustParse("0.01"))
}
