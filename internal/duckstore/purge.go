package duckstore

import (
	"context"
	"fmt"
)

// DeleteBillingAccount deletes every cost row of a billing account and the
// report versions of its CURs, in one transaction, and returns how many
// rows went. It is how a deleted connector's data goes; a new connector for
// the same account then loads everything again.
func (s *Store) DeleteBillingAccount(ctx context.Context, payer string) (int64, error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin delete: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
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
	defer s.dataVersion.Add(1) // also after a failed commit: it may have landed
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit delete: %w", err)
	}
	return n, s.readUnrolled(ctx)
}
