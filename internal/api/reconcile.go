package api

import (
	"cmp"
	"context"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// CostExplorer reads Cost Explorer's monthly totals per linked account
// through an AWS connector's role, for reconciliation. A server's Verifier
// offers it when it can: Cost Explorer is reached the way verification
// reaches AWS, so the API still imports no adapter.
type CostExplorer interface {
	CostExplorerTotals(ctx context.Context, conn cost.Connector, start, end time.Time, metrics ...cost.Metric) (map[cost.Metric]map[cost.MonthAccount]decimal.Decimal, error)
}

// reckonColumn names the FOCUS column each cost type sums, as reckon aws
// reconcile says it.
var reckonColumn = map[cost.CostType]string{
	cost.CostUnblended: "x_UnblendedCost",
	cost.CostActual:    "BilledCost",
	cost.CostAmortized: "EffectiveCost",
}

// reconciliation is the check of Reckon's totals against Cost Explorer's,
// per month and linked account, as `reckon aws reconcile --format json`
// prints it.
type reconciliation struct {
	Metric     cost.Metric              `json:"metric"`
	ReckonCost string                   `json:"reckonCost"`
	Rows       []cost.ReconciliationRow `json:"rows"`
	// Match is whether every row matches to the cent; true with no rows.
	Match bool `json:"match"`
}

// reconcileConnector compares the connector's billing account's cost per
// month and linked account with Cost Explorer's, for a Contributor on the
// connector (each Cost Explorer request is charged to the customer).
func (s *Server) reconcileConnector(c *call) (any, error) {
	conn, err := s.readConnector(c, cost.ActionVerify)
	if err != nil {
		return nil, err
	}
	if conn.IsSource() {
		return nil, cost.Errorf(cost.EInvalid, "%s is a %s source: only an AWS connector has Cost Explorer totals to reconcile with", conn.ID, conn.KindOf())
	}
	explorer, ok := s.opts.Verifier.(CostExplorer)
	if !ok {
		return nil, cost.Errorf(cost.EConflict, "this server does not reconcile connectors with Cost Explorer")
	}
	m := cost.Metric(cmp.Or(c.r.URL.Query().Get("metric"), string(cost.MetricUnblended)))
	costType, err := m.CostType()
	if err != nil {
		return nil, err
	}
	out := reconciliation{Metric: m, ReckonCost: reckonColumn[costType], Rows: []cost.ReconciliationRow{}, Match: true}
	var found bool
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		_, found, err = r.Scope(ctx, conn.BillingAccount())
		return err
	})
	if err != nil || !found {
		return out, err // not collected yet: nothing to compare
	}
	totals, start, end, err := s.monthlyTotals(c, conn.BillingAccount(), costType)
	if err != nil {
		return nil, err
	}
	if len(totals) == 0 {
		return out, nil // nothing collected yet: nothing to ask Cost Explorer
	}
	metrics := []cost.Metric{m}
	if m == cost.MetricAmortized {
		metrics = append(metrics, cost.MetricNetAmortized)
	}
	ce, err := explorer.CostExplorerTotals(c.ctx(), conn, start, end, metrics...)
	if err != nil {
		return nil, err
	}
	if m == cost.MetricAmortized {
		if err := cost.AmortizedComparable(ce[m], ce[cost.MetricNetAmortized], cost.HalfCent); err != nil {
			return nil, err
		}
	}
	out.Rows = cost.Reconcile(totals, ce[m], cost.HalfCent)
	for _, r := range out.Rows {
		out.Match = out.Match && r.Match
	}
	return out, nil
}

// monthlyTotals sums the scope's cost of costType per month and linked
// account (SubAccountId), for a caller who may read the scope, and returns
// the months' span [start, end).
func (s *Server) monthlyTotals(c *call, scope cost.ScopeID, costType cost.CostType) (map[cost.MonthAccount]decimal.Decimal, time.Time, time.Time, error) {
	totals := map[cost.MonthAccount]decimal.Decimal{}
	var start, end time.Time
	q := &cost.Query{Granularity: cost.GranularityMonthly, Type: costType, GroupBy: []cost.Dimension{{Column: "SubAccountId"}}, Whole: true}
	if err := q.Validate(); err != nil {
		return nil, start, end, err
	}
	err := s.overView(c, scope, q, func(on *cost.Query) error {
		clear(totals)
		if on == nil {
			return nil
		}
		return s.costs.Each(c.ctx(), on, func(r *cost.ResultRow) error {
			k := cost.MonthAccount{Month: r.Date.Format("2006-01"), Account: r.Groups[0]}
			totals[k] = totals[k].Add(r.Cost)
			if start.IsZero() || r.Date.Before(start) {
				start = r.Date
			}
			if next := r.Date.AddDate(0, 1, 0); next.After(end) {
				end = next
			}
			return nil
		})
	})
	return totals, start, end, err
}
