package anomaly

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// resource is one line of a generated bill: its dimension values and its
// days.
type resource struct {
	account, region, usage string
	days                   []Day
}

// breakdownOf sums the resources by each dimension's values, and in all.
func breakdownOf(rs []resource) ([]Day, map[string]map[string][]Day) {
	total := make([]Day, len(rs[0].days))
	b := map[string]map[string][]Day{"SubAccountId": {}, "RegionId": {}, "x_UsageType": {}}
	for _, r := range rs {
		for dim, v := range map[string]string{"SubAccountId": r.account, "RegionId": r.region, "x_UsageType": r.usage} {
			s, ok := b[dim][v]
			if !ok {
				s = make([]Day, len(r.days))
				for i, d := range r.days {
					s[i].Date = d.Date
				}
				b[dim][v] = s
			}
			for i, d := range r.days {
				s[i].Cost = s[i].Cost.Add(d.Cost)
			}
		}
		for i, d := range r.days {
			total[i].Date, total[i].Cost = d.Date, total[i].Cost.Add(d.Cost)
		}
	}
	return total, b
}

// TestExplain puts a spike into one account, region and usage type and a
// drop into another: the spike's values come first with its exact impact,
// ties ordered by dimension, and the drop's values, leaning the other
// way, are left out.
func TestExplain(t *testing.T) {
	rs := []resource{
		{"111111111111", "us-east-1", "BoxUsage:m5.large", flat(60, "400", "200")},
		{"222222222222", "eu-west-1", "DataTransfer-Out-Bytes", flat(60, "300", "300")},
		{"111111111111", "eu-west-1", "TimedStorage-ByteHrs", flat(60, "250", "250")},
		{"333333333333", "ap-south-1", "BoxUsage:c5.xlarge", flat(60, "500", "100")},
	}
	const day = 44                                                  // a Wednesday
	rs[3].days = set(rs[3].days, day, "2500")                       // the spike: +2000
	rs[1].days = set(rs[1].days, day, "0")                          // a drop elsewhere: −300
	rs[2].days[day].Cost = decimal.MustParse("250.000000000000001") // a hair up
	total, b := breakdownOf(rs)
	p := Default()
	fs := Detect(total, start.AddDate(0, 0, day+1), p)
	if len(fs) != 1 || fs[0].Impact.Cmp(decimal.MustParse("1700.000000000000001")) != 0 {
		t.Fatalf("Detect found %+v, want the day with an impact of 1700.000000000000001", fs)
	}
	got := Explain(fs[0], b, start.AddDate(0, 0, day+1), p, 4)
	var lines []string
	for _, c := range got {
		lines = append(lines, fmt.Sprintf("%s=%s %s→%s %s", c.Dimension, c.Value, c.Expected.Fixed(2), c.Actual.Fixed(2), c.Impact.String()))
	}
	want := []string{
		"RegionId=ap-south-1 500.00→2500.00 2000.0",
		"SubAccountId=333333333333 500.00→2500.00 2000.0",
		"x_UsageType=BoxUsage:c5.xlarge 500.00→2500.00 2000.0",
		"SubAccountId=111111111111 650.00→650.00 0.000000000000001",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("Explain gave\n%q\nwant\n%q", lines, want)
	}
	if all := Explain(fs[0], b, start.AddDate(0, 0, day+1), p, 0); len(all) != 5 {
		t.Errorf("Explain with n = 0 gave %d contributors, want the 5 with a positive impact", len(all))
	}
	missing := Finding{Date: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Impact: decimal.FromInt(1)}
	if c := Explain(missing, b, start.AddDate(0, 0, day+1), p, 3); len(c) != 0 {
		t.Errorf("Explain of a day outside the series gave %v", c)
	}
}
