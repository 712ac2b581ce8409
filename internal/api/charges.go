package api

import (
	"context"
	"io"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Loader is the part of the store that takes cost rows.
type Loader interface {
	LoadedVersion(ctx context.Context, source string, period time.Time) (string, error)
	ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (cost.LoadResult, error)
}

// postCharges posts each renewed connector's charge for the previous month
// on its billing subscription: 1% of the AWS billed cost it managed, per
// currency. It is idempotent: the load's version is the month and the
// managed cost, so a rerun that finds the same cost changes nothing, and a
// late CUR correction replaces the charge.
func (s *Server) postCharges(ctx context.Context, conns []cost.Connector) error {
	now := s.clock.Now()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	prev := month.AddDate(0, -1, 0)
	for _, conn := range conns {
		if conn.State != cost.StateActive || conn.BillingSubscription == "" {
			continue // the trial is free; a disabled connector is not charged
		}
		res, err := s.store.Query(ctx, &cost.Query{From: prev, To: month, Granularity: cost.GranularityNone, Type: cost.CostActual,
			Filters: []cost.Filter{{Dimension: cost.Dimension{Column: "BillingAccountId"}, Values: []string{conn.Account()}}}})
		if err != nil {
			return err
		}
		var rows []*cost.Row
		version := prev.Format("2006-01")
		for _, r := range res.Rows {
			managed, currency := r[0].(decimal.Decimal), r[1].(string)
			row, err := conn.MonthlyCharge(month, managed, currency)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			version += " " + managed.String() + " " + currency
		}
		source := "reckon-charge/" + conn.ID.Key()
		if loaded, err := s.store.LoadedVersion(ctx, source, prev); err != nil || loaded == version {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := s.store.ReplacePeriods(ctx, cost.Load{Source: source, Version: version, Origin: "connector charge", Periods: []time.Time{prev}},
			&rowList{rows: rows}); err != nil {
			return err
		}
		s.log.Info("posted connector charge", "connector", conn.ID, "month", prev.Format("2006-01"), "rows", len(rows))
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
