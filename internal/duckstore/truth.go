package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// One truth per billing account and billing period: whatever the source (a
// bucket's report, a single file, a connector), a period of a billing
// account has one current version, and an empty delivery does not silently
// empty a month that holds cost.

// holders returns who holds the billing period for the load: its own source,
// and any other source of the same billing account.
func holders(ctx context.Context, conn *sql.Conn, load cost.Load, period time.Time) ([]cost.Holder, error) {
	rows, err := conn.QueryContext(ctx, `SELECT source, version, row_count, CAST(billed_cost AS VARCHAR) FROM report_versions
		WHERE billing_period_start = CAST(? AS TIMESTAMP) AND (source = ? OR (? <> '' AND billing_account = ?)) ORDER BY source`,
		ts(period), load.Source, load.BillingAccount, load.BillingAccount)
	if err != nil {
		return nil, fmt.Errorf("read loaded versions: %w", err)
	}
	defer rows.Close()
	var out []cost.Holder
	for rows.Next() {
		var h cost.Holder
		if err := rows.Scan(&h.Source, &h.Version, &h.Rows, &h.Billed); err != nil {
			return nil, fmt.Errorf("read loaded versions: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// checkHolders refuses, before any row is read, a load whose billing
// periods another source of the same billing account already holds.
func checkHolders(ctx context.Context, conn *sql.Conn, load cost.Load, periods []time.Time) error {
	for _, p := range periods {
		hs, err := holders(ctx, conn, load, p.UTC())
		if err != nil {
			return err
		}
		if err := cost.RefuseOthers(load, p, hs); err != nil {
			return err
		}
	}
	return nil
}

// replaceVersion deletes the rows the period held before this load (its own
// source's, and with load.Replace another source's of the same billing
// account) and records the new version.
func replaceVersion(ctx context.Context, conn *sql.Conn, load cost.Load, loadID int64, p *cost.PeriodResult, now time.Time) error {
	hs, err := holders(ctx, conn, load, p.Start)
	if err != nil {
		return err
	}
	if err := cost.RefuseOthers(load, p.Start, hs); err != nil {
		return err
	}
	if err := cost.RefuseEmpty(load, p, hs); err != nil {
		return err
	}
	month := p.Start.Format("2006-01")
	for _, h := range hs {
		for _, table := range append([]string{"cost_rows"}, rollups...) {
			if _, err := conn.ExecContext(ctx, `DELETE FROM `+table+` WHERE BillingPeriodStart = CAST(? AS TIMESTAMP) AND load_id IN
			(SELECT load_id FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP))`,
				ts(p.Start), h.Source, ts(p.Start)); err != nil {
				return fmt.Errorf("delete old rows of %s: %w", month, err)
			}
		}
		if _, err := conn.ExecContext(ctx, `DELETE FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP)`,
			h.Source, ts(p.Start)); err != nil {
			return fmt.Errorf("delete old version of %s: %w", month, err)
		}
		if h.Source != load.Source {
			p.Replaced = append(p.Replaced, h.Source)
		}
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO report_versions
		(source, billing_period_start, billing_period_end, version, load_id, row_count, billed_cost, origin, loaded_at, billing_account)
		VALUES (?, CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), ?, ?, ?, CAST(? AS DECIMAL(38,18)), ?, CAST(? AS TIMESTAMP), ?)`,
		load.Source, ts(p.Start), ts(p.End), load.Version, loadID, p.Rows, p.BilledCost.String(), load.Origin, ts(now),
		nullIfEmpty(load.BillingAccount)); err != nil {
		return fmt.Errorf("record version of %s: %w", month, err)
	}
	return nil
}
