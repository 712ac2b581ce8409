package duckstore

import (
	"context"
	"fmt"
)

// DeleteBillingAccount deletes every cost row of a billing account and the
// report versions of its CURs, in one transaction, and returns how many
// rows went, and the versions of loads none of whose rows is left (a FOCUS
// folder of several billing accounts). It is how a deleted connector's data
// goes; a new connector for the same account then loads everything again.
func (s *Store) DeleteBillingAccount(ctx context.Context, payer string) (int64, error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin delete: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	// The loads that held rows of the account: a load of several billing
	// accounts (a FOCUS folder) names none in report_versions, and its
	// version goes below once none of its rows is left.
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE purged_loads AS
		SELECT DISTINCT load_id FROM cost_rows WHERE dim_id IN (SELECT dim_id FROM dims WHERE BillingAccountId = ?)`, payer); err != nil {
		return 0, fmt.Errorf("find the loads of billing account %s: %w", payer, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM cost_rows WHERE dim_id IN (SELECT dim_id FROM dims WHERE BillingAccountId = ?)`, payer)
	if err != nil {
		return 0, fmt.Errorf("delete the cost rows of billing account %s: %w", payer, err)
	}
	n, _ := res.RowsAffected()
	for _, table := range rollups {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE dim_id IN (SELECT dim_id FROM dims WHERE BillingAccountId = ?)`, payer); err != nil {
			return 0, fmt.Errorf("delete the rollups of billing account %s: %w", payer, err)
		}
	}
	// Every version of the account's bill goes, whatever its source (a
	// bucket, a single file, an upload): a new connector loads it again.
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_versions WHERE billing_account = ? OR starts_with(source, ?)`,
		payer, "aws-cur/"+payer+"/"); err != nil {
		return 0, fmt.Errorf("delete the report versions of billing account %s: %w", payer, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_versions WHERE load_id IN (SELECT load_id FROM purged_loads)
		AND load_id NOT IN (SELECT DISTINCT load_id FROM cost_rows WHERE load_id IN (SELECT load_id FROM purged_loads))`); err != nil {
		return 0, fmt.Errorf("delete the report versions emptied with billing account %s: %w", payer, err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE purged_loads`); err != nil {
		return 0, fmt.Errorf("delete the loads of billing account %s: %w", payer, err)
	}
	defer s.dataVersion.Add(1) // also after a failed commit: it may have landed
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit delete: %w", err)
	}
	return n, s.readUnrolled(ctx)
}
