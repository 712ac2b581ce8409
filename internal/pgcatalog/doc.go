// Package pgcatalog is the catalog (cost.Catalog) on PostgreSQL, for
// installations that run several `reckon serve` replicas: scopes and the
// management-group tree, role assignments, users, hashed tokens,
// connectors and sources with their secrets encrypted, saved views,
// budgets, alerts, anomaly subscriptions, exchange rates and the audit
// log.
//
// # Tables
//
// One table per kind of record, read and written a row at a time with
// primary keys and upserts (migrations/001_catalog.sql); nothing rewrites
// the catalog whole. They mirror the DuckDB catalog (internal/duckstore)
// column for column: each scope keeps the IDs of the groups above it as
// one string ("mg/root mg/eu "), so that GroupPath reads one row and a
// group's Descendants are the scopes whose ancestors start with the
// group's; a connector's shown fields, a budget, an alert and a
// subscription are JSON beside the columns that are filtered or sorted
// on. Money (a budget's amount, a rate) is NUMERIC(38,18), read back as
// text into decimal.Decimal, never through a float; times are timestamptz
// in UTC, to the microsecond; account IDs are text. Text columns compare
// bytewise (COLLATE "C"), so listings sort as the interface and the DuckDB
// catalog do whatever the database's locale.
//
// # Transactions
//
// Update runs as if Updates ran one at a time, which the access rules need
// (a check and its change in one transaction): each begins a READ
// COMMITTED transaction and first takes pg_advisory_xact_lock on a key
// every replica shares, held until it commits or rolls back. Every later
// statement of it sees all that earlier Updates committed, and no other
// Update commits meanwhile. This was chosen over SERIALIZABLE with retries
// because it is what DuckDB's catalog does (a mutex), the catalog's
// Updates are short and few, and an Update's function may have effects
// outside the database (a load's registration records what it added) that
// a retry would run twice. The snapshot must not be REPEATABLE READ: its
// snapshot would be taken by the lock statement itself, before waiting.
// Writes to these tables outside Update or Begin would bypass the lock.
//
// View runs in a REPEATABLE READ, READ ONLY transaction: one snapshot for
// all its reads, taken by its first statement, which no Update committing
// meanwhile changes. Views take no lock and never wait for Updates.
//
// Begin returns an Update's transaction for the caller to commit: a cost
// store's load registers the accounts it found (cost.RegisterFunc) and
// records its version in it, so that the accounts' scopes and the rows'
// visibility change in one commit.
//
// Every committed Update adds one to the catalog's version (Version) and
// notifies the channel reckon_catalog with it, in its transaction: a
// replica that caches what the catalog holds (the account names a cost
// answer shows, a copy of the catalog for requests) listens and drops
// what it holds when another replica changes the catalog.
//
// # Secrets
//
// A connector's external ID lives in connector_secrets, apart from its
// shown fields, sealed with AES-256-GCM under Options.Key (32 bytes, from
// the environment through cmd/reckon). Each ciphertext starts with a
// format byte and the key's ID (the first four bytes of the key's
// SHA-256), so that a rotated key's secrets still open with
// Options.OldKeys and are sealed again under the new key when next
// written; the connector's ID is the additional data, so a ciphertext
// moved to another row does not open. Open refuses a catalog holding
// secrets when no key given opens them. Secrets never appear in errors.
//
// # Migrations
//
// Migrations are the embedded, numbered files in migrations/, each applied
// in its own transaction with its name recorded in schema_migrations.
// Open takes a session-level advisory lock (another key) around them, so
// that replicas starting at once apply each migration once: the second
// waits, then finds nothing left to do.
//
// The audit log is append-only (a trigger refuses updates, deletes and
// truncation) and read oldest first, entries of one time in the order
// written.
package pgcatalog
