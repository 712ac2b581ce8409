package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// One truth per billing account and billing period: whatever the source (a
// bucket's report, a single file, a connector), a period of a billing
// account has one current version, and an empty delivery does not silently
// empty a month that holds cost.

// holder is a source whose version of a billing period is loaded.
type holder struct {
	source, version string
	rows            int64
	billed          string
}

// holders returns who holds the billing period for the load: its own source,
// and any other source of the same billing account.
func holders(ctx context.Context, conn *sql.Conn, load cost.Load, period time.Time) ([]holder, error) {
	rows, err := conn.QueryContext(ctx, `SELECT source, version, row_count, CAST(billed_cost AS VARCHAR) FROM report_versions
		WHERE billing_period_start = CAST(? AS TIMESTAMP) AND (source = ? OR (? <> '' AND billing_account = ?)) ORDER BY source`,
		ts(period), load.Source, load.BillingAccount, load.BillingAccount)
	if err != nil {
		return nil, fmt.Errorf("read loaded versions: %w", err)
	}
	defer rows.Close()
	var out []holder
	for rows.Next() {
		var h holder
		if err := rows.Scan(&h.source, &h.version, &h.rows, &h.billed); err != nil {
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
		if err := refuseOthers(load, p, hs); err != nil {
			return err
		}
	}
	return nil
}

// refuseOthers is the rule "one truth per billing account and period": a
// load may replace another source's version only when asked to.
func refuseOthers(load cost.Load, period time.Time, hs []holder) error {
	if load.Replace {
		return nil
	}
	for _, h := range hs {
		if h.source != load.Source {
			return cost.Errorf(cost.EConflict, "billing period %s of billing account %s is already loaded from %s "+
				"(%d rows, %s %s); loading %s as well would count it twice. To replace it with this one, load again "+
				"with --replace; to keep loading the same report, name it with --report",
				period.Format("2006-01"), load.BillingAccount, h.source, h.rows, trimZeros(h.billed), "billed", load.Origin)
		}
	}
	return nil
}

// refuseEmpty keeps a delivery with no rows from wiping a month that holds
// cost, unless the load allows it.
func refuseEmpty(load cost.Load, p *cost.PeriodResult, hs []holder) error {
	if p.Rows > 0 || load.AllowEmpty {
		return nil
	}
	for _, h := range hs {
		if h.rows > 0 {
			return cost.Errorf(cost.EConflict, "%s has no rows for billing period %s, which now holds %d rows "+
				"(%s billed) from %s; refusing to empty the month. If it really has no cost now, load again with --allow-empty",
				load.Origin, p.Start.Format("2006-01"), h.rows, trimZeros(h.billed), h.source)
		}
	}
	return nil
}

// trimZeros shortens a DECIMAL(38,18) text for a message: 697.320000… → 697.32.
func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// replaceVersion deletes the rows the period held before this load (its own
// source's, and with load.Replace another source's of the same billing
// account) and records the new version.
func replaceVersion(ctx context.Context, conn *sql.Conn, load cost.Load, loadID int64, p *cost.PeriodResult, now time.Time) error {
	hs, err := holders(ctx, conn, load, p.Start)
	if err != nil {
		return err
	}
	if err := refuseOthers(load, p.Start, hs); err != nil {
		return err
	}
	if err := refuseEmpty(load, p, hs); err != nil {
		return err
	}
	month := p.Start.Format("2006-01")
	for _, h := range hs {
		for _, table := range append([]string{"cost_rows"}, rollups...) {
			if _, err := conn.ExecContext(ctx, `DELETE FROM `+table+` WHERE BillingPeriodStart = CAST(? AS TIMESTAMP) AND load_id IN
			(SELECT load_id FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP))`,
				ts(p.Start), h.source, ts(p.Start)); err != nil {
				return fmt.Errorf("delete old rows of %s: %w", month, err)
			}
		}
		if _, err := conn.ExecContext(ctx, `DELETE FROM report_versions WHERE source = ? AND billing_period_start = CAST(? AS TIMESTAMP)`,
			h.source, ts(p.Start)); err != nil {
			return fmt.Errorf("delete old version of %s: %w", month, err)
		}
		if h.source != load.Source {
			p.Replaced = append(p.Replaced, h.source)
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
