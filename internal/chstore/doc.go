// Package chstore is Reckon's ClickHouse cost store (issue 13): cost rows
// on a sharded ClickHouse cluster (a MergeTree table on every shard and a
// Distributed table over them), reached with github.com/ClickHouse/clickhouse-go/v2
// over the native protocol, chosen with --store clickhouse://HOST:PORT?cluster=NAME.
// It implements storetest.Store, and storetest.Run passes on the two-shard
// test cluster (store_test.go).
//
// The design (ARCHITECTURE.md, "Scale-out"):
//
//   - Open finds the shards in system.clusters and creates, on every shard
//     (no ON CLUSTER without ZooKeeper), DB.cost_rows_local (MergeTree,
//     PARTITION BY load_id, ORDER BY (BillingAccountId, day, SubAccountId,
//     ServiceName); FOCUS columns as LowCardinality(String) or String,
//     never NULL; costs Decimal(38, 18), the optional ones Nullable; tags,
//     cost categories and x_ extras as parallel key and value arrays) and
//     DB.cost_rows, a Distributed table over them for reads.
//   - Visibility lives in PostgreSQL (pgx; Options.Postgres): chstore_loads
//     (every load id, from a sequence), chstore_current ((source, billing
//     period) → load id, version, billing account, rows, billed cost),
//     chstore_deleted_accounts and chstore_data_version. ReplacePeriods
//     writes a load's rows under a new load id to every shard directly (the
//     shard chosen in Go by an xxh3 hash of billing account, resource and
//     charge start), and only then flips, in one PostgreSQL transaction
//     under an advisory lock, every billing period it covers, after the
//     one-truth checks (duckstore's rules and words). Readers read the
//     current (load id, billing period) pairs in one REPEATABLE READ
//     snapshot and filter by them, so they see one whole version of every
//     period on every shard; a loader that dies before its flip leaves rows
//     that no reader selects.
//   - The loader (ingest.go) fills, per shard, blocks of 50,000 rows column
//     by column, and a goroutine per shard sends them as one INSERT,
//     flushed block by block, into DB.cost_rows_in: a Null table of String
//     and integer columns (decimals as exact text, arrays as escaped
//     text), which a materialized view on every shard turns into
//     cost_rows_local's types as each block lands. clickhouse-go converts
//     LowCardinality, Decimal and Array values one at a time; String
//     columns are one copy. BenchmarkReplacePeriods (200,000 streamed rows
//     of high cardinality) went from a median of about 51,000 rows a second
//     to about 114,000 on the shared two-core test machine; the Go side
//     fell from about 7 to 2 µs of CPU a row, and the two servers' own
//     work, about 4.7 µs a row, now bounds it.
//   - DataVersion is a token and a counter in chstore_data_version, bumped
//     in every flip's and every deletion's transaction: one PostgreSQL round
//     trip tells a query cache shared by replicas whether any answer may
//     have changed.
//   - Cleanup drops the partitions of loads no period holds: replaced ones
//     after Options.CleanupGrace (readers that read the old ids may still
//     be reading), never-committed ones after Options.AbandonAfter (marked
//     doomed first, so they can no longer flip), and load ids PostgreSQL
//     does not know.
//   - Queries are compiled to SQL that runs on 18.16 and current releases:
//     no window functions (top-N with Others is a first query of the top
//     groups, then the answer with the rest folded), values written as
//     quoted literals (client-side binding only), sums read back with
//     toString and parsed exactly (a sum past Decimal(38, 18)'s range,
//     which 18.16's sum() wraps silently, is told by the same sum in
//     Float64 and refused), dates by UTC day or month. They ran on 18.16
//     only: current releases are not checked here.
//   - DeleteBillingAccount removes the account's versions and hides its
//     rows in the loads current at that moment (a tombstone in
//     chstore_deleted_accounts, read in the readers' snapshot) in one
//     transaction, then deletes those rows with an ALTER TABLE … DELETE
//     mutation on every shard.
//   - Account names a source left empty come from Options.AccountNames
//     (account ID → name, from the catalog), as duckstore's named_dims:
//     answers, filters, value listings and Rows read the row's name, or
//     where it is empty transform(id, [ids], [names], default) of its
//     account ID (IDs compared ignoring case). One map names billing accounts and
//     sub-accounts alike (duckstore reads aws/billing/ID for a billing
//     account and aws/accounts/ID for an account). The names are not part
//     of DataVersion: the catalog has its own version.
//   - WriteParquet writes the file duckstore writes of the same rows (same
//     columns, types, order and FOCUS checks): 18.16 has no Parquet format,
//     so Rows streams into a temporary DuckDB store in Options.TempDir
//     (duckstore.WriteRowsParquet), and nothing reaches the writer unless
//     the whole file was written.
//
// Load.Register runs in the flip's transaction with the catalog that
// Options.Catalog makes of it (the PostgreSQL catalog, pgcatalog, is
// being written apart and is not wired yet: without Options.Catalog a
// load with Register is refused with ErrNoCatalog).
//
// Not yet: rollups; the query limits (duckstore's Limited); schema
// migrations of the tables (a column added to cost_rows_local needs the
// ingest table and its view made again); removing tombstones once their
// mutations are done; a query text without bounds (the visibility
// condition lists the current load ids, one AST element each against the
// server's max_ast_elements of 50,000, and a query that uses account names
// lists the catalog's names, within the max_query_size of 16 MiB the store
// sends); ingest at 250,000 rows a
// second on the shared test machine (see above: the servers' CPU bounds
// it); a Parquet export that does not copy every row through DuckDB.
// Current ClickHouse releases are not checked.
//
// TestClickHouseFacts (facts_test.go, facts_*_test.go) checks on a real
// two-shard cluster (test/scaleout/clickhouse.sh) what the store may rely
// on. Each fact is a subtest's name; test/scaleout/README.md explains them.
// In short, with
// Debian's clickhouse-server 18.16.1 and clickhouse-go v2.51.0:
//
// Works:
//   - the native protocol, at the server's revision 54412 (the client offers
//     54460); clickhouse-go's HTTP protocol does not work with 18.16;
//   - Decimal128(18), which is Decimal(38, 18), with no setting; sum() over it
//     is exact to 18 places across shards (while the total stays below
//     1.7e20); ± and × or ÷ by an integer are exact at scale 18;
//   - LowCardinality(String), once allow_experimental_low_cardinality_type=1
//     (the test cluster's users.xml sets it; a client may send it too);
//   - batch inserts (PrepareBatch) with an explicit column list, of
//     LowCardinality, Decimal (shopspring decimal.Decimal) and Date values;
//     a Null table with a materialized view TO a MergeTree table, which
//     turns String columns into LowCardinality, Decimal, Nullable and Array
//     ones (toLowCardinality, toDecimal128, splitByChar, arrayMap,
//     replaceAll) as rows land; transform(x, [from], [to], default);
//   - a Distributed table over a cluster in remote_servers, with a sharding
//     key such as cityHash64(billing_account); inserts through it are on every
//     shard when they return only with insert_distributed_sync=1;
//   - PARTITION BY (toYYYYMM(billing_period), load_id), and ALTER TABLE …
//     REPLACE PARTITION (m, id) FROM staging, ATTACH PARTITION … FROM,
//     DROP PARTITION (m, id) and DROP PARTITION ID '…' (dropping a missing
//     partition is no error); system.parts lists the partitions;
//   - load-id filters: IN (1, 2), IN ? bound to a clickhouse.GroupSet, has(?, load_id)
//     bound to a slice; GLOBAL IN for a subquery on a Distributed table;
//   - client-side argument binding (? and @name) only;
//   - WITH ROLLUP, WITH CUBE (subtotal rows hold the key's default value, not
//     NULL), WITH TOTALS (Rows.Totals), LIMIT n BY, LIMIT n OFFSET m,
//     arrayJoin, sumIf/countIf/uniqExact/argMax/quantileExact/multiIf,
//     toDate/toStartOfMonth/toYYYYMM/toMonday/addMonths/dateDiff/formatDateTime,
//     visitParamExtractString, ReplacingMergeTree with FINAL, ALTER TABLE …
//     DELETE mutations, RENAME TABLE of several tables.
//
// Does not work on 18.16:
//   - ON CLUSTER DDL without ZooKeeper: create the tables on every shard;
//   - server-side query parameters {name:Type} (need revision 54459);
//   - window functions, GROUPING SETS, JSONExtract*, ILIKE, DateTime64,
//     ORDER BY … WITH FILL, simpleLinearRegression, EXCHANGE TABLES;
//   - the Parquet output format (the native protocol ignores FORMAT);
//   - IN ? bound to a plain slice (it becomes IN [1, 2]);
//   - a batch insert without a column list (clickhouse-go sees no columns);
//   - Exec of INSERT … VALUES: it hangs until the context or read timeout;
//   - a scalar subquery returning a Decimal (Type mismatch);
//   - Decimal(38, 18) × or ÷ Decimal(38, 18) past 170.14 wraps silently to a
//     wrong (negative) value before it starts to raise "Decimal math
//     overflow"; sum() past 1.7e20 wraps silently.
package chstore
