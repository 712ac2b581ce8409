package synth

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// gen holds everything shared by the rows of one Options: accounts, the
// resource pool, reservations and the billing periods.
type gen struct {
	o       Options
	cols    []col
	accts   []string // usage accounts, then the payer if it is not one
	payer   int
	base    row
	pool    []*meter
	tagKeys []string
	tagIdx  map[string]int32
	ris     [2]riDef
	sp      spDef
	periods []*period
	dayKeys []string
	slots   int // usage slots of a full billing period
}

// riDef is a Reserved Instance the organisation holds for the whole run.
type riDef struct {
	itype             itype
	region, owner     int
	svc               svc
	arn, start, end   string
	amort, recurring  dec // per hour
	usageType, op, os string
}

type spDef struct{ arn, start, end string }

// period is one billing period, with its timestamps rendered once.
type period struct {
	idx            int
	start, end     time.Time
	label          string // 2026-08
	rangeKey       string // 20260801-20260901
	hours, days    int
	coveredDays    int // days the newest delivery covers
	closed         bool
	dayBase        int // index of its first day in gen.dayKeys
	stamps         [][]byte
	intervals      [][]byte
	monthInterval  []byte
	bpStart, bpEnd []byte
	invoices       [3][]byte
}

// delivery is one version of one billing period.
type delivery struct {
	p        *period
	v        int
	covered  int // hours
	seed     uint64
	slots    int
	invoices [3][]byte // empty until the period is final
}

const stampLayout = "2006-01-02T15:04:05Z"

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func seedOf(parts ...uint64) uint64 {
	h := uint64(0x5eed)
	for _, p := range parts {
		h = splitmix(h ^ p)
	}
	return h
}

func newRand(parts ...uint64) *rand.PCG {
	s := seedOf(parts...)
	return rand.NewPCG(s, splitmix(s))
}

func newGen(o Options) (*gen, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &gen{o: o, cols: activeColumns(o.NetColumns, o.Cardinality == HighCardinality), tagIdx: map[string]int32{}}
	g.accts = append(g.accts, o.Accounts...)
	g.payer = len(g.accts)
	for i, a := range g.accts {
		if a == o.Payer {
			g.payer = i
		}
	}
	if g.payer == len(g.accts) {
		g.accts = append(g.accts, o.Payer)
	}
	for _, c := range []struct {
		c col
		v string
	}{
		{cInvoicingEntity, emea}, {cBillingEntity, "AWS"}, {cLegalEntity, emea},
		{cBillType, "Anniversary"}, {cPayer, o.Payer}, {cCurrency, "USD"},
	} {
		g.base[c.c] = esc(c.v)
	}
	r := newRand(uint64(o.Seed), 1)
	g.commitments(r)
	g.buildPeriods(r)
	g.buildPool(r)
	return g, nil
}

func uuid(r *rand.PCG) string {
	h := hexID(r, 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// commitments creates the Reserved Instances and the Savings Plan, bought
// before the first period.
func (g *gen) commitments(r *rand.PCG) {
	bought := g.o.Start.AddDate(0, -5, 13).Add(9*time.Hour + 12*time.Minute + 44*time.Second)
	start := bought.Format("2006-01-02T15:04:05.000Z")
	end := bought.AddDate(1, 0, 0).Format("2006-01-02T15:04:05.000Z")
	payer := g.accts[g.payer]
	g.ris[0] = riDef{itype: ec2Types[0], region: 0, owner: g.payer, svc: sEC2,
		arn:   "arn:aws:ec2:us-east-1:" + payer + ":reserved-instances/" + uuid(r),
		start: start, end: end, amort: dec{271, 4}, recurring: dec{287, 4},
		usageType: "HeavyUsage:m5.large", op: "RunInstances", os: "Linux/UNIX (Amazon VPC)"}
	owner := min(2, len(g.o.Accounts)-1)
	g.ris[1] = riDef{itype: rdsTypes[0], region: 1, owner: owner, svc: sRDS,
		arn:   "arn:aws:rds:eu-west-1:" + g.accts[owner] + ":ri:reckon-pg-" + hexID(r, 8),
		start: start, end: end, amort: dec{690, 4}, recurring: dec{720, 4},
		usageType: "EU-HeavyUsage:db.r6g.large", op: "CreateDBInstance:0014", os: "PostgreSQL"}
	g.sp = spDef{arn: "arn:aws:savingsplans::" + payer + ":savingsplan/" + uuid(r), start: start, end: end}
}

func (g *gen) buildPeriods(r *rand.PCG) {
	o := g.o
	for i := range o.Months {
		start := o.Start.AddDate(0, i, 0)
		end := start.AddDate(0, 1, 0)
		p := &period{idx: i, start: start, end: end, label: start.Format("2006-01"),
			rangeKey: start.Format("20060102") + "-" + end.Format("20060102"),
			hours:    int(end.Sub(start) / time.Hour), dayBase: len(g.dayKeys)}
		p.days = p.hours / 24
		p.coveredDays, p.closed = p.days, i < o.Months-1
		if !o.Now.IsZero() {
			p.closed = !o.Now.Before(end)
			if !p.closed {
				p.coveredDays = max(1, int(o.Now.Sub(start)/(24*time.Hour)))
			}
		}
		for h := 0; h <= p.hours; h++ {
			p.stamps = append(p.stamps, []byte(start.Add(time.Duration(h)*time.Hour).Format(stampLayout)))
		}
		for h := range p.hours {
			p.intervals = append(p.intervals, append(append(append([]byte(nil), p.stamps[h]...), '/'), p.stamps[h+1]...))
		}
		p.monthInterval = append(append(append([]byte(nil), p.stamps[0]...), '/'), p.stamps[p.hours]...)
		p.bpStart, p.bpEnd = p.stamps[0], p.stamps[p.hours]
		yy := start.Format("06")
		for e := range p.invoices {
			p.invoices[e] = []byte("EUINIE" + yy + "-" + strconv.FormatInt(100000+rnd(r, 900000), 10))
		}
		for d := range p.days {
			g.dayKeys = append(g.dayKeys, start.AddDate(0, 0, d).Format("2006-01-02"))
		}
		g.periods = append(g.periods, p)
	}
}

// buildPool creates the resources. Its first meters are the guaranteed ones,
// then one of every kind, then a weighted random mix.
func (g *gen) buildPool(r *rand.PCG) {
	// Rows of a full period: usage slots (a Savings Plan slot makes two rows)
	// plus about one fee, discount and tax row per account and service.
	fixed := min(g.o.RowsPerMonth/3, 14+12*len(g.o.Accounts))
	g.slots = max(guaranteedKinds, (g.o.RowsPerMonth-fixed)*100/108)
	perHour := g.slots/(28*24) + 1
	// Twice the busiest hour, so no resource bills twice in an hour, up to a
	// cap that keeps memory flat for huge reports (which then repeat).
	size := min(max(40+len(kinds), 2*perHour+16), 1<<14)
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	for i := range size {
		k := i - guaranteedKinds
		switch {
		case i < guaranteedKinds:
			k = i
		case k >= len(kinds):
			x := int(rnd(r, int64(total)))
			for k = 0; x >= kinds[k].weight; k++ {
				x -= kinds[k].weight
			}
		}
		// Skewed towards the later linked accounts: payers run little.
		n := int64(len(g.o.Accounts))
		acct := int(max(rnd(r, n), rnd(r, n)))
		if i == 0 {
			acct = g.payer % len(g.o.Accounts)
		}
		b := &mb{g: g, r: r}
		kinds[k].build(b, acct)
		g.pool = append(g.pool, b.finish())
	}
	rest := g.pool[guaranteedKinds:]
	for i := len(rest) - 1; i > 0; i-- {
		j := rnd(r, int64(i+1))
		rest[i], rest[j] = rest[j], rest[i]
	}
}

// delivery returns version v of period p.
func (g *gen) delivery(p *period, v int) *delivery {
	n := g.o.Versions
	days := (p.coveredDays*(v+1) + n - 1) / n
	dl := &delivery{p: p, v: v, covered: days * 24,
		seed: seedOf(uint64(g.o.Seed), uint64(p.idx), uint64(v), 2)}
	dl.slots = int(int64(g.slots) * int64(dl.covered) / int64(p.hours))
	if p.closed && v == n-1 {
		dl.invoices = p.invoices
	}
	return dl
}

// slotsAt is how many usage meters bill in hour h of dl.
func (dl *delivery) slotsAt(h int) int {
	s, c := int64(dl.slots), int64(dl.covered)
	return int(s*int64(h+1)/c - s*int64(h)/c)
}
