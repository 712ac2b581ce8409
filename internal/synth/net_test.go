package synth

import (
	"math/big"
	"testing"
)

// TestNetColumnsDiscountEveryCommitmentBranch checks that with NetColumns
// every branch of the net amortized cost has a net value that differs from
// the gross one, so a reader that ignored a net column would miss the
// expected totals.
func TestNetColumnsDiscountEveryCommitmentBranch(t *testing.T) {
	b, _ := generate(t, Options{Seed: 3, RowsPerMonth: 20000, NetColumns: true})
	idx, rows := table(t, b)
	branches := map[string][2]string{
		"DiscountedUsage":         {"reservation/NetEffectiveCost", "reservation/EffectiveCost"},
		"SavingsPlanCoveredUsage": {"savingsPlan/NetSavingsPlanEffectiveCost", "savingsPlan/SavingsPlanEffectiveCost"},
		"RIFee":                   {"reservation/NetUnusedRecurringFee", "reservation/UnusedRecurringFee"},
		"SavingsPlanRecurringFee": {"savingsPlan/NetRecurringCommitmentForBillingPeriod", "savingsPlan/RecurringCommitmentForBillingPeriod"},
	}
	discounted, empty := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		typ := r[idx["lineItem/LineItemType"]]
		cols, ok := branches[typ]
		if !ok {
			continue
		}
		net, gross := r[idx[cols[0]]], r[idx[cols[1]]]
		switch {
		case net == "":
			empty[typ] = true
		case rat(t, net).Cmp(rat(t, gross)) != 0:
			discounted[typ] = true
		}
	}
	for typ, cols := range branches {
		if !discounted[typ] {
			t.Errorf("no %s row has a %s other than its %s", typ, cols[0], cols[1])
		}
	}
	if !empty["DiscountedUsage"] && !empty["SavingsPlanCoveredUsage"] {
		t.Error("no commitment-covered usage row without a net cost, to exercise the fallback to the gross column")
	}
}

// TestNetCostsAddUpToTheInvoice checks the EDP bookkeeping: every discount
// a net cost takes is on one EdpDiscount line (whose own net cost is 0), so
// the net costs add up to the unblended costs; and that the commitments'
// discount shows in the net amortized cost, below the amortized cost of the
// same data without net columns.
func TestNetCostsAddUpToTheInvoice(t *testing.T) {
	o := Options{Seed: 5, Months: 2, RowsPerMonth: 1200, NetColumns: true}
	b, net := generate(t, o)
	idx, rows := table(t, b)
	unblended := new(big.Rat)
	for _, r := range rows {
		unblended.Add(unblended, rat(t, r[idx["lineItem/UnblendedCost"]]))
	}
	if rat(t, net.BilledCost).Cmp(unblended) != 0 {
		t.Errorf("BilledCost %s, the unblended costs add up to %s", net.BilledCost, unblended.FloatString(17))
	}
	o.NetColumns = false
	_, gross := generate(t, o)
	if rat(t, net.EffectiveCost).Cmp(rat(t, gross.EffectiveCost)) >= 0 {
		t.Errorf("net amortized %s is not below amortized %s", net.EffectiveCost, gross.EffectiveCost)
	}
}
