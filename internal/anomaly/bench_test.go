package anomaly

import (
	"fmt"
	"testing"
)

// yearSeries is a generated 365-day series.
func yearSeries(seed uint64) []Day {
	sc := genScope(seed)
	for len(sc.services[0].cents) < 365 {
		seed += 1000
		next := genScope(seed)
		for i := range sc.services {
			if i < len(next.services) {
				sc.services[i].cents = append(sc.services[i].cents, next.services[i].cents...)
				sc.services[i].rec = append(sc.services[i].rec, next.services[i].rec...)
			}
		}
		sc.services = sc.services[:min(len(sc.services), len(next.services))]
	}
	cents, rec := sc.total()
	return split(sc.start, cents[:365], rec[:365])
}

// BenchmarkDetect judges the last day (a daily run) and all days (a
// backfill) of a 365-day series.
func BenchmarkDetect(b *testing.B) {
	days := yearSeries(7)
	today := todayAfterSeries(days)
	for _, lookback := range []int{1, 365} {
		b.Run(fmt.Sprintf("lookback=%d", lookback), func(b *testing.B) {
			p := Default()
			p.Lookback = lookback
			b.ReportAllocs()
			for b.Loop() {
				Detect(days, today, p)
			}
		})
	}
}

// BenchmarkExplain explains a day of a 365-day series by 3 dimensions of
// 200 values each.
func BenchmarkExplain(b *testing.B) {
	days := yearSeries(7)
	today := todayAfterSeries(days)
	breakdown := map[string]map[string][]Day{}
	for _, dim := range []string{"SubAccountId", "RegionId", "x_UsageType"} {
		breakdown[dim] = map[string][]Day{}
		for v := range 200 {
			breakdown[dim][fmt.Sprint(v)] = yearSeries(uint64(v + 1))
		}
	}
	for _, values := range breakdown { // the same days as the total
		for v, s := range values {
			for i := range s {
				s[i].Date = days[i].Date
			}
			values[v] = s
		}
	}
	f := Finding{Date: days[364].Date, Impact: hundredth}
	p := Default()
	b.ReportAllocs()
	for b.Loop() {
		Explain(f, breakdown, today, p, 5)
	}
}
