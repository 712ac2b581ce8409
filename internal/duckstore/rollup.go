package duckstore

import (
	"context"
	"database/sql"
	"fmt"
)

// rollups are the tables that sum cost_rows (migration 007); each is
// written and deleted with the rows it sums.
var rollups = []string{"cost_daily", "cost_daily_resources", "cost_monthly", "cost_monthly_resources"}

// rowsPerKey is how many rows a load must have per resource and per tag
// set for its rollups to be worth their cost (migration 007); a load of
// fewer than minUnrolled rows is rolled up whatever its keys, as it costs
// little. (A variable for the tests.)
const rowsPerKey = 8

var minUnrolled int64 = 1 << 16

// rollUp adds the load's rows to the rollups, inside conn's transaction:
// the rollups commit with the rows they sum. A load of at least minUnrolled rows with fewer than
// rowsPerKey rows per resource or per tag set gets none; it is recorded in unrolled_loads, and queries
// read its rows from cost_rows.
func rollUp(ctx context.Context, conn *sql.Conn, loadID int64) error {
	// The side tables are written on connections of their own (stream.go)
	// and not visible here yet: estimate from the rows' keys.
	var rows, resources, tagSets int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*), approx_count_distinct(resource_key), approx_count_distinct(tag_set_id)
		FROM cost_rows WHERE load_id = $1`, loadID).Scan(&rows, &resources, &tagSets); err != nil {
		return fmt.Errorf("count the load's resources and tag sets: %w", err)
	}
	if rows >= minUnrolled && rows < rowsPerKey*max(resources, tagSets) {
		if _, err := conn.ExecContext(ctx, `INSERT INTO unrolled_loads VALUES ($1)`, loadID); err != nil {
			return fmt.Errorf("record the load without rollups: %w", err)
		}
		return nil
	}
	sums := `sum(BilledCost), sum(PricingQuantity), sum(d_unblended), sum(d_effective), sum(d_list), sum(consumed)`
	// One pass over the rows; each other rollup sums a smaller one.
	for _, stmt := range []string{
		`INSERT INTO cost_daily_resources SELECT load_id, dim_id, tag_set_id, resource_key, BillingPeriodStart,
			date_trunc('day', ChargePeriodStart), ` + sums + ` FROM cost_rows WHERE load_id = $1 GROUP BY ALL ORDER BY 5, 6, 2`,
		`INSERT INTO cost_daily SELECT load_id, dim_id, tag_set_id, BillingPeriodStart, ChargePeriodStart, ` +
			sums + ` FROM cost_daily_resources WHERE load_id = $1 GROUP BY ALL ORDER BY 4, 5, 2`,
		`INSERT INTO cost_monthly_resources SELECT load_id, dim_id, tag_set_id, resource_key, BillingPeriodStart,
			date_trunc('month', ChargePeriodStart), ` + sums + ` FROM cost_daily_resources WHERE load_id = $1 GROUP BY ALL ORDER BY 5, 6, 2`,
		`INSERT INTO cost_monthly SELECT load_id, dim_id, tag_set_id, BillingPeriodStart, ChargePeriodStart, ` +
			sums + ` FROM cost_monthly_resources WHERE load_id = $1 GROUP BY ALL ORDER BY 4, 5, 2`,
	} {
		if _, err := conn.ExecContext(ctx, stmt, loadID); err != nil {
			return fmt.Errorf("roll up the load's rows: %w", err)
		}
	}
	return nil
}

// unrolledLoads returns the loads without rollups, as of the last
// committed change.
func (s *Store) unrolledLoads() []int64 {
	if p := s.unrolled.Load(); p != nil {
		return *p
	}
	return nil
}

// readUnrolled reads unrolled_loads into the store's copy; call it after
// opening and after each committed change of the cost rows.
func (s *Store) readUnrolled(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT load_id FROM unrolled_loads ORDER BY load_id`)
	if err != nil {
		return fmt.Errorf("read the loads without rollups: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.unrolled.Store(&ids)
	return nil
}
