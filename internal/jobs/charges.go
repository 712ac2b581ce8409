package jobs

import (
	"context"
	"io"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// postCharges posts each renewed connector's charge for the previous month
// on its billing subscription: 1% of the AWS billed cost it managed, per
// currency. It is idempotent: the load's version is the month and the
// managed cost, so a rerun that finds the same cost changes nothing, and a
// late CUR correction replaces the charge.
func (r *Runner) postCharges(ctx context.Context, conns []cost.Connector) error {
	now := r.opts.Clock.Now()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	prev := month.AddDate(0, -1, 0)
	for _, conn := range conns {
		if conn.State != cost.StateActive || conn.BillingSubscription == "" || conn.IsSource() {
			continue // the trial is free; a disabled connector is not charged; a source reads the customer's own exports
		}
		// What the connector manages is its billing account's whole bill.
		view, err := cost.ViewOf(cost.Scope{ID: conn.BillingAccount()}, nil)
		if err != nil {
			return err
		}
		res, err := r.opts.Costs.Query(ctx, view.Restrict(&cost.Query{From: prev, To: month, Granularity: cost.GranularityNone, Type: cost.CostActual}))
		if err != nil {
			return err
		}
		var rows []*cost.Row
		version := prev.Format("2006-01")
		for _, managed := range res.Rows {
			row, err := conn.MonthlyCharge(month, managed.Cost, managed.Currency)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			version += " " + managed.Cost.String() + " " + managed.Currency
		}
		source := "reckon-charge/" + conn.ID.Key()
		if loaded, err := r.opts.Costs.LoadedVersion(ctx, source, prev); err != nil || loaded == version {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := r.opts.Costs.ReplacePeriods(ctx, cost.Load{Source: source, Version: version, Origin: "connector charge", Periods: []time.Time{prev}},
			&rowList{rows: rows}); err != nil {
			return err
		}
		r.opts.Log.Info("posted connector charge", "connector", conn.ID, "month", prev.Format("2006-01"), "rows", len(rows))
	}
	return nil
}

// rowList is a RowSource over rows in memory.
type rowList struct{ rows []*cost.Row }

func (l *rowList) Next() (*cost.Row, error) {
	if len(l.rows) == 0 {
		return nil, io.EOF
	}
	r := l.rows[0]
	l.rows = l.rows[1:]
	return r, nil
}
