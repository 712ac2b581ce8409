package synth

import (
	"encoding/csv"
	"io"
	"math/big"
	"sort"
	"strings"
	"testing"
)

// recounter recomputes the totals from CSV text alone, with math/big and the
// rules of aws-facts.md, so the generator's fast 128-bit sums are checked by
// an independent implementation. EffectiveCost is the net amortized cost
// where the file has net columns.
type recounter struct {
	rows  int64
	total recAcc
	list  *big.Rat
	by    map[string]map[string]*recAcc
}

type recAcc struct {
	rows        int64
	billed, eff big.Rat
}

func newRecounter() *recounter {
	rc := &recounter{list: new(big.Rat), by: map[string]map[string]*recAcc{}}
	for _, g := range []string{"period", "account", "service", "type", "day", "tag"} {
		rc.by[g] = map[string]*recAcc{}
	}
	return rc
}

func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r := new(big.Rat)
	if s == "" {
		return r
	}
	if _, ok := r.SetString(s); !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return r
}

// read counts every row of one CSV file (with its own header).
func (rc *recounter) read(t testing.TB, r io.Reader) []string {
	t.Helper()
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		t.Fatalf("read header: %v", err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return header
		}
		if err != nil {
			t.Fatalf("read row: %v", err)
		}
		rc.add(t, header, idx, rec)
	}
}

func (rc *recounter) add(t testing.TB, header []string, idx map[string]int, rec []string) {
	get := func(name string) string {
		if i, ok := idx[name]; ok {
			return rec[i]
		}
		return ""
	}
	num := func(name string) *big.Rat { return rat(t, get(name)) }
	billed := num("lineItem/UnblendedCost")
	if _, ok := idx["lineItem/NetUnblendedCost"]; ok && get("lineItem/NetUnblendedCost") != "" {
		billed = num("lineItem/NetUnblendedCost")
	}
	// EffectiveCost: the amortized formula, each column replaced by its net
	// counterpart where that cell is written; the rest cost their billed cost.
	netOr := func(net, gross string) *big.Rat {
		if get(net) != "" {
			return num(net)
		}
		return num(gross)
	}
	eff := billed
	switch get("lineItem/LineItemType") {
	case "SavingsPlanCoveredUsage":
		eff = netOr("savingsPlan/NetSavingsPlanEffectiveCost", "savingsPlan/SavingsPlanEffectiveCost")
	case "SavingsPlanRecurringFee":
		eff = new(big.Rat).Sub(num("savingsPlan/TotalCommitmentToDate"), num("savingsPlan/UsedCommitment"))
		const up, rec = "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "savingsPlan/RecurringCommitmentForBillingPeriod"
		const netUp, netRec = "savingsPlan/NetAmortizedUpfrontCommitmentForBillingPeriod", "savingsPlan/NetRecurringCommitmentForBillingPeriod"
		gross := new(big.Rat).Add(num(up), num(rec))
		if (get(netUp) != "" || get(netRec) != "") && gross.Sign() != 0 {
			eff.Mul(eff, new(big.Rat).Add(netOr(netUp, up), netOr(netRec, rec)))
			eff.Quo(eff, gross)
		}
	case "SavingsPlanNegation", "SavingsPlanUpfrontFee":
		eff = new(big.Rat)
	case "DiscountedUsage":
		eff = netOr("reservation/NetEffectiveCost", "reservation/EffectiveCost")
	case "RIFee":
		eff = new(big.Rat).Add(netOr("reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"),
			netOr("reservation/NetUnusedRecurringFee", "reservation/UnusedRecurringFee"))
	case "Fee":
		if get("reservation/ReservationARN") != "" {
			eff = new(big.Rat)
		}
	case "Refund":
		if get("lineItem/ProductCode") == "ComputeSavingsPlans" {
			eff = new(big.Rat)
		}
	}
	rc.rows++
	rc.list.Add(rc.list, num("pricing/publicOnDemandCost"))
	service := get("product/ProductName")
	if service == "" {
		service = get("lineItem/ProductCode")
	}
	keys := map[string][]string{
		"period":  {get("bill/BillingPeriodStartDate")[:7]},
		"account": {get("lineItem/UsageAccountId")},
		"service": {service},
		"type":    {get("lineItem/LineItemType")},
		"day":     {get("lineItem/UsageStartDate")[:10]},
	}
	for i, h := range header {
		if tag, ok := strings.CutPrefix(h, "resourceTags/"); ok && rec[i] != "" {
			keys["tag"] = append(keys["tag"], strings.TrimPrefix(tag, "user:")+"="+rec[i])
		}
	}
	rc.total.put(billed, eff)
	for g, ks := range keys {
		for _, k := range ks {
			a := rc.by[g][k]
			if a == nil {
				a = &recAcc{}
				rc.by[g][k] = a
			}
			a.put(billed, eff)
		}
	}
}

func (a *recAcc) put(billed, eff *big.Rat) {
	a.rows++
	a.billed.Add(&a.billed, billed)
	a.eff.Add(&a.eff, eff)
}

// compare reports every difference between the recount and got.
func (rc *recounter) compare(t testing.TB, got *Totals) {
	t.Helper()
	if got.Rows != rc.rows {
		t.Errorf("Rows = %d, recount %d", got.Rows, rc.rows)
	}
	eq := func(what, s string, want *big.Rat) {
		if r := rat(t, s); r.Cmp(want) != 0 {
			t.Errorf("%s = %s, recount %s", what, s, want.FloatString(17))
		}
	}
	eq("BilledCost", got.BilledCost, &rc.total.billed)
	eq("EffectiveCost", got.EffectiveCost, &rc.total.eff)
	eq("ListCost", got.ListCost, rc.list)
	for g, m := range map[string]map[string]Sum{
		"period": got.ByPeriod, "account": got.ByAccount, "service": got.ByService,
		"type": got.ByLineItemType, "day": got.ByDay, "tag": got.ByTag,
	} {
		want := rc.by[g]
		if gk, wk := sortedKeys(m), sortedKeys(want); strings.Join(gk, "|") != strings.Join(wk, "|") {
			t.Errorf("%s keys = %v, recount %v", g, gk, wk)
			continue
		}
		for k, s := range m {
			if s.Rows != want[k].rows {
				t.Errorf("%s[%s].Rows = %d, recount %d", g, k, s.Rows, want[k].rows)
			}
			eq(g+"["+k+"].BilledCost", s.BilledCost, &want[k].billed)
			eq(g+"["+k+"].EffectiveCost", s.EffectiveCost, &want[k].eff)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
