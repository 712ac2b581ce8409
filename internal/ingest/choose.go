package ingest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// choose keeps one report per billing account, because every report of an
// account bills the same cost: the one l.Report names, else the only one,
// else the one the store already holds the account's periods from. Each
// report left out is named in a warning, keyed by a delivery that is kept.
func (l *Loader) choose(ctx context.Context, found []*Delivery, where string) ([]*Delivery, map[*Delivery][]string, error) {
	if l.Report != "" {
		if names := reportNames(found); !slices.Contains(names, l.Report) {
			return nil, nil, cost.Errorf(cost.EInvalid, "there is no report named %q in %s; it holds %s",
				l.Report, where, strings.Join(names, ", "))
		}
	}
	var order []string
	groups := map[string][]*Delivery{}
	for _, d := range found {
		key := d.BillingAccount
		if key == "" { // the rows will say; each such report stands alone
			key = "\x00" + d.Report
		}
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], d)
	}
	keep := map[*Delivery]bool{}
	notes := map[*Delivery][]string{}
	var orphans []string // warnings about accounts of which nothing is kept
	for _, key := range order {
		ds := groups[key]
		names := reportNames(ds)
		pick, err := l.pick(ctx, ds, names, where)
		if err != nil {
			return nil, nil, err
		}
		var first *Delivery
		for _, d := range ds {
			if d.Report == pick {
				keep[d] = true
				first = cmp.Or(first, d)
			}
		}
		var warns []string
		for _, n := range names {
			if n != pick {
				warns = append(warns, l.leftOut(ds, n, pick))
			}
		}
		if first == nil {
			orphans = append(orphans, warns...)
		} else if len(warns) > 0 {
			notes[first] = warns
		}
	}
	var chosen []*Delivery
	for _, d := range found {
		if keep[d] {
			chosen = append(chosen, d)
		}
	}
	if len(orphans) > 0 && len(chosen) > 0 {
		notes[chosen[0]] = append(orphans, notes[chosen[0]]...)
	}
	return chosen, notes, nil
}

// pick names the report to load of one billing account's deliveries; ""
// loads none of them.
func (l *Loader) pick(ctx context.Context, ds []*Delivery, names []string, where string) (string, error) {
	if l.Report != "" {
		if slices.Contains(names, l.Report) {
			return l.Report, nil
		}
		return "", nil
	}
	if len(names) == 1 {
		return names[0], nil
	}
	var holding []string
	for _, n := range names {
		held, err := l.holds(ctx, ds, n)
		if err != nil {
			return "", err
		}
		if held {
			holding = append(holding, n)
		}
	}
	if len(holding) == 1 {
		return holding[0], nil
	}
	why := "none of them is loaded yet"
	if len(holding) > 1 {
		why = "the store holds periods of " + strings.Join(holding, " and ")
	}
	return "", cost.Errorf(cost.EConflict, "%s holds %d reports for billing account %s: %s. They bill the same cost, so "+
		"loading more than one would count it twice, and %s. Name the one to load with --report NAME, e.g. --report %s",
		where, len(names), ds[0].BillingAccount, strings.Join(names, ", "), why, names[0])
}

// holds reports whether the store holds a billing period of the report.
func (l *Loader) holds(ctx context.Context, ds []*Delivery, report string) (bool, error) {
	for _, d := range ds {
		if d.Report != report {
			continue
		}
		v, err := l.Store.LoadedVersion(ctx, d.Source, d.Period.Start)
		if err != nil {
			return false, err
		}
		if v != "" {
			return true, nil
		}
	}
	return false, nil
}

// leftOut is the warning about a report that was not loaded.
func (l *Loader) leftOut(ds []*Delivery, report, pick string) string {
	n, account := 0, ""
	for _, d := range ds {
		if d.Report == report {
			n++
			account = d.BillingAccount
		}
	}
	if pick == "" {
		return fmt.Sprintf("report %s (%d billing periods, billing account %s) was not loaded: --report names %s",
			report, n, account, l.Report)
	}
	return fmt.Sprintf("report %s (%d billing periods) was not loaded: billing account %s is loaded from report %s, "+
		"which bills the same cost; to load %s instead, name it with --report %s and add --replace", report, n, account, pick, report, report)
}

// reportNames lists the distinct report names of the deliveries, in order.
func reportNames(ds []*Delivery) []string {
	var names []string
	for _, d := range ds {
		if !slices.Contains(names, d.Report) {
			names = append(names, d.Report)
		}
	}
	return names
}
