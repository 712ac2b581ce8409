package chstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Options configure a Store.
type Options struct {
	// Postgres is the URL of the PostgreSQL database that holds the load
	// versions (which load id is current for each source and billing
	// period). Required: visibility is decided there, in one transaction.
	Postgres string
	// Database is the ClickHouse database of the tables; the URL's path
	// (clickhouse://HOST:PORT/DB) or "reckon" when empty. It is created on
	// every shard when absent.
	Database string
	// PostgresSchema, when set, is the PostgreSQL schema of chstore's
	// tables (created when absent); else the connection's search_path.
	PostgresSchema string
	// CleanupGrace is how long a load id that is not current keeps its
	// rows before Cleanup drops them: a reader that read the current load
	// ids just before a flip still finds the rows it selects. Zero means
	// one hour; a negative value means none (tests).
	CleanupGrace time.Duration
	// AbandonAfter is how long a load may run: Cleanup drops the rows of a
	// load begun longer ago that has not flipped, and it can then no
	// longer flip. Zero means 24 hours; a negative value means none
	// (tests).
	AbandonAfter time.Duration
	// Catalog, when set, is the catalog in a PostgreSQL transaction of
	// the Postgres database: a load's Register hook runs with it in the
	// transaction that flips the load, so that the accounts it registers
	// become visible in the same commit as its rows. Without it, a load
	// with a Register hook is refused (ErrNoCatalog).
	Catalog func(ctx context.Context, tx pgx.Tx) (cost.CatalogTx, error)
	// AccountNames, when set, are the catalog's account names by account
	// ID: where a row's BillingAccountName or SubAccountName is empty,
	// answers, filters, value listings and Rows show the name of its
	// BillingAccountId or SubAccountId (IDs compared ignoring case), as
	// duckstore does. It is called once per call of the store that uses
	// a name; its answers are not part of DataVersion.
	AccountNames func(ctx context.Context) (map[string]string, error)
	// TempDir is where a Parquet export writes its temporary DuckDB
	// store (WriteParquet); os.TempDir when empty.
	TempDir string
}

// Store is the ClickHouse cost store: rows on every shard's local
// MergeTree table, read through a Distributed table, made visible by the
// load versions in PostgreSQL (Versions).
type Store struct {
	cluster string
	db      string
	entry   driver.Conn   // reads through the Distributed table
	shards  []driver.Conn // one per shard, in shard_num order: loads write here
	addrs   []string
	v       *pgVersions
	grace   time.Duration
	abandon time.Duration
	// batchRows is how many rows a shard's batch holds before it is
	// sent (batchRows; tests make it small).
	batchRows int
	catalog   func(ctx context.Context, tx pgx.Tx) (cost.CatalogTx, error)
	// accountNames is Options.AccountNames.
	accountNames func(ctx context.Context) (map[string]string, error)
	tempDir      string
}

// maxQuerySize is the max_query_size the store sends unless its URL sets
// one: 16 MiB, some 400,000 account names.
const maxQuerySize = 16 << 20

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Open connects to the cluster named by rawURL
// (clickhouse://HOST:PORT?cluster=NAME) and to every shard of it, creates
// the tables where absent, and opens the versions in PostgreSQL.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// Not the parser's error, which quotes the URL and its password.
		return nil, errors.New("the clickhouse store URL is not a URL such as clickhouse://HOST:PORT?cluster=NAME")
	}
	q := u.Query()
	name := q.Get("cluster")
	if name == "" {
		return nil, fmt.Errorf("clickhouse store URL %q names no cluster: add ?cluster=NAME (a cluster of remote_servers)", u.Redacted())
	}
	// cluster is Reckon's parameter: clickhouse-go would send an unknown
	// parameter to the server as a setting.
	q.Del("cluster")
	u.RawQuery = q.Encode()
	chOpts, err := clickhouse.ParseDSN(u.String())
	if err != nil {
		return nil, fmt.Errorf("clickhouse store URL: %w", err)
	}
	if chOpts.DialTimeout == 0 || chOpts.DialTimeout > 10*time.Second {
		chOpts.DialTimeout = 10 * time.Second
	}
	if chOpts.Settings == nil {
		chOpts.Settings = clickhouse.Settings{}
	}
	chOpts.Settings["allow_experimental_low_cardinality_type"] = 1
	// A query's text lists the current load ids and the account names it
	// uses: past the default 256 KiB with many accounts.
	if _, ok := chOpts.Settings["max_query_size"]; !ok {
		chOpts.Settings["max_query_size"] = maxQuerySize
	}
	// The database: Options.Database, else the URL's path
	// (clickhouse://HOST:PORT/DB), else reckon. Connections name none,
	// since it may not exist yet; the SQL names it.
	db := cmp.Or(opts.Database, chOpts.Auth.Database, "reckon")
	chOpts.Auth.Database = ""
	if !identRE.MatchString(db) || !identRE.MatchString(name) {
		return nil, fmt.Errorf("clickhouse database %q or cluster %q is not a plain identifier", db, name)
	}
	if opts.Postgres == "" {
		return nil, errors.New("the clickhouse store needs a PostgreSQL database for its load versions (Options.Postgres)")
	}
	s := &Store{cluster: name, db: db, grace: orDefault(opts.CleanupGrace, time.Hour), abandon: orDefault(opts.AbandonAfter, 24*time.Hour), batchRows: batchRows, catalog: opts.Catalog,
		accountNames: opts.AccountNames, tempDir: opts.TempDir}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	open := func(addr []string) (driver.Conn, error) {
		o := *chOpts
		o.Addr = addr
		c, err := clickhouse.Open(&o)
		if err != nil {
			return nil, fmt.Errorf("connect to clickhouse %v: %w", addr, err)
		}
		if err := c.Ping(ctx); err != nil {
			c.Close()
			return nil, fmt.Errorf("connect to clickhouse %v: %w", addr, err)
		}
		return c, nil
	}
	if s.entry, err = open(chOpts.Addr); err != nil {
		return nil, err
	}
	if s.addrs, err = shardAddrs(ctx, s.entry, name); err != nil {
		return nil, err
	}
	for _, a := range s.addrs {
		c, err := open([]string{a})
		if err != nil {
			return nil, err
		}
		s.shards = append(s.shards, c)
	}
	if err := s.createTables(ctx); err != nil {
		return nil, err
	}
	if s.v, err = openVersions(ctx, opts.Postgres, opts.PostgresSchema); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// shardAddrs are the native addresses of the cluster's shards (the first
// replica of each), in shard_num order.
func shardAddrs(ctx context.Context, c driver.Conn, cluster string) ([]string, error) {
	rows, err := c.Query(ctx, "SELECT shard_num, host_address, port FROM system.clusters WHERE cluster = ? ORDER BY shard_num, replica_num", cluster)
	if err != nil {
		return nil, fmt.Errorf("read system.clusters: %w", err)
	}
	defer rows.Close()
	seen := map[uint32]bool{}
	var out []string
	for rows.Next() {
		var (
			shard uint32
			host  string
			port  uint16
		)
		if err := rows.Scan(&shard, &host, &port); err != nil {
			return nil, fmt.Errorf("read system.clusters: %w", err)
		}
		if !seen[shard] {
			seen[shard] = true
			out = append(out, fmt.Sprintf("%s:%d", host, port))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read system.clusters: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the clickhouse server knows no cluster %q (remote_servers in its config)", cluster)
	}
	return out, nil
}

// Ping checks that every shard and the PostgreSQL database of the load
// versions answer.
func (s *Store) Ping(ctx context.Context) error {
	for i, c := range s.shards {
		if err := c.Ping(ctx); err != nil {
			return fmt.Errorf("clickhouse shard %s: %w", s.addrs[i], err)
		}
	}
	if err := s.v.pool.Ping(ctx); err != nil {
		return fmt.Errorf("the load versions' PostgreSQL: %w", err)
	}
	return nil
}

// Close closes the connections.
func (s *Store) Close() error {
	if s.entry != nil {
		s.entry.Close()
	}
	for _, c := range s.shards {
		c.Close()
	}
	if s.v != nil {
		s.v.close()
	}
	return nil
}

// Shards is the number of shards the store writes to.
func (s *Store) Shards() int { return len(s.shards) }

// columns are cost_rows_local's columns after load_id and row_n (the
// row's place in its load, which makes Rows' order total), in the order
// the loader appends them. Strings are never NULL: an empty value is ”.
var columns = []struct{ name, typ string }{
	{"ProviderName", "LowCardinality(String)"}, {"PublisherName", "LowCardinality(String)"},
	{"InvoiceIssuerName", "LowCardinality(String)"}, {"InvoiceId", "String"},
	{"BillingAccountId", "LowCardinality(String)"}, {"BillingAccountName", "LowCardinality(String)"},
	{"SubAccountId", "LowCardinality(String)"}, {"SubAccountName", "LowCardinality(String)"},
	{"BillingPeriodStart", "DateTime"}, {"BillingPeriodEnd", "DateTime"},
	{"ChargePeriodStart", "DateTime"}, {"ChargePeriodEnd", "DateTime"},
	{"ChargeCategory", "LowCardinality(String)"}, {"ChargeClass", "LowCardinality(String)"},
	{"ChargeFrequency", "LowCardinality(String)"}, {"ChargeDescription", "String"},
	{"PricingCategory", "LowCardinality(String)"},
	{"BilledCost", "Decimal(38, 18)"}, {"EffectiveCost", "Decimal(38, 18)"}, {"ListCost", "Decimal(38, 18)"},
	{"ContractedCost", "Nullable(Decimal(38, 18))"},
	{"BillingCurrency", "LowCardinality(String)"},
	{"ServiceName", "LowCardinality(String)"}, {"ServiceCategory", "LowCardinality(String)"},
	{"RegionId", "LowCardinality(String)"}, {"RegionName", "LowCardinality(String)"},
	{"AvailabilityZone", "LowCardinality(String)"}, {"ResourceId", "String"}, {"ResourceType", "LowCardinality(String)"},
	{"PricingQuantity", "Nullable(Decimal(38, 18))"}, {"PricingUnit", "LowCardinality(String)"},
	{"ConsumedQuantity", "Nullable(Decimal(38, 18))"}, {"ConsumedUnit", "LowCardinality(String)"},
	{"CommitmentDiscountId", "String"}, {"CommitmentDiscountType", "LowCardinality(String)"},
	{"tag_keys", "Array(String)"}, {"tag_values", "Array(String)"},
	{"x_ServiceCode", "LowCardinality(String)"}, {"x_UsageType", "LowCardinality(String)"},
	{"x_Operation", "LowCardinality(String)"}, {"x_LineItemType", "LowCardinality(String)"},
	{"x_UnblendedCost", "Decimal(38, 18)"}, {"x_BlendedCost", "Decimal(38, 18)"},
	{"cc_keys", "Array(String)"}, {"cc_values", "Array(String)"},
	{"extra_keys", "Array(String)"}, {"extra_values", "Array(String)"},
}

// columnList is the insert's explicit column list (clickhouse-go needs
// one).
func columnList() string {
	names := []string{"load_id", "row_n"}
	for _, c := range columns {
		names = append(names, c.name)
	}
	return "(" + strings.Join(names, ", ") + ")"
}

// createTables creates the database, the local table and the Distributed
// table on every shard (no ON CLUSTER: it needs ZooKeeper). The local
// table is partitioned by load id, so that a load that is not current is
// dropped whole; its sort key serves the usual filters (a billing
// account, a range of days). The Distributed table's sharding key is what
// the loader computes in Go (shardOf); it only matters for inserts through
// the Distributed table, which the store does not make.
func (s *Store) createTables(ctx context.Context) error {
	defs := []string{"load_id UInt64", "row_n UInt64"}
	for _, c := range columns {
		defs = append(defs, c.name+" "+c.typ)
	}
	local := "CREATE TABLE IF NOT EXISTS " + s.db + ".cost_rows_local (" + strings.Join(defs, ", ") + ")" +
		" ENGINE = MergeTree() PARTITION BY load_id ORDER BY (BillingAccountId, toDate(ChargePeriodStart), SubAccountId, ServiceName)"
	dist := "CREATE TABLE IF NOT EXISTS " + s.db + ".cost_rows (" + strings.Join(defs, ", ") + ")" +
		" ENGINE = Distributed(" + s.cluster + ", " + s.db + ", cost_rows_local, cityHash64(BillingAccountId, ResourceId))"
	for i, c := range s.shards {
		for _, sql := range append([]string{"CREATE DATABASE IF NOT EXISTS " + s.db, local, dist}, s.ingestTables()...) {
			if err := c.Exec(ctx, sql); err != nil {
				return fmt.Errorf("create tables on shard %d (%s): %w", i+1, s.addrs[i], err)
			}
		}
	}
	// The entry server reads through its own Distributed table; it is
	// usually one of the shards, where this is a no-op.
	for _, sql := range []string{"CREATE DATABASE IF NOT EXISTS " + s.db, dist} {
		if err := s.entry.Exec(ctx, sql); err != nil {
			return fmt.Errorf("create the distributed table: %w", err)
		}
	}
	return nil
}

// DropDatabase drops the store's ClickHouse database on every shard (tests).
func (s *Store) DropDatabase(ctx context.Context) error {
	var errs []error
	for _, c := range append([]driver.Conn{s.entry}, s.shards...) {
		errs = append(errs, c.Exec(ctx, "DROP DATABASE IF EXISTS "+s.db))
	}
	return errors.Join(errs...)
}

// orDefault is d, or def when d is zero, or 0 when d is negative.
func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}
