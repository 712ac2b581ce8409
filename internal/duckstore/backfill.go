package duckstore

import (
	"context"
	"database/sql"
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
	found, err := loadedAccounts(ctx, tx, `ProviderName = 'AWS' AND regexp_full_match(BillingAccountId, '[0-9]{12}')
		AND (SubAccountId IS NULL OR regexp_full_match(SubAccountId, '[0-9]{12}'))`)
	if err != nil {
		return err
	}
	g := &cost.Registrar{Template: cost.Registration{Owner: LoadOwner, Group: cost.RootGroup, Time: now}}
	return g.Register(ctx, catalogTxOn(tx), found)
}
