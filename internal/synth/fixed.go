package synth

import (
	"math/big"
	"strconv"
)

// fx builds one period-level row: fees, credits, refunds, discounts, tax.
type fx struct {
	w    *worker
	p    *period
	v    vals
	acct int
	day  int
}

func (w *worker) fixed(dl *delivery, l lit, acct int, s svc) *fx {
	g, p, r := w.g, dl.p, &w.row
	*r = g.base
	w.scratch = w.scratch[:0]
	r[cInvoiceID] = dl.invoices[entityAWS]
	r[cBPStart], r[cBPEnd] = p.bpStart, p.bpEnd
	r[cLineItemID] = w.lineItemID()
	r[cTimeInterval] = p.monthInterval
	r[cUsageStart], r[cUsageEnd] = p.bpStart, p.bpEnd
	r[cUsageAmount] = w.num(dec{})
	f := &fx{w: w, p: p, acct: acct, v: vals{lit: l, svc: s, netCols: g.o.NetColumns}}
	f.set(cUsageAccount, g.accts[acct])
	f.set(cLineItemType, litNames[l])
	f.set(cProductCode, services[s].code)
	f.set(cProductName, services[s].name)
	if s != sMarketplace {
		f.set(cServicecode, services[s].code)
	}
	return f
}

func (f *fx) set(c col, s string) *fx { f.w.row[c] = esc(s); return f }

func (f *fx) num(c col, x dec) *fx { f.w.row[c] = f.w.num(x); return f }

// cost sets the unblended, blended and net cost.
func (f *fx) cost(x dec) *fx {
	f.v.unblended, f.v.net, f.v.hasNet = x, x, true
	c := f.w.num(x)
	f.w.row[cUnblendedCost], f.w.row[cBlendedCost], f.w.row[cNetCost] = c, c, c
	return f
}

func (f *fx) rate(x dec) *fx {
	c := f.w.num(x)
	f.w.row[cUnblendedRate], f.w.row[cBlendedRate], f.w.row[cNetRate] = c, c, c
	return f
}

// netCost overrides the net cost; a discount already spread into the usage
// rows' net costs nothing more.
func (f *fx) netCost(x dec) *fx {
	f.v.net = x
	return f.num(cNetCost, x)
}

// edp gives a commitment fee the EDP discount in its net cost, with
// Options.NetColumns, and adds it to the period's EDP line of the account
// and service, whose own net cost is 0.
func (f *fx) edp(st *pstats) *fx {
	if !f.v.netCols {
		return f
	}
	d := round10(mul(f.v.unblended, dec{-edpPercent, 2}))
	st.edp[f.acct*int(numSvc)+int(f.v.svc)] += d.m
	return f.netCost(add(f.v.unblended, d)).num(cDiscEdp, d).num(cDiscTotal, d)
}

func (f *fx) noNet() *fx {
	f.v.hasNet = false
	f.w.row[cNetCost], f.w.row[cNetRate] = nil, nil
	return f
}

func (f *fx) desc(usageType, op, d string) *fx {
	return f.set(cUsageType, usageType).set(cOperation, op).set(cDescription, d)
}

// purchase places the row at a random hour of the delivery, on the purchase
// invoice.
func (f *fx) purchase(dl *delivery) *fx {
	h := int(rnd(&f.w.rng, int64(dl.covered)))
	r := &f.w.row
	r[cTimeInterval], r[cUsageStart], r[cUsageEnd] = f.p.intervals[h], f.p.stamps[h], f.p.stamps[h+1]
	r[cInvoiceID] = dl.invoices[entityPurch]
	f.day = h / 24
	return f.set(cBillType, "Purchase")
}

func (f *fx) emit() { f.w.emit(f.p, f.day, f.acct, nil, &f.v) }

// money draws an amount in [lo, hi) cents.
func (w *worker) money(lo, hi int64) dec { return dec{lo + rnd(&w.rng, hi-lo), 2} }

// share is pct percent of x, at least floor in magnitude: credits, refunds
// and fees are sized from the period's spend so they stay plausible at any
// row count.
func share(x wide, pct int64, floor dec) dec {
	y := round10(mul(x.dec(maxScale), dec{pct, 2}))
	if smaller := money17(y).sub(money17(floor)).isNeg(); smaller != (floor.m < 0) {
		return floor
	}
	return y
}

// spendOf sums the usage spend of one account (all when acct < 0) and one
// service (all AWS services when s == numSvc).
func (g *gen) spendOf(st *pstats, acct int, s svc) wide {
	var x wide
	for i, v := range st.spend {
		a, si := i/int(numSvc), svc(i%int(numSvc))
		if (acct < 0 || a == acct) && (s == numSvc && si != sMarketplace || si == s) {
			x = x.add(v)
		}
	}
	return x
}

// monthly renders the period-level rows of dl from the facts of its usage.
func (w *worker) monthly(dl *delivery, st *pstats) {
	g := w.g
	w.rng.Seed(dl.seed, splitmix(1<<40))
	for i := range g.ris {
		w.riFee(dl, i, st)
	}
	w.purchases(dl, st)
	commit := w.savingsPlans(dl, st)
	w.adjustments(dl, st, commit)
	w.discountsAndTax(dl, st)
}

// purchases are the RI purchase (a Fee with a reservation ARN), support and
// a Marketplace subscription (Fees without).
func (w *worker) purchases(dl *delivery, st *pstats) {
	g := w.g
	all := g.spendOf(st, -1, numSvc)
	// one c6g.xlarge per $20k of monthly spend; small orgs buy a t3.micro
	x := all.dec(maxScale)
	it, region, upfront := "c6g.xlarge", &regions[1], dec{70100, 2}
	n := x.m / int64(pow10[x.s]) / 20000
	if n == 0 {
		it, region, upfront, n = "t3.micro", &regions[0], dec{5300, 2}, 1
	}
	f := w.fixed(dl, litFee, g.payer, sEC2).purchase(dl).
		desc(region.short+"HeavyUsage:"+it, "RunInstances", "Sign up charge for subscription: "+randInt(&w.rng, 1e8, 1e9)+", planId: "+randInt(&w.rng, 1e6, 1e7)).
		set(cRIARN, "arn:aws:ec2:"+region.code+":"+g.accts[g.payer]+":reserved-instances/"+uuid(&w.rng)).
		set(cTerm, "Reserved").set(cLeaseLength, "1yr").set(cPurchaseOption, "All Upfront").
		set(cInstanceType, it).set(cRegion, region.code).set(cLocation, region.location).
		num(cUsageAmount, dec{n, 0}).cost(mul(upfront, dec{n, 0})).edp(st)
	f.v.riARN = true
	f.emit()
	w.fixed(dl, litFee, g.payer, sSupport).desc("Dollar", "", "AWS Support (Business) 10% of monthly AWS usage for the first $0-$10K").
		num(cUsageAmount, dec{1, 0}).cost(share(all, 10, dec{100, 0})).emit()
	mp := w.fixed(dl, litFee, 1%len(g.o.Accounts), sMarketplace).
		desc("USE1-MP:Subscription", "", "Acme Observability Pro - annual subscription, monthly charge").
		set(cBillingEntity, "AWS Marketplace").set(cLegalEntity, mpSeller).num(cUsageAmount, dec{1, 0}).cost(w.money(1900, 9900))
	w.row[cInvoiceID] = dl.invoices[entityMP]
	mp.emit()
}

// adjustments are credits, refunds and the non-EDP discounts.
func (w *worker) adjustments(dl *delivery, st *pstats, commit dec) {
	g := w.g
	a1, a2, a3 := 1%len(g.o.Accounts), 2%len(g.o.Accounts), 3%len(g.o.Accounts)
	w.fixed(dl, litCredit, a1, sEC2).desc("", "", "AWS Activate Credits").
		cost(share(g.spendOf(st, a1, sEC2), -(2 + rnd(&w.rng, 5)), dec{-1, 0})).emit()
	w.fixed(dl, litCredit, a3, sS3).desc("", "", "AWS Promotional Credit").
		cost(share(g.spendOf(st, a3, numSvc), -1, dec{-50, 2})).noNet().emit()
	w.fixed(dl, litRefund, a2, sS3).set(cBillType, "Refund").
		desc("", "", "Refund for S3 request charges, case 1"+randInt(&w.rng, 1e8, 1e9)).
		cost(share(g.spendOf(st, a2, sS3), -20, dec{-50, 2})).emit()
	w.fixed(dl, litRefund, g.payer, sSavingsPlans).set(cBillType, "Refund").set(cSPARN, g.sp.arn).
		desc("ComputeSP:1yrNoUpfront", "", "Refund of Savings Plan charges").
		cost(mul(commit, dec{-1 - rnd(&w.rng, 24), 0})).emit()
	w.fixed(dl, litBundled, a1, sDataTransfer).desc("DataTransfer-Out-Bytes", "", "100 GB free data transfer out, bundled discount").
		cost(dec{-1 - rnd(&w.rng, 89999999999), 10}).emit()
	w.fixed(dl, litDiscount, a3, sEC2).desc("", "", "Volume discount").
		cost(share(g.spendOf(st, a3, sEC2), -1, dec{-1, 2})).emit()
}

// discountsAndTax are the EDP and private rate discounts (already spread
// into the usage rows' net cost, so their own net is 0) and VAT.
func (w *worker) discountsAndTax(dl *delivery, st *pstats) {
	g := w.g
	for a := range g.accts {
		if st.priv[a] != 0 {
			w.fixed(dl, litPrivateRate, a, sS3).desc("", "", "Private pricing discount for Amazon Simple Storage Service").
				cost(dec{st.priv[a], moneyScale}).netCost(dec{}).emit()
		}
	}
	for i, x := range st.edp {
		if x != 0 {
			s := svc(i % int(numSvc))
			w.fixed(dl, litEdp, i/int(numSvc), s).desc("", "", "Enterprise Program Discount for "+services[s].code).
				cost(dec{x, moneyScale}).netCost(dec{}).emit()
		}
	}
	for i, x := range st.spend {
		s := svc(i % int(numSvc))
		tax := round10(mul(x.dec(maxScale), dec{taxPercent, 2}))
		if s != sMarketplace && tax.m != 0 {
			w.fixed(dl, litTax, i/int(numSvc), s).desc("", "", "Tax for product code "+services[s].code).
				set(cTaxType, "VAT").num(cUsageAmount, dec{1, 0}).cost(tax).emit()
		}
	}
}

// riFee is the monthly fee of a Reserved Instance; the reservation count is
// sized from the hours actually used so unused hours are never negative.
func (w *worker) riFee(dl *delivery, i int, st *pstats) {
	p, ri, used := dl.p, &w.g.ris[i], st.riUsed[i]
	reg := &regions[ri.region]
	count := max(1, (used+int64(dl.covered)*1e10-1)/(int64(dl.covered)*1e10)) + rnd(&w.rng, 2)
	hours := count * int64(p.hours)
	unused := dec{hours*1e10 - used, moneyScale}
	f := w.fixed(dl, litRIFee, ri.owner, ri.svc).
		desc(ri.usageType, ri.op, "USD "+fmtRate(ri.recurring)+" hourly fee per "+ri.os+", "+ri.itype.name+" instance").
		set(cRegion, reg.code).set(cLocation, reg.location).
		set(cInstanceType, ri.itype.name).set(cTerm, "Reserved").set(cLeaseLength, "1yr").
		set(cOfferingClass, "standard").set(cPurchaseOption, "Partial Upfront").
		set(cRIARN, ri.arn).set(cRIStartTime, ri.start).set(cRIEndTime, ri.end).
		set(cRICount, strconv.FormatInt(count, 10)).set(cRIModification, "NotModified").
		num(cUsageAmount, dec{hours, 0}).rate(ri.recurring).cost(mul(ri.recurring, dec{hours, 0})).
		num(cRIAmortForPeriod, mul(ri.amort, dec{hours, 0})).
		num(cRIUpfrontValue, mul(ri.amort, dec{8760 * count, 0})).
		num(cRIUnusedQuantity, unused)
	f.v.riUnAmort, f.v.riUnRec = round10(mul(ri.amort, unused)), round10(mul(ri.recurring, unused))
	f.num(cRIUnusedAmort, f.v.riUnAmort).num(cRIUnusedRecurring, f.v.riUnRec)
	if f.v.netCols {
		f.v.riNetUnAmort, f.v.riNetUnRec = round10(mul(f.v.riUnAmort, commitmentKeep)), round10(mul(f.v.riUnRec, commitmentKeep))
		f.v.hasNetCommit = true
		f.edp(st).num(cRINetUnusedAmort, f.v.riNetUnAmort).num(cRINetUnusedRec, f.v.riNetUnRec)
	}
	f.emit()
}

// savingsPlans renders the purchase of a new plan and the monthly fee of the
// plan in use, whose commitment is sized just above what was used.
func (w *worker) savingsPlans(dl *delivery, st *pstats) dec {
	g, used := w.g, st.spUsed
	arn := "arn:aws:savingsplans::" + g.accts[g.payer] + ":savingsplan/" + uuid(&w.rng)
	// a new plan worth 5% of the current hourly use, at least $0.002 an hour
	hourly := dec{max(2, used/int64(dl.covered)/2e8), 3}
	w.fixed(dl, litSPUpfront, g.payer, sSavingsPlans).purchase(dl).
		desc("ComputeSP:1yrAllUpfront", "", "1 year All Upfront Compute Savings Plan").
		set(cSPARN, arn).set(cSPOfferingType, "ComputeSavingsPlans").set(cSPPaymentOption, "All Upfront").
		set(cSPPurchaseTerm, "1yr").num(cUsageAmount, dec{1, 0}).cost(mul(hourly, dec{8760, 0})).edp(st).emit()

	// commitment per hour, 3 decimals: 8% above the average hourly use
	c := new(big.Int).Mul(big.NewInt(used), big.NewInt(108))
	c.Quo(c, big.NewInt(int64(dl.covered)*100*1e7))
	commit := dec{c.Int64() + 1, 3}
	total := mul(commit, dec{int64(dl.covered), 0})
	f := w.fixed(dl, litSPRecurring, g.payer, sSavingsPlans).
		desc("ComputeSP:1yrNoUpfront", "", "1 year No Upfront Compute Savings Plan").
		set(cSPARN, g.sp.arn).set(cSPOfferingType, "ComputeSavingsPlans").set(cSPPaymentOption, "No Upfront").
		set(cSPPurchaseTerm, "1yr").set(cSPStartTime, g.sp.start).set(cSPEndTime, g.sp.end).
		num(cUsageAmount, dec{int64(dl.covered), 0}).rate(commit).cost(total).
		num(cSPTotalCommitment, total).num(cSPUsedCommitment, dec{used, moneyScale}).
		num(cSPRecurring, total).num(cSPAmortUpfront, dec{})
	f.v.spTotal, f.v.spUsed = total, dec{used, moneyScale}
	f.v.spUp, f.v.spRec = dec{}, total
	if f.v.netCols {
		f.v.spNetUp, f.v.spNetRec, f.v.hasNetCommit = dec{}, mul(total, commitmentKeep), true
		f.edp(st).num(cSPNetAmortUpfront, f.v.spNetUp).num(cSPNetRecurring, f.v.spNetRec)
	}
	f.emit()
	return commit
}
