package anomaly

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// service is one generated service's daily cost, in whole cents so that
// the series is exact and the same for a seed.
type service struct {
	cents []int64   // the cost, recurring charges included
	rec   []int64   // the recurring charges (fees, tax)
	level []float64 // the cost without noise or recurring charges, in cents
	noise float64   // the noise's standard deviation (its scale when heavy-tailed), relative
	heavy bool      // Student's t noise with 3 degrees of freedom
}

// scope is a generated scope: a sum of services over the same days.
type scope struct {
	start    time.Time
	services []service
}

// genScope draws a scope's services: a level from $50 to $50,000 a day
// split among one to five services, a weekly pattern of varying strength,
// a slow trend, normal or heavy-tailed multiplicative noise of 2% to 10%,
// zero days in small services, fees on the 1st (some a tax that follows
// the previous month's cost) and on another day of the month.
func genScope(seed uint64) scope { return genScopeSpan(seed, 90, 180) }

// genScopeSpan is genScope over minDays to maxDays days; genScope's
// scopes (90 to 180) are genScopeSpan's with the same seed.
func genScopeSpan(seed uint64, minDays, maxDays int) scope {
	r := rand.New(rand.NewPCG(seed, 7))
	days := minDays + r.IntN(maxDays-minDays+1)
	start := time.Date(2026, time.Month(1+r.IntN(6)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	total := 50 * math.Pow(1000, r.Float64()) * 100 // cents a day
	k := 1 + r.IntN(5)
	weights := make([]float64, k)
	sum := 0.0
	for i := range weights {
		weights[i] = 0.2 + r.Float64()
		sum += weights[i]
	}
	sc := scope{start: start}
	for i := range k {
		sc.services = append(sc.services, genService(r, start, days, total*weights[i]/sum))
	}
	return sc
}

func genService(r *rand.Rand, start time.Time, days int, level float64) service {
	s := service{noise: 0.02 + 0.08*r.Float64(), heavy: r.IntN(7) == 0}
	weekend := 1.0
	if r.IntN(4) != 0 {
		weekend = 0.3 + 0.6*r.Float64()
	}
	growth := -0.08 + 0.2*r.Float64() // a month
	zeroDays := level < 300*100 && r.IntN(2) == 0
	fee1, feeDay, feeN, tax := 0.0, 0, 0.0, false
	switch r.IntN(4) {
	case 0:
		fee1 = level * (1 + 9*r.Float64())
	case 1:
		tax = true
	}
	if r.IntN(5) == 0 {
		feeDay, feeN = 2+r.IntN(27), level*(0.5+2.5*r.Float64())
	}
	at := func(i int) float64 { // the cost without noise
		l := level * (1 + growth*float64(i)/30)
		if wd := start.AddDate(0, 0, i).Weekday(); wd == time.Saturday || wd == time.Sunday {
			l *= weekend
		}
		return l
	}
	for i := range days {
		d := start.AddDate(0, 0, i)
		l := at(i)
		c := l * (1 + s.noise*noise(r, s.heavy))
		if zeroDays && r.IntN(30) == 0 {
			c = 0
		}
		rec := 0.0
		if d.Day() == 1 {
			rec += fee1
			if tax { // 8% of the previous month's cost
				for k := 1; k <= d.AddDate(0, 0, -1).Day(); k++ {
					rec += 0.08 * at(i-k)
				}
			}
		}
		if d.Day() == feeDay {
			rec += feeN
		}
		s.level = append(s.level, l)
		s.rec = append(s.rec, int64(math.Round(rec)))
		s.cents = append(s.cents, int64(math.Round(c))+s.rec[i])
	}
	return s
}

// noise draws a standard normal, or a Student's t with 3 degrees of
// freedom scaled to the same spread at the quartiles.
func noise(r *rand.Rand, heavy bool) float64 {
	z := r.NormFloat64()
	if !heavy {
		return max(z, -5)
	}
	chi := 0.0
	for range 3 {
		x := r.NormFloat64()
		chi += x * x
	}
	return max(z/math.Sqrt(chi/3)*0.6745/0.7649, -5)
}

// total returns the scope's daily sum and its recurring part, in cents.
func (sc scope) total() (cents, rec []int64) {
	cents = make([]int64, len(sc.services[0].cents))
	rec = make([]int64, len(cents))
	for _, s := range sc.services {
		for i, c := range s.cents {
			cents[i] += c
			rec[i] += s.rec[i]
		}
	}
	return cents, rec
}

// noiseAt is the relative standard deviation of the scope's total on day i.
func (sc scope) noiseAt(i int) float64 {
	v, l := 0.0, 0.0
	for _, s := range sc.services {
		v += math.Pow(s.level[i]*s.noise, 2)
		l += s.level[i]
	}
	return math.Sqrt(v) / l
}

var hundredth = decimal.MustParse("0.01")

// series converts cents to days from start.
func series(start time.Time, cents []int64) []Day { return split(start, cents, nil) }

// split converts cents to days from start, with their recurring part
// when rec is not nil.
func split(start time.Time, cents, rec []int64) []Day {
	out := make([]Day, len(cents))
	for i, c := range cents {
		out[i] = Day{Date: start.AddDate(0, 0, i), Cost: decimal.FromInt(c).Mul(hundredth)}
		if rec != nil && rec[i] != 0 {
			out[i].Recurring = decimal.FromInt(rec[i]).Mul(hundredth)
		}
	}
	return out
}
