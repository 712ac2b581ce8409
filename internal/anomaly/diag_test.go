package anomaly

import (
	"fmt"
	"testing"
)

func TestDiag(t *testing.T) {
	if !*tune {
		t.Skip()
	}
	p := Default()
	cnt := map[string]int{}
	months := map[string]float64{}
	shown := 0
	for _, seed := range tuneSeeds {
		sc := genScope(seed)
		n := len(sc.services[0].cents)
		today := sc.start.AddDate(0, 0, n)
		q := p
		q.Lookback = n
		for si, s := range sc.services {
			cls := fmt.Sprintf("noise%d heavy=%v small=%v", int(s.noise*40)*25/10, s.heavy, s.level[0] < 30000)
			months[cls] += float64(n-14) / 30
			fs := Detect(series(sc.start, s.cents), today, q)
			for _, f := range fs {
				i := int(f.Date.Sub(sc.start).Hours() / 24)
				if f.Date.Day() == 1 {
					k := "first, no prev 1st"
					if i >= 35 {
						k = "first, prev 1st known"
						if false {
							shown++
							t.Logf("seed %d svc %d day %d %s exp %s act %s score %.1f noise %.3f heavy %v", seed, si, i, f.Date.Format("2006-01-02 Mon"), f.Expected.Fixed(2), f.Actual.Fixed(2), f.Score, s.noise, s.heavy)
						}
					}
					cnt[k]++
					continue
				}
				cnt[cls]++
				if shown < 40 && !s.heavy {
					shown++
					t.Logf("N seed %d svc %d day %d %s exp %s act %s score %.1f noise %.3f level %.0f", seed, si, i, f.Date.Format("2006-01-02 Mon"), f.Expected.Fixed(2), f.Actual.Fixed(2), f.Score, s.noise, s.level[i])
				}
			}
		}
	}
	for k, v := range cnt {
		t.Logf("%-40s %5d  %.3f/month", k, v, float64(v)/months[k])
	}
}
