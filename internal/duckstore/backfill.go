package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// goMigrations are migrations that need the domain's rules, applied in name
// order among the SQL files, each in its own transaction like them.
var goMigrations = map[string]func(ctx context.Context, tx *sql.Tx, now time.Time) error{
	"migrations/006_scopes_of_loaded_accounts": scopesOfLoadedAccounts,
}

// LoadOwner owns the accounts that loads without a connector or a named
// user registered: the administrator `reckon serve` creates.
const LoadOwner = "admin"

// scopesOfLoadedAccounts gives every account that has cost rows a scope, as
// loads do since this migration: stores loaded with `reckon ingest` before
// it had cost that no scope covered, so `reckon serve` showed none of it.
// New accounts are owned by the administrator and go to the root group;
// accounts a connector discovered stay as they are. Rows whose account IDs
// are not AWS account numbers are left out rather than failing the upgrade.
func scopesOfLoadedAccounts(ctx context.Context, tx *sql.Tx, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT ProviderName, BillingAccountId, coalesce(max(BillingAccountName), ''),
		coalesce(SubAccountId, ''), coalesce(max(SubAccountName), '') FROM dims
		WHERE ProviderName = 'AWS' AND regexp_full_match(BillingAccountId, '[0-9]{12}')
		AND (SubAccountId IS NULL OR regexp_full_match(SubAccountId, '[0-9]{12}'))
		GROUP BY ALL ORDER BY ALL`)
	if err != nil {
		return fmt.Errorf("read the loaded accounts: %w", err)
	}
	var found []cost.LoadedAccount
	for rows.Next() {
		var a cost.LoadedAccount
		if err := rows.Scan(&a.Provider, &a.BillingAccountID, &a.BillingAccountName, &a.SubAccountID, &a.SubAccountName); err != nil {
			rows.Close()
			return fmt.Errorf("read the loaded accounts: %w", err)
		}
		found = append(found, a)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	g := &cost.Registrar{Template: cost.Registration{Owner: LoadOwner, Group: cost.RootGroup, Time: now}}
	return g.Register(ctx, catalogTxOn(tx), found)
}
