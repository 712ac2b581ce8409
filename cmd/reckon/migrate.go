package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

func newMigrateCommand() *cobra.Command {
	var from, toStore, toCatalog string
	cmd := &cobra.Command{
		Use:   "migrate --from DIR --to-store clickhouse://HOST:PORT?cluster=NAME --to-catalog postgres://…",
		Short: "Move an embedded installation (a data folder) to the scale-out pair: PostgreSQL and ClickHouse",
		Long: `Copy the catalog of the data folder --from (scopes and groups, role
assignments, users, hashed tokens, connectors and sources with their
external IDs, saved views, budgets, alerts, anomaly subscriptions, exchange
rates and the audit log, each with its IDs and times) into the PostgreSQL
catalog --to-catalog, then every stored billing period of every source into
the ClickHouse store --to-store under the same source, version and origin,
and check the result: the two catalogs read the same, and the cost of every
dimension a query groups by (each column, each tag key, the day) is the same
in both stores to the last decimal for every measure, as are the rows of
every billing period. It prints a line per billing period copied and a
report, and exits 1 on any difference.

The target catalog must be new (as a first open makes it) or hold exactly
the catalog of --from: a migration that stopped half-way is run again with
the same command, and billing periods the store already holds at their
version are not copied again. Anything else in the catalog is refused.
Stop reckon serve on the folder first: the folder is opened read-only.
The connectors' external IDs are sealed with the key in RECKON_CATALOG_KEY;
no secret (external ID, token, URL password) is printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || toStore == "" || toCatalog == "" {
				return usageErrorf("give --from DIR (the data folder), --to-store clickhouse://HOST:PORT?cluster=NAME and --to-catalog postgres://…")
			}
			return migrate(cmd.Context(), cmd.OutOrStdout(), from, toStore, toCatalog)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the data folder of the embedded installation to move")
	cmd.Flags().StringVar(&toStore, "to-store", "", "the ClickHouse cost store, clickhouse://HOST:PORT[/DB]?cluster=NAME")
	cmd.Flags().StringVar(&toCatalog, "to-catalog", "", "the PostgreSQL catalog, postgres://USER:PASSWORD@HOST:PORT/DB")
	return cmd
}

// errMigrationDiffers is the error of a migration whose check found a
// difference; the differences are printed before it.
var errMigrationDiffers = errors.New("the copy differs from the data folder (see above): do not switch to it")

// migrate moves the data folder's catalog and cost rows to the scale-out
// pair and checks the copy.
func migrate(ctx context.Context, out io.Writer, from, storeURL, catalogURL string) error {
	src, err := duckstore.Open(ctx, from, duckstore.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("open the data folder %s: %w", from, err)
	}
	defer src.Close()
	contents, err := readContents(ctx, src)
	if err != nil {
		return err
	}
	if err := needKey(contents); err != nil {
		return err
	}
	dst, err := openScaleOut(ctx, storeURL, catalogURL)
	if err != nil {
		return err
	}
	defer dst.Close()
	fmt.Fprintf(out, "Moving %s to the catalog %s and the store %s\n", from, shownURL(catalogURL), shownURL(storeURL))

	if err := copyCatalog(ctx, out, contents, dst.catalog); err != nil {
		return err
	}
	start := time.Now()
	copied, err := copyLoads(ctx, out, src, dst.store)
	if err != nil {
		return err
	}
	copyTime, start := time.Since(start), time.Now()
	check, err := verifyMigration(ctx, src, dst.store, copied.loads)
	if err != nil {
		return err
	}
	versions, err := checkVersions(ctx, dst.store, copied.loads)
	if err != nil {
		return err
	}
	check.differences = append(check.differences, versions...)
	checkTime := time.Since(start)
	after, err := readContents(ctx, dst.catalog)
	if err != nil {
		return err
	}
	check.differences = append(check.differences, prefixed("catalog: ", contents.Diff(after))...)

	fmt.Fprintf(out, "\nCatalog: %s\n", contents.Counts())
	fmt.Fprintf(out, "Cost rows: %d billing periods of %d sources, %d rows (%d periods copied, %d already there) in %s\n",
		len(copied.loads), copied.sources, copied.rows, copied.copied, copied.skipped, copyTime.Round(time.Millisecond))
	fmt.Fprintf(out, "Checked in %s: %s\n", checkTime.Round(time.Millisecond), check.summary())
	if len(check.differences) > 0 {
		fmt.Fprintf(out, "\n%d differences:\n", len(check.differences))
		for _, d := range check.differences {
			fmt.Fprintln(out, "  "+d)
		}
		return errMigrationDiffers
	}
	fmt.Fprintln(out, "The copy is identical: every total, row count and catalog record.")
	return nil
}

// readContents reads everything a catalog holds, in one snapshot.
func readContents(ctx context.Context, c cost.Catalog) (*cost.CatalogContents, error) {
	var contents *cost.CatalogContents
	err := c.View(ctx, func(r cost.CatalogReader) (err error) {
		contents, err = cost.ReadCatalog(ctx, r)
		return err
	})
	return contents, err
}

// copyCatalog copies the source's catalog into a new target catalog in
// one transaction, or finds it copied already; it refuses a target that
// holds anything else.
func copyCatalog(ctx context.Context, out io.Writer, contents *cost.CatalogContents, dst cost.Catalog) error {
	err := dst.Update(ctx, func(tx cost.CatalogTx) error {
		there, err := cost.ReadCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if !there.IsNew() {
			diff := contents.Diff(there)
			if len(diff) == 0 {
				fmt.Fprintln(out, "The catalog was copied by an earlier run: it holds exactly the folder's catalog")
				return nil
			}
			return usageErrorf("the target catalog is not new and is not a copy of this folder's (%s): "+
				"migrate into a new PostgreSQL database, or drop this one's tables", strings.Join(diff[:min(len(diff), 3)], "; "))
		}
		if err := contents.Write(ctx, tx); err != nil {
			return err
		}
		fmt.Fprintf(out, "Copied the catalog: %s\n", contents.Counts())
		return nil
	})
	if err != nil {
		return fmt.Errorf("copy the catalog: %w", err)
	}
	return nil
}

// needKey refuses, before anything is written, to copy external IDs
// without the key that seals them in the PostgreSQL catalog.
func needKey(c *cost.CatalogContents) error {
	if os.Getenv(catalogKeyEnv) != "" {
		return nil
	}
	for _, conn := range c.Connectors {
		if conn.ExternalID != "" {
			return usageErrorf("the folder's connectors have external IDs, which the PostgreSQL catalog seals with a key: set %s "+
				"to 32 bytes in base64 (head -c 32 /dev/urandom | base64) and keep it, as reckon serve needs the same key", catalogKeyEnv)
		}
	}
	return nil
}

// loadsCopied is what copyLoads did.
type loadsCopied struct {
	loads           []duckstore.StoredLoad
	sources         int
	rows            int64 // in the source
	copied, skipped int
}

// targetStore is what the migration needs of the scale-out store.
type targetStore interface {
	costReader
	LoadedVersion(ctx context.Context, source string, period time.Time) (string, error)
	ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (cost.LoadResult, error)
}

// copyLoads writes every stored billing period of every source into the
// target store under the same source, version and origin, one period at a
// time, skipping those the target holds at the same version already (an
// earlier run's). The catalog was copied whole, so no load registers
// anything.
func copyLoads(ctx context.Context, out io.Writer, src *duckstore.Store, dst targetStore) (loadsCopied, error) {
	loads, err := src.Loads(ctx)
	if err != nil {
		return loadsCopied{}, err
	}
	c := loadsCopied{loads: loads}
	sources := map[string]bool{}
	for i, l := range loads {
		sources[l.Source] = true
		c.rows += l.Rows
		what := fmt.Sprintf("[%d/%d] %s %s (version %s)", i+1, len(loads), l.Source, l.Period.Format("2006-01"), l.Version)
		have, err := dst.LoadedVersion(ctx, l.Source, l.Period)
		if err != nil {
			return c, err
		}
		if have != "" && have == l.Version { // "" is also the version of a period the target lacks
			c.skipped++
			fmt.Fprintf(out, "%s: already there\n", what)
			continue
		}
		began := time.Now()
		rows, err := src.LoadRows(ctx, l.Source, l.Period)
		if err != nil {
			return c, err
		}
		ahead := prefetch(rows, rows.Close)
		res, err := dst.ReplacePeriods(ctx, cost.Load{Source: l.Source, Version: l.Version, Origin: l.Origin,
			Periods: []time.Time{l.Period}, BillingAccount: l.BillingAccount, AllowEmpty: true}, ahead)
		ahead.Close()
		if err != nil {
			return c, fmt.Errorf("copy %s %s: %w", l.Source, l.Period.Format("2006-01"), err)
		}
		c.copied++
		fmt.Fprintf(out, "%s: %d rows in %s\n", what, res.Rows, time.Since(began).Round(time.Millisecond))
	}
	c.sources = len(sources)
	return c, nil
}

// shownURL is a URL as a report shows it: no password, in the user part
// or in the query (a PostgreSQL URL may carry ?password=).
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// checkVersions lists the stored billing periods the target does not hold
// at the folder's version.
func checkVersions(ctx context.Context, dst targetStore, loads []duckstore.StoredLoad) ([]string, error) {
	var out []string
	for _, l := range loads {
		v, err := dst.LoadedVersion(ctx, l.Source, l.Period)
		if err != nil {
			return nil, err
		}
		if v != l.Version {
			out = append(out, fmt.Sprintf("version of %s %s: %q in the copy, %q in the data folder", l.Source, l.Period.Format("2006-01"), v, l.Version))
		}
	}
	return out, nil
}

// prefixed puts p before each of ss.
func prefixed(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}
