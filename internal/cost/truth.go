package cost

import (
	"strings"
	"time"
)

// Holder is a source's version of one billing account's billing period, as
// a store holds it: what the one-truth rules below are judged on, whatever
// the store.
type Holder struct {
	Source, Version string
	Rows            int64
	Billed          string // the period's BilledCost, as decimal text
}

// RefuseOthers is the rule "one truth per billing account and period": a
// load may replace another source's version only when asked to.
func RefuseOthers(load Load, period time.Time, hs []Holder) error {
	if load.Replace {
		return nil
	}
	for _, h := range hs {
		if h.Source != load.Source {
			return Errorf(EConflict, "billing period %s of billing account %s is already loaded from %s "+
				"(%d rows, %s %s); loading %s as well would count it twice. To replace it with this one, load again "+
				"with --replace; to keep loading the same report, name it with --report",
				period.Format("2006-01"), load.BillingAccount, h.Source, h.Rows, trimZeros(h.Billed), "billed", load.Origin)
		}
	}
	return nil
}

// RefuseEmpty keeps a delivery with no rows from wiping a month that holds
// cost, unless the load allows it.
func RefuseEmpty(load Load, p *PeriodResult, hs []Holder) error {
	if p.Rows > 0 || load.AllowEmpty {
		return nil
	}
	for _, h := range hs {
		if h.Rows > 0 {
			return Errorf(EConflict, "%s has no rows for billing period %s, which now holds %d rows "+
				"(%s billed) from %s; refusing to empty the month. If it really has no cost now, load again with --allow-empty",
				load.Origin, p.Start.Format("2006-01"), h.Rows, trimZeros(h.Billed), h.Source)
		}
	}
	return nil
}

// trimZeros shortens a decimal text for a message: 697.320000… → 697.32.
func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
