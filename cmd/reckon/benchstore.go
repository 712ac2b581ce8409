package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/chstore"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// benchScaleOutFlags are --store and --catalog of reckon bench ingest and
// query: the scale-out pair to measure beside the embedded store.
type benchScaleOutFlags struct {
	store, catalog string
}

func (f *benchScaleOutFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.store, "store", "", "also measure the ClickHouse store at clickhouse://HOST:PORT?cluster=NAME (needs --catalog)")
	cmd.Flags().StringVar(&f.catalog, "catalog", "", "with --store: the PostgreSQL server (postgres://…) of the catalog and the load versions")
}

// check refuses half a pair.
func (f *benchScaleOutFlags) check() error {
	switch {
	case f.store == "" && f.catalog == "":
		return nil
	case !strings.HasPrefix(f.store, "clickhouse://"):
		return usageErrorf("--store %q: give clickhouse://HOST:PORT?cluster=NAME (the embedded store is always measured)", redactURL(f.store))
	case f.catalog == "":
		return usageErrorf("--store needs --catalog postgres://…: the catalog and the load versions live in PostgreSQL")
	}
	return nil
}

func (f *benchScaleOutFlags) on() bool { return f.store != "" }

// benchScaleOut is one bench run's own ClickHouse database and PostgreSQL
// database, both made fresh, so that runs never see each other's rows.
type benchScaleOut struct {
	name                 string // of both databases
	storeURL, catalogURL string // naming them
	adminURL             string // the catalog as given, to drop the database from
}

// newBenchScaleOut creates the PostgreSQL database (the catalog's role
// needs CREATEDB); the ClickHouse one is created when the store opens.
func newBenchScaleOut(ctx context.Context, f benchScaleOutFlags) (*benchScaleOut, error) {
	b := make([]byte, 4)
	rand.Read(b) //nolint:errcheck // never fails
	name := fmt.Sprintf("reckon_bench_%s_%s", time.Now().UTC().Format("20060102_150405"), hex.EncodeToString(b))
	st, err := url.Parse(f.store)
	if err != nil {
		return nil, usageErrorf("--store: %v", err)
	}
	st.Path = "/" + name
	cat, err := url.Parse(f.catalog)
	if err != nil || cat.Scheme != "postgres" && cat.Scheme != "postgresql" {
		return nil, usageErrorf("--catalog %q: give a postgres://USER:PASSWORD@HOST:PORT/DB URL", redactURL(f.catalog))
	}
	cat.Path = "/" + name
	conn, err := pgx.Connect(ctx, f.catalog)
	if err != nil {
		return nil, fmt.Errorf("connect to the catalog's server: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create the bench's database %s (the role needs CREATEDB): %w", name, err)
	}
	return &benchScaleOut{name: name, storeURL: st.String(), catalogURL: cat.String(), adminURL: f.catalog}, nil
}

// drop drops the ClickHouse database on every shard and the PostgreSQL
// database.
func (b *benchScaleOut) drop(ctx context.Context) error {
	var errs []error
	s, err := chstore.Open(ctx, b.storeURL, chstore.Options{Postgres: b.catalogURL})
	if err == nil {
		errs = append(errs, s.DropDatabase(ctx))
		s.Close()
	} else {
		errs = append(errs, err)
	}
	conn, err := pgx.Connect(ctx, b.adminURL)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+b.name+" WITH (FORCE)")
	return errors.Join(append(errs, err)...)
}

// announce names the databases, and says whether they stay.
func (b *benchScaleOut) announce(out io.Writer, keep bool) {
	fate := "dropped after the run"
	if keep {
		fate = "kept after the run"
	}
	fmt.Fprintf(out, "clickhouse: the ClickHouse and PostgreSQL databases %s, %s\n", b.name, fate)
}

// finish drops the databases, unless keep.
func (b *benchScaleOut) finish(ctx context.Context, out io.Writer, keep bool) {
	if keep {
		return
	}
	if err := b.drop(context.WithoutCancel(ctx)); err != nil {
		fmt.Fprintf(out, "warning: drop the bench's databases %s: %v\n", b.name, err)
	}
}

// load times this binary's `bench scaleout-load` of file into the pair,
// in its own process as the embedded store's ingest is.
func (b *benchScaleOut) load(ctx context.Context, self, file string) (measurement, error) {
	return timeProcess(ctx, self, "bench", "scaleout-load", "--store", b.storeURL, "--catalog", b.catalogURL, file)
}

// checkTotal compares the store's sum(BilledCost) with the generator's.
func (b *benchScaleOut) checkTotal(ctx context.Context, want string) error {
	so, err := openScaleOut(ctx, b.storeURL, b.catalogURL)
	if err != nil {
		return err
	}
	defer so.Close()
	return checkStoreTotal(ctx, so.store, "the ClickHouse store's", want)
}

// checkStoreTotal compares a store's sum(BilledCost) with want.
func checkStoreTotal(ctx context.Context, store interface {
	Query(context.Context, *cost.Query) (*cost.Result, error)
}, whose, want string) error {
	res, err := store.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil {
		return err
	}
	got := decimal.Zero
	for _, row := range res.Rows {
		got = got.Add(row.Cost)
	}
	if got.Cmp(decimal.MustParse(want)) != 0 {
		return fmt.Errorf("check failed: %s sum(BilledCost) is %s, the generator's exact total is %s", whose, got, want)
	}
	return nil
}

// newBenchScaleOutLoadCommand loads files into the scale-out pair as
// reckon ingest loads them into the embedded store: the same Loader, the
// accounts registered for the administrator under mg/root.
func newBenchScaleOutLoadCommand() *cobra.Command {
	var f benchScaleOutFlags
	cmd := &cobra.Command{
		Use:    "scaleout-load --store URL --catalog URL PATH...",
		Short:  "Load files into the ClickHouse store and the PostgreSQL catalog, for the benches",
		Hidden: true,
		Args:   cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			so, err := openScaleOut(ctx, f.store, f.catalog)
			if err != nil {
				return err
			}
			defer so.Close()
			if _, err := api.EnsureAdmin(ctx, so.catalog, cost.SystemClock{}, ""); err != nil {
				return err
			}
			registrar := &cost.Registrar{Template: cost.Registration{Owner: duckstore.LoadOwner, Group: cost.RootGroup, Time: clockOf(ctx).Now()}}
			loader := ingest.Loader{Store: so.store, Register: registrar.Register}
			for _, path := range args {
				if loader.Format, err = pickFormat("auto", path, formatOptions{}); err != nil {
					return err
				}
				reports, err := loader.IngestPath(ctx, path)
				for _, r := range reports {
					printReport(cmd.OutOrStdout(), r)
				}
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// waitMerges waits until no shard of the pair's cluster is merging parts
// (ClickHouse merges a load's parts in the background after the load
// returns, on the same cores as what is timed next), and says how long
// that took; it gives up after limit.
func (b *benchScaleOut) waitMerges(ctx context.Context, limit time.Duration) (time.Duration, error) {
	u, err := url.Parse(b.storeURL)
	if err != nil {
		return 0, err
	}
	q := u.Query()
	cluster := q.Get("cluster")
	q.Del("cluster")
	u.RawQuery, u.Path = q.Encode(), ""
	opts, err := clickhouse.ParseDSN(u.String())
	if err != nil {
		return 0, err
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	start := time.Now()
	for quiet := 0; quiet < 2; {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM cluster('"+cluster+"', system, merges)").Scan(&n); err != nil {
			return 0, fmt.Errorf("read the shards' merges: %w", err)
		}
		if quiet++; n > 0 {
			quiet = 0
		}
		if time.Since(start) > limit {
			return time.Since(start), fmt.Errorf("the shards were still merging after %s", limit)
		}
		time.Sleep(time.Second)
	}
	return time.Since(start), nil
}
