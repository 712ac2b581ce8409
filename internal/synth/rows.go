package synth

import "math/rand/v2"

// vals are the money fields of one row, as written. billed and effective
// apply the product's rules to them, independently of how they were made.
type vals struct {
	lit       lit
	svc       svc
	riARN     bool
	unblended dec
	net       dec
	hasNet    bool
	public    dec
	spEff     dec
	spTotal   dec
	spUsed    dec
	spUp      dec // savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod
	spRec     dec // savingsPlan/RecurringCommitmentForBillingPeriod
	riEff     dec
	riUnAmort dec
	riUnRec   dec
	// netCols is Options.NetColumns; hasNetCommit says the row's
	// commitment columns have their net counterparts, which are below.
	netCols      bool
	hasNetCommit bool
	spNetEff     dec
	spNetUp      dec
	spNetRec     dec
	riNetEff     dec
	riNetUnAmort dec
	riNetUnRec   dec
}

// billed is lineItem/NetUnblendedCost when present, else UnblendedCost.
func (v *vals) billed(netColumns bool) wide {
	if netColumns && v.hasNet {
		return money17(v.net)
	}
	return money17(v.unblended)
}

// effective is the amortized cost formula of aws-facts.md, net of
// discounts where the row has net columns: each branch reads the net
// counterparts of its columns when they are written, and the rest cost
// their billed cost. A Savings Plan's unused commitment is scaled by its
// net to gross commitment.
func (v *vals) effective() wide {
	net := v.netCols && v.hasNetCommit
	switch v.lit {
	case litSPCovered:
		if net {
			return money17(v.spNetEff)
		}
		return money17(v.spEff)
	case litSPRecurring:
		unused := money17(v.spTotal).sub(money17(v.spUsed))
		if net {
			return scaled(unused, add(v.spNetUp, v.spNetRec), add(v.spUp, v.spRec))
		}
		return unused
	case litSPNegation, litSPUpfront:
		return wide{}
	case litDiscounted:
		if net {
			return money17(v.riNetEff)
		}
		return money17(v.riEff)
	case litRIFee:
		if net {
			return money17(v.riNetUnAmort).add(money17(v.riNetUnRec))
		}
		return money17(v.riUnAmort).add(money17(v.riUnRec))
	case litFee:
		if v.riARN {
			return wide{}
		}
	case litRefund:
		if v.svc == sSavingsPlans {
			return wide{}
		}
	}
	return v.billed(v.netCols)
}

// pstats are the period facts the monthly rows are derived from.
type pstats struct {
	riUsed [2]int64 // reserved hours used, 10 decimals
	spUsed int64    // Savings Plan effective cost, 10 decimals
	spend  []wide   // unblended usage per account×service, for tax
	edp    []int64  // EDP discount per account×service, 10 decimals
	priv   []int64  // private rate discount per account, 10 decimals
}

func (g *gen) newStats() *pstats {
	n := len(g.accts) * int(numSvc)
	return &pstats{spend: make([]wide, n), edp: make([]int64, n), priv: make([]int64, len(g.accts))}
}

func (s *pstats) merge(o *pstats) {
	for i := range s.riUsed {
		s.riUsed[i] += o.riUsed[i]
	}
	s.spUsed += o.spUsed
	for i := range s.spend {
		s.spend[i] = s.spend[i].add(o.spend[i])
		s.edp[i] += o.edp[i]
	}
	for i := range s.priv {
		s.priv[i] += o.priv[i]
	}
}

// worker renders rows. Each hour reseeds its generator, so an hour's rows
// depend only on the options, the delivery and the hour.
type worker struct {
	g       *gen
	rng     rand.PCG
	row     row
	scratch []byte
	out     []byte
	t       *tally
	st      *pstats
}

func (g *gen) newWorker(t *tally) *worker {
	return &worker{g: g, t: t, scratch: make([]byte, 0, 4096)}
}

// num renders a money or usage value into the row's scratch space.
func (w *worker) num(x dec) []byte {
	n := len(w.scratch)
	w.scratch = appendDec(w.scratch, pad(x))
	return w.scratch[n:]
}

// lineItemID renders a 52-character base32 id like the real ones.
func (w *worker) lineItemID() []byte {
	const a = "abcdefghijklmnopqrstuvwxyz234567"
	n := len(w.scratch)
	for i := 0; i < 52; i += 12 {
		x := w.rng.Uint64()
		for j := i; j < min(i+12, 52); j++ {
			w.scratch = append(w.scratch, a[x&31])
			x >>= 5
		}
	}
	return w.scratch[n:]
}

// hours renders hours [h0, h1) of dl.
func (w *worker) hours(dl *delivery, h0, h1 int) {
	pool := w.g.pool
	for h := h0; h < h1; h++ {
		w.rng.Seed(dl.seed, splitmix(uint64(h)))
		k, off := dl.slotsAt(h), int(rnd(&w.rng, int64(len(pool))))
		if h == 0 {
			k, off = max(k, guaranteedKinds), 0
		}
		for j := range k {
			w.usage(dl, h, pool[(off+j)%len(pool)], h > 0 || j >= guaranteedKinds)
		}
	}
}

func (w *worker) amount(m *meter, hours int) dec {
	r := &w.rng
	switch m.shape {
	case shHour:
		if m.lo == 1 || rnd(r, 100) < 92 {
			return dec{1, 0}
		}
		secs := 60 + rnd(r, 3540) // per-second billing: a partial hour
		return dec{(secs*2e10 + 3600) / 7200, 10}
	case shStorage:
		size, h := int64(pow10[m.us])*(m.lo+rnd(r, m.lo/50+1)), int64(hours)
		q := size / h
		if 2*(size%h) >= h {
			q++
		}
		return dec{q, m.us}
	case shRandom:
		return dec{m.lo + rnd(r, m.hi-m.lo), m.us}
	}
	return dec{m.lo + rnd(r, m.hi-m.lo), 0}
}

// usage renders one usage row of meter m in hour h, and its negation when
// a Savings Plan covers it.
func (w *worker) usage(dl *delivery, h int, m *meter, mayOmitNet bool) {
	g, p, r := w.g, dl.p, &w.row
	*r = m.tmpl
	w.scratch = w.scratch[:0]
	r[cInvoiceID] = dl.invoices[m.entity]
	r[cBPStart], r[cBPEnd] = p.bpStart, p.bpEnd
	r[cLineItemID] = w.lineItemID()
	r[cTimeInterval] = p.intervals[h]
	r[cUsageStart], r[cUsageEnd] = p.stamps[h], p.stamps[h+1]
	u := w.amount(m, p.hours)
	r[cUsageAmount] = w.num(u)
	if m.nf.m != 0 {
		r[cNormUsage] = w.num(mul(u, m.nf))
	}
	od := mul(u, m.rate)
	v := vals{lit: m.lit, svc: m.svc, unblended: od, public: od}
	r[cPublicODCost] = w.num(od)
	switch m.lit {
	case litDiscounted:
		ri := &g.ris[m.ri]
		v.unblended = dec{}
		amort, rec := round10(mul(u, ri.amort)), round10(mul(u, ri.recurring))
		v.riEff = add(amort, rec)
		r[cRIAmortForUsage], r[cRIRecurringForUsage] = w.num(amort), w.num(rec)
		r[cRIEffectiveCost] = w.num(v.riEff)
		w.st.riUsed[m.ri] += pad(u).m
	case litSPCovered:
		v.spEff = round10(mul(u, m.spRate))
		r[cSPEffectiveCost] = w.num(v.spEff)
		w.st.spUsed += v.spEff.m
	}
	r[cUnblendedCost] = w.num(v.unblended)
	r[cBlendedCost] = r[cUnblendedCost]
	v.net, v.hasNet = v.unblended, true
	key := m.acct*int(numSvc) + int(m.svc)
	if mayOmitNet && rnd(&w.rng, 1000) < 3 {
		v.hasNet = false
		r[cNetRate] = nil
	} else if m.edp {
		edp := round10(mul(v.unblended, dec{-edpPercent, 2}))
		total := edp
		w.st.edp[key] += edp.m
		r[cDiscEdp] = w.num(edp)
		if m.private {
			priv := round10(mul(v.unblended, dec{-privatePct, 2}))
			total = add(total, priv)
			w.st.priv[m.acct] += priv.m
			r[cDiscPrivateRate] = w.num(priv)
		}
		r[cDiscTotal] = w.num(total)
		v.net = add(v.unblended, total)
	}
	w.netCommitment(m, &v)
	if v.hasNet {
		r[cNetCost] = w.num(v.net)
	}
	w.st.spend[key] = w.st.spend[key].add(money17(v.unblended))
	w.emit(p, h/24, m.acct, m.tags, &v)
	if m.negation != nil {
		w.negation(dl, h, m, u, od)
	}
}

func (w *worker) negation(dl *delivery, h int, m *meter, u, od dec) {
	p, r := dl.p, &w.row
	*r = *m.negation
	w.scratch = w.scratch[:0]
	r[cInvoiceID] = dl.invoices[m.entity]
	r[cBPStart], r[cBPEnd] = p.bpStart, p.bpEnd
	r[cLineItemID] = w.lineItemID()
	r[cTimeInterval] = p.intervals[h]
	r[cUsageStart], r[cUsageEnd] = p.stamps[h], p.stamps[h+1]
	r[cUsageAmount] = w.num(u)
	if m.nf.m != 0 {
		r[cNormUsage] = w.num(mul(u, m.nf))
	}
	v := vals{lit: litSPNegation, svc: m.svc, unblended: od.neg(), hasNet: true}
	v.net = v.unblended
	r[cUnblendedCost] = w.num(v.unblended)
	r[cBlendedCost], r[cNetCost] = r[cUnblendedCost], r[cUnblendedCost]
	key := m.acct*int(numSvc) + int(m.svc)
	w.st.spend[key] = w.st.spend[key].add(money17(v.unblended))
	w.emit(p, h/24, m.acct, m.tags, &v)
}

// emit counts the row and appends it to the output.
func (w *worker) emit(p *period, day, acct int, tags []int32, v *vals) {
	if w.t != nil {
		w.t.add(p.idx, p.dayBase+day, acct, v.svc, v.lit, tags, v.billed(w.g.o.NetColumns), v.effective(), money17(v.public))
	}
	if w.g.o.Cardinality == HighCardinality {
		w.distinct()
	}
	w.out = appendRow(w.out, w.g.cols, &w.row)
}
