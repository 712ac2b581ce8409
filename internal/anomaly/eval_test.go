package anomaly

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The evaluation's seeds. Params were chosen on tuneSeeds (go test -run
// Tune -tune); the assertions run on evalSeeds, which tuning never read.
var (
	tuneSeeds = seedRange(10_001, 10_300)
	evalSeeds = seedRange(1, 300)
	tune      = flag.Bool("tune", false, "log the tuning sweep on the tuning seeds")
)

// detectableK is the population's noise bar: an injected anomaly is
// detectable when its impact is at least this many standard deviations of
// the judged series' noise (besides 5% of its day and MinImpact).
const detectableK = 6

func seedRange(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// injection is one anomaly put into a scope: on day `day` of service
// `service` (for New, a service appended to the scope).
type injection struct {
	kind    string // Spike, New, or "levelShift"
	day     int
	service int
	impact  float64 // in cents, on day `day`
}

const levelShift = "levelShift"

// inject puts one anomaly of the given kind into a copy of sc: a spike of
// ×1.3 to ×5 on one day of one service, a step of +10% to +100% from a
// day on, or a new service costing 5% to 100% of the scope's day.
func inject(sc scope, kind string, r *rand.Rand) (scope, injection) {
	n := len(sc.services[0].cents)
	out := scope{start: sc.start}
	for _, s := range sc.services {
		s.cents = slices.Clone(s.cents)
		out.services = append(out.services, s)
	}
	in := injection{kind: kind, day: 42 + r.IntN(n-49), service: r.IntN(len(sc.services))}
	s := &out.services[in.service]
	switch kind {
	case Spike:
		in.impact = math.Round((0.3 + 3.7*r.Float64()) * s.level[in.day])
		s.cents[in.day] += int64(in.impact)
	case levelShift:
		f := 0.1 + 0.9*r.Float64()
		in.impact = math.Round(f * s.level[in.day])
		for i := in.day; i < n; i++ {
			s.cents[i] += int64(math.Round(f * s.level[i]))
		}
	case New:
		total := 0.0
		for _, s := range sc.services {
			total += s.level[in.day]
		}
		lvl := total * 0.05 * math.Pow(20, r.Float64())
		ns := service{noise: 0.05, cents: make([]int64, n), rec: make([]int64, n), level: make([]float64, n)}
		for i := in.day; i < n; i++ {
			ns.level[i] = lvl
			ns.cents[i] = int64(math.Round(lvl * (1 + ns.noise*noise(r, false))))
		}
		in.impact, in.service = float64(ns.cents[in.day]), len(out.services)
		out.services = append(out.services, ns)
	}
	return out, in
}

// report is the evaluation's result.
type report struct {
	cleanSeries        int
	cleanMonths        float64 // judged days / 30
	cleanFindings      int
	cleanOnFirst       int     // of which on the 1st of a month
	worstRate          float64 // the most false alarms per 30 judged days of one series
	worstCount         int     // the most false alarms of one series
	hits, total        map[string]int
	hitsDet, totalDet  map[string]int // the detectable population
	trueF, falseF, neu int            // findings on the injected series
}

// evaluate runs Detect over every day after MinHistory of each seed's
// clean scope (its services and its total), then of a copy with one
// injected anomaly (the service and the total). With split, the series
// carry their recurring charges in Day.Recurring, as a caller that reads
// FOCUS ChargeFrequency can pass them.
func evaluate(seeds []uint64, p Params, splitRec bool) report {
	rp := report{hits: map[string]int{}, total: map[string]int{}, hitsDet: map[string]int{}, totalDet: map[string]int{}}
	kinds := []string{Spike, levelShift, New}
	for _, seed := range seeds {
		sc := genScope(seed)
		n := len(sc.services[0].cents)
		today := sc.start.AddDate(0, 0, n)
		q := p
		q.Lookback = n
		judged := func(cents, rec []int64) []Finding {
			if !splitRec {
				rec = nil
			}
			return Detect(split(sc.start, cents, rec), today, q)
		}
		cents, rec := sc.total()
		all := [][2][]int64{{cents, rec}}
		for _, s := range sc.services {
			all = append(all, [2][]int64{s.cents, s.rec})
		}
		for _, c := range all {
			fs := judged(c[0], c[1])
			for _, f := range fs {
				rp.cleanOnFirst += b2i(f.Date.Day() == 1)
			}
			rp.cleanSeries++
			rp.cleanFindings += len(fs)
			months := float64(n-p.MinHistory) / 30
			rp.cleanMonths += months
			rp.worstRate = max(rp.worstRate, float64(len(fs))/months)
			rp.worstCount = max(rp.worstCount, len(fs))
		}
		kind := kinds[seed%3]
		inj, in := inject(sc, kind, rand.New(rand.NewPCG(seed, 8)))
		injCents, injRec := inj.total()
		s := inj.services[in.service]
		for _, target := range []struct {
			cents, rec []int64
			clean      float64 // the judged series' cost on the day without the anomaly
			sigma      float64
		}{
			{s.cents, s.rec, serviceClean(sc, in), s.noise},
			{injCents, injRec, float64(cents[in.day]), sc.noiseAt(in.day)},
		} {
			rel := in.impact / target.clean
			if target.clean <= 0 {
				rel = math.Inf(1)
			}
			inPop := rel >= 0.05 && in.impact >= float(p.MinImpact)*100
			det := inPop && rel >= detectableK*target.sigma
			hit := rp.score(judged(target.cents, target.rec), in, sc.start)
			if inPop {
				rp.total[kind]++
				rp.hits[kind] += b2i(hit)
			}
			if det {
				rp.totalDet[kind]++
				rp.hitsDet[kind] += b2i(hit)
			}
		}
	}
	return rp
}

// serviceClean is the injected service's cost on the anomaly's day before
// the injection: zero for a new one.
func serviceClean(sc scope, in injection) float64 {
	if in.service >= len(sc.services) {
		return 0
	}
	return float64(sc.services[in.service].cents[in.day])
}

// score counts an injected series' findings and reports whether the
// anomaly was found. A spike or a new service is found by a finding on its
// day; a level shift by one on any of its first 3 days. Later findings of
// a level shift or a new service, within 28 days of its start, are
// neutral (the baseline is adapting): neither hits nor false alarms.
func (rp *report) score(fs []Finding, in injection, start time.Time) bool {
	hit := false
	for _, f := range fs {
		d := int(f.Date.Sub(start).Hours() / 24)
		switch {
		case f.Impact.Sign() > 0 && (d == in.day || (in.kind == levelShift && d > in.day && d < in.day+3)):
			hit = true
			rp.trueF++
		case in.kind != Spike && d > in.day && d < in.day+28:
			rp.neu++
		default:
			rp.falseF++
		}
	}
	return hit
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (rp report) recall(kind string, det bool) (int, int) {
	if det {
		return rp.hitsDet[kind], rp.totalDet[kind]
	}
	return rp.hits[kind], rp.total[kind]
}

func (rp report) meanRate() float64 { return float64(rp.cleanFindings) / rp.cleanMonths }

func (rp report) precision() float64 { return float64(rp.trueF) / float64(rp.trueF+rp.falseF) }

// log writes the report's table.
func (rp report) log(t *testing.T) {
	t.Logf("clean data: %d series, %.0f series-months, %d false alarms (%d of them on the 1st of a month): %.3f a series-month on average; worst series %.2f a month (%d in all)",
		rp.cleanSeries, rp.cleanMonths, rp.cleanFindings, rp.cleanOnFirst, rp.meanRate(), rp.worstRate, rp.worstCount)
	t.Logf("injected: precision %.3f (%d true findings, %d false, %d neutral: later days of a level shift or a new service)",
		rp.precision(), rp.trueF, rp.falseF, rp.neu)
	t.Logf("%-11s %-34s %-34s", "kind", "impact ≥5% of the day & ≥MinImpact", fmt.Sprintf("…and ≥%d× the series' noise sd", detectableK))
	for _, k := range []string{Spike, levelShift, New, "all"} {
		h, n := rp.sum(k, false)
		hd, nd := rp.sum(k, true)
		t.Logf("%-11s recall %.3f (%4d of %4d)         recall %.3f (%4d of %4d)", k, ratio(h, n), h, n, ratio(hd, nd), hd, nd)
	}
}

func (rp report) sum(kind string, det bool) (int, int) {
	if kind != "all" {
		return rp.recall(kind, det)
	}
	h, n := 0, 0
	for _, k := range []string{Spike, levelShift, New} {
		a, b := rp.recall(k, det)
		h, n = h+a, n+b
	}
	return h, n
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// TestEval is the acceptance criterion, on seeds tuning never read.
func TestEval(t *testing.T) {
	for _, splitRec := range []bool{false, true} {
		name := "the detector learns the day-of-month charges"
		if splitRec {
			name = "the caller marks the recurring charges (Day.Recurring)"
		}
		t.Run(name, func(t *testing.T) {
			rp := evaluate(evalSeeds, Default(), splitRec)
			rp.log(t)
			if r := rp.meanRate(); r > 1 {
				t.Errorf("%.3f false alarms a series-month on clean data, more than 1", r)
			}
			if rp.worstRate > 2 {
				t.Errorf("a series has %.2f false alarms a month, more than 2", rp.worstRate)
			}
			if h, n := rp.sum("all", true); ratio(h, n) < 0.9 {
				t.Errorf("recall %.3f on the detectable anomalies, below 0.9", ratio(h, n))
			}
		})
	}
}

// TestTune logs the sweep the defaults were chosen from, on the tuning
// seeds: go test ./internal/anomaly -run Tune -tune -v.
func TestTune(t *testing.T) {
	if !*tune {
		t.Skip("run with -tune")
	}
	for _, th := range []float64{3, 3.5, 4} {
		for _, weeks := range []int{4, 6} {
			for _, level := range []int{0, 7} {
				p := Default()
				p.Threshold, p.Weeks, p.LevelDays = th, weeks, level
				rp := evaluate(tuneSeeds, p, false)
				h, n := rp.sum("all", true)
				h5, n5 := rp.sum("all", false)
				t.Logf("threshold %.1f weeks %d levelDays %d: FA %.3f/series-month (worst %.2f), precision %.3f, recall %.3f detectable, %.3f ≥5%%",
					th, weeks, level, rp.meanRate(), rp.worstRate, rp.precision(), ratio(h, n), ratio(h5, n5))
			}
		}
	}
}
