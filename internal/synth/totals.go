package synth

import "math/big"

// sum accumulates one group exactly at 10^-17.
type sum struct {
	rows        int64
	billed, eff wide
}

func (s *sum) add(billed, eff wide) {
	s.rows++
	s.billed = s.billed.add(billed)
	s.eff = s.eff.add(eff)
}

func (s *sum) merge(o sum) {
	s.rows += o.rows
	s.billed = s.billed.add(o.billed)
	s.eff = s.eff.add(o.eff)
}

func (s sum) export() Sum {
	return Sum{Rows: s.rows, BilledCost: s.billed.String(), EffectiveCost: s.eff.String()}
}

// tally holds every group of the totals as slices indexed by small integers,
// so counting a row costs a few 128-bit additions and no map lookups.
type tally struct {
	total  sum
	list   wide
	period []sum
	acct   []sum
	svc    [numSvc]sum
	lit    [numLIT]sum
	day    []sum
	tag    []sum
}

func (g *gen) newTally() *tally {
	return &tally{
		period: make([]sum, len(g.periods)),
		acct:   make([]sum, len(g.accts)),
		day:    make([]sum, len(g.dayKeys)),
		tag:    make([]sum, len(g.tagKeys)),
	}
}

func (t *tally) add(period, day, acct int, s svc, l lit, tags []int32, billed, eff, list wide) {
	t.total.add(billed, eff)
	t.list = t.list.add(list)
	t.period[period].add(billed, eff)
	t.acct[acct].add(billed, eff)
	t.svc[s].add(billed, eff)
	t.lit[l].add(billed, eff)
	t.day[day].add(billed, eff)
	for _, i := range tags {
		t.tag[i].add(billed, eff)
	}
}

func (t *tally) merge(o *tally) {
	t.total.merge(o.total)
	t.list = t.list.add(o.list)
	for i := range t.period {
		t.period[i].merge(o.period[i])
	}
	for i := range t.acct {
		t.acct[i].merge(o.acct[i])
	}
	for i := range t.svc {
		t.svc[i].merge(o.svc[i])
	}
	for i := range t.lit {
		t.lit[i].merge(o.lit[i])
	}
	for i := range t.day {
		t.day[i].merge(o.day[i])
	}
	for i := range t.tag {
		t.tag[i].merge(o.tag[i])
	}
}

// totals turns the tally into the exported form; groups without rows are
// left out.
func (g *gen) totals(t *tally) *Totals {
	out := &Totals{
		Rows:           t.total.rows,
		BilledCost:     t.total.billed.String(),
		EffectiveCost:  t.total.eff.String(),
		ListCost:       t.list.String(),
		ByPeriod:       map[string]Sum{},
		ByAccount:      map[string]Sum{},
		ByService:      map[string]Sum{},
		ByLineItemType: map[string]Sum{},
		ByDay:          map[string]Sum{},
		ByTag:          map[string]Sum{},
	}
	put := func(m map[string]Sum, key string, s sum) {
		if s.rows > 0 {
			m[key] = s.export()
		}
	}
	for i, p := range g.periods {
		put(out.ByPeriod, p.label, t.period[i])
	}
	for i, a := range g.accts {
		put(out.ByAccount, a, t.acct[i])
	}
	for i := range t.svc {
		put(out.ByService, serviceName(svc(i)), t.svc[i])
	}
	for i := range t.lit {
		put(out.ByLineItemType, litNames[i], t.lit[i])
	}
	for i, d := range g.dayKeys {
		put(out.ByDay, d, t.day[i])
	}
	for i, k := range g.tagKeys {
		put(out.ByTag, k, t.tag[i])
	}
	return out
}

// scaled is x×n/d exactly, at 10^-17: the generator writes commitments
// whose net share leaves no remainder. A zero d, or n = d, leaves x, as
// awscur does.
func scaled(x wide, n, d dec) wide {
	nb, db := money17(n).big(), money17(d).big()
	if db.Sign() == 0 || nb.Cmp(db) == 0 {
		return x
	}
	q, r := new(big.Int).QuoRem(new(big.Int).Mul(x.big(), nb), db, new(big.Int))
	if r.Sign() != 0 || q.BitLen() > 127 {
		panic("synth: a net commitment share is not exact at 10^-17")
	}
	lo := new(big.Int).And(new(big.Int).Abs(q), new(big.Int).SetUint64(^uint64(0))).Uint64()
	w := wide{lo, new(big.Int).Rsh(new(big.Int).Abs(q), 64).Uint64()}
	if q.Sign() < 0 {
		w = w.neg()
	}
	return w
}
