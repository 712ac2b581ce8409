// Package duckstore is Reckon's embedded store: one DuckDB file in the data
// folder holding the FOCUS cost rows and the record of which report version
// each billing period holds. Loads replace billing periods atomically; queries
// compile a cost.Query to parameterised SQL.
package duckstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB database/sql driver

	"github.com/reckon-finops/reckon/internal/cost"
)

// FileName is the DuckDB file inside the data folder.
const FileName = "reckon.duckdb"

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a Store.
type Options struct {
	// ReadOnly opens an existing store for reading, so that several readers
	// may share it.
	ReadOnly bool
	// MemoryLimit bounds DuckDB's memory, e.g. "512MB"; DuckDB spills to the
	// data folder's tmp/ beyond it. Empty means 512MB.
	MemoryLimit string
	// Threads is DuckDB's worker count; 0 means one per CPU.
	Threads int
	// Clock stamps loads; nil means the system clock.
	Clock cost.Clock
	// CrashAt is a test hook: a load kills its own process with SIGKILL at
	// this point ("append", "before-commit", "after-side-commit").
	CrashAt string
}

// Store is the embedded DuckDB store. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	dir    string
	tmpDir string
	opts   Options

	catalogMu sync.Mutex // one catalog update at a time
	// dataVersion counts committed changes of the cost rows and of the
	// catalog (answers carry account names from it): a cached query answer
	// holds for one version.
	dataVersion atomic.Uint64
	// unrolled holds the loads without rollups by resource (rollup.go), as
	// of the last committed change of the cost rows.
	unrolled atomic.Pointer[[]int64]
	// catalogVersion counts committed catalog changes, under catalogMu: a
	// load that registers accounts checks that its snapshot is current.
	catalogVersion uint64
	copies         copies     // the catalog's copy in memory, for View
	loadMu         sync.Mutex // one load at a time
}

// Open opens (creating if needed) the store in the data folder dir and
// applies pending migrations.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.MemoryLimit == "" {
		opts.MemoryLimit = "512MB"
	}
	if opts.Clock == nil {
		opts.Clock = cost.SystemClock{}
	}
	path := filepath.Join(dir, FileName)
	if opts.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, cost.Errorf(cost.ENotFound, "no Reckon store in %s: load data first with `reckon ingest --data %s PATH`", dir, dir)
		}
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil && !opts.ReadOnly {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	dsn := path + "?" + dsnParams(opts, tmp)
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, openError(dir, path, err)
	}
	s := &Store{db: db, dir: dir, tmpDir: tmp, opts: opts}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(dir, path, err)
	}
	if opts.ReadOnly {
		if err := s.checkCurrent(ctx); err != nil {
			db.Close()
			return nil, err
		}
	} else {
		if err := s.migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
		if err := s.register(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := s.readUnrolled(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func dsnParams(opts Options, tmp string) string {
	p := []string{
		"memory_limit=" + opts.MemoryLimit,
		"temp_directory=" + tmp,
		"preserve_insertion_order=false",
	}
	if opts.Threads > 0 {
		p = append(p, "threads="+strconv.Itoa(opts.Threads))
	}
	if opts.ReadOnly {
		p = append(p, "access_mode=READ_ONLY")
	}
	return strings.Join(p, "&")
}

// register adds the load feed table function to the database.
func (s *Store) register(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := registerFeed(conn); err != nil {
		return fmt.Errorf("register %s: %w", feedFunction, err)
	}
	if err := registerSide(conn); err != nil {
		return fmt.Errorf("register %s: %w", sideFunction, err)
	}
	removeSpills(s.tmpDir)
	return nil
}

// openError explains a failure to open the store: another process holding
// it is the usual one.
func openError(dir, path string, err error) error {
	if m := lockHolder.FindStringSubmatch(err.Error()); m != nil {
		return cost.Errorf(cost.EConflict, "the store in %s is in use by another process (%s, PID %s): "+
			"DuckDB lets one process write a store at a time; try again when it has finished", dir, m[1], m[2])
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// lockHolder matches DuckDB's error for a store another process holds.
var lockHolder = regexp.MustCompile(`Conflicting lock is held in (.+) \(PID (\d+)\)`)

// Close closes the store; DuckDB checkpoints its write-ahead log.
func (s *Store) Close() error { return s.db.Close() }

// Dir is the data folder.
func (s *Store) Dir() string { return s.dir }

// DB exposes the database for benchmarks and tests in this module.
func (s *Store) DB() *sql.DB { return s.db }

// migrate applies the embedded migrations not yet applied, each in its own
// transaction, in file-name order.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := migrationNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := s.applyMigration(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// migrationNames are the migrations this build applies, in order.
func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	for name := range goMigrations {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

// checkCurrent refuses a store opened for reading that lacks a migration:
// it cannot be upgraded without writing, and its queries would fail on
// tables it does not have yet.
func (s *Store) checkCurrent(ctx context.Context) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	var applied int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name IN (SELECT unnest(?::VARCHAR[]))`,
		names).Scan(&applied); err != nil || applied < len(names) {
		return cost.Errorf(cost.EConflict, "the store in %s was written by an older reckon and must be upgraded first: "+
			"run reckon serve or reckon ingest on it once (they upgrade it), then read it again", s.dir)
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if apply, ok := goMigrations[name]; ok {
		if err := apply(ctx, tx, s.opts.Clock.Now().UTC()); err != nil {
			return err
		}
	} else {
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES (?)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// ts formats t for a TIMESTAMP parameter. Passing time.Time would bind a
// TIMESTAMP WITH TIME ZONE, which DuckDB compares through the session's
// time zone; text cast to TIMESTAMP is UTC on every machine.
func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }
