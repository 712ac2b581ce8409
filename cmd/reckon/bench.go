package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // DuckDB for the naive baseline
	"github.com/klauspost/pgzip"
	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

func newBenchCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure Reckon against a baseline",
	}
	cmd.AddCommand(newBenchIngestCommand(), newBenchBaselineCommand(), newBenchServeCommand(), newBenchQueryCommand(), newBenchAlertsCommand(),
		newBenchScaleOutLoadCommand())
	return cmd
}

func newBenchIngestCommand() *cobra.Command {
	var (
		rows        int
		keep        string
		seed        int64
		cardinality string
		so          benchScaleOutFlags
	)
	cmd := &cobra.Command{
		Use:   "ingest --rows N [--cardinality realistic|high|both] [--keep DIR] [--store clickhouse://… --catalog postgres://…]",
		Short: "Time Reckon's ingest of a generated CUR against DuckDB's naive read_csv",
		Long: `Generate a CUR of N rows (gzip CSV) and time, on the same file:
(a) reckon ingest, and (b) the naive baseline, DuckDB's
CREATE TABLE AS SELECT * FROM read_csv(file). Each runs as its own process, so
its peak RSS is its own. MB/s is of the gzip file as stored.

--cardinality realistic repeats a few thousand combinations of account,
service, usage type, description and tags, as most CURs do; high gives every
row a distinct description, resource ID and tag value; both (the default)
runs one then the other. Each ends with the line
"ratio <cardinality> <reckon_seconds/baseline_seconds>".

With --store and --catalog, the same file is also loaded into the ClickHouse
store (with its load versions and catalog in PostgreSQL) by the loader
reckon ingest uses, in its own process, into a ClickHouse database and a
PostgreSQL database made for the run (dropped after it unless --keep); its
total is checked too, and a line "clickhouse <cardinality>" compares it with
the embedded store. The ClickHouse servers' own CPU and memory are not in
the loader's figures: on one machine they share its cores.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rows <= 0 {
				return usageErrorf("--rows must be positive")
			}
			if err := so.check(); err != nil {
				return err
			}
			var cards []synth.Cardinality
			switch cardinality {
			case "both":
				cards = []synth.Cardinality{synth.RealisticCardinality, synth.HighCardinality}
			case string(synth.RealisticCardinality), string(synth.HighCardinality):
				cards = []synth.Cardinality{synth.Cardinality(cardinality)}
			default:
				return usageErrorf("--cardinality is realistic, high or both, not %q", cardinality)
			}
			for _, c := range cards {
				dir := keep
				if dir != "" && len(cards) > 1 {
					dir = filepath.Join(keep, string(c))
				}
				if err := benchIngest(cmd.Context(), cmd.OutOrStdout(), synth.Options{Seed: seed, RowsPerMonth: rows, Cardinality: c}, dir, so); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&rows, "rows", 1_000_000, "rows to generate")
	cmd.Flags().StringVar(&keep, "keep", "", "keep the generated CUR and both databases in DIR")
	cmd.Flags().Int64Var(&seed, "seed", 1, "generator seed")
	cmd.Flags().StringVar(&cardinality, "cardinality", "both", "realistic, high or both")
	so.add(cmd)
	return cmd
}

func benchIngest(ctx context.Context, out io.Writer, opts synth.Options, keep string, so benchScaleOutFlags) error {
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "reckon-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(dir, "cur.csv.gz")
	genStart := time.Now()
	totals, err := writeGzipCUR(file, opts)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s cardinality: generated %d rows, %.1f MB gzip, in %s\n", opts.Cardinality, totals.Rows, float64(st.Size())/1e6, time.Since(genStart).Round(time.Millisecond))

	self, err := os.Executable()
	if err != nil {
		return err
	}
	warm(file)
	dataDir := filepath.Join(dir, "reckon-data")
	os.RemoveAll(dataDir)
	reckon, err := timeProcess(ctx, self, "ingest", "--data", dataDir, file)
	if err != nil {
		return fmt.Errorf("reckon ingest: %w", err)
	}
	baseDB := filepath.Join(dir, "baseline.duckdb")
	os.Remove(baseDB)
	baseline, err := timeProcess(ctx, self, "bench", "baseline", "--db", baseDB, file)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	results := []benchResult{{"reckon", reckon}, {"baseline", baseline}}
	if so.on() {
		m, err := benchIngestScaleOut(ctx, out, so, self, file, keep != "", totals.BilledCost)
		if err != nil {
			return err
		}
		results = append(results, benchResult{"clickhouse", m})
	}
	if err := checkTotal(ctx, dataDir, totals.BilledCost); err != nil {
		return err
	}
	fmt.Fprintf(out, "check: sum(BilledCost) = %s, the generator's exact total\n", totals.BilledCost)
	if so.on() {
		fmt.Fprintf(out, "check: the ClickHouse store's sum(BilledCost) = %s too\n", totals.BilledCost)
	}
	for _, r := range results {
		secs := r.m.wall.Seconds()
		fmt.Fprintf(out, "%-10s  %7.2f s  %10.0f rows/s  %7.1f MB/s  peak RSS %6.0f MB\n",
			r.name, secs, float64(totals.Rows)/secs, float64(st.Size())/1e6/secs, float64(r.m.maxRSS)/1e6)
	}
	if so.on() {
		ch := results[2].m
		fmt.Fprintf(out, "clickhouse %s: %.2f× the embedded store's seconds (%.3f× its rows/s), %.2f× its loader's peak RSS; the two ClickHouse servers ran on the same cores, their CPU and memory not counted\n",
			opts.Cardinality, ch.wall.Seconds()/reckon.wall.Seconds(), reckon.wall.Seconds()/ch.wall.Seconds(), float64(ch.maxRSS)/float64(reckon.maxRSS))
	}
	fmt.Fprintf(out, "ratio %s %.3f\n", opts.Cardinality, reckon.wall.Seconds()/baseline.wall.Seconds())
	return nil
}

// benchResult is one contender's measurement.
type benchResult struct {
	name string
	m    measurement
}

// benchIngestScaleOut loads file into a fresh scale-out pair, timed as
// the embedded store's ingest is, and checks its total.
func benchIngestScaleOut(ctx context.Context, out io.Writer, f benchScaleOutFlags, self, file string, keep bool, want string) (measurement, error) {
	so, err := newBenchScaleOut(ctx, f)
	if err != nil {
		return measurement{}, err
	}
	so.announce(out, keep)
	defer so.finish(ctx, out, keep)
	m, err := so.load(ctx, self, file)
	if err != nil {
		return measurement{}, fmt.Errorf("load into the ClickHouse store: %w", err)
	}
	settled, err := so.waitMerges(ctx, 15*time.Minute)
	if err != nil {
		return measurement{}, err
	}
	fmt.Fprintf(out, "clickhouse: the shards' background merges of the load ended %.0f s after it (not in its time)\n", settled.Seconds())
	return m, so.checkTotal(ctx, want)
}

// writeGzipCUR generates a CUR into path as gzip.
func writeGzipCUR(path string, o synth.Options) (*synth.Totals, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zw, err := pgzip.NewWriterLevel(f, pgzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	totals, err := synth.WriteCSV(zw, o)
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return totals, f.Close()
}

// warm reads the file once so that neither contender pays for the disk.
func warm(path string) {
	if f, err := os.Open(path); err == nil {
		io.Copy(io.Discard, f)
		f.Close()
	}
}

type measurement struct {
	wall   time.Duration
	maxRSS int64 // bytes
}

// timeProcess runs a command and measures its wall time and peak RSS.
func timeProcess(ctx context.Context, name string, args ...string) (measurement, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return measurement{}, err
	}
	m := measurement{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss * 1024 // Linux reports kilobytes
	}
	return m, nil
}

func checkTotal(ctx context.Context, dataDir, want string) error {
	store, err := duckstore.Open(ctx, dataDir, duckstore.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer store.Close()
	return checkStoreTotal(ctx, store, "Reckon's", want)
}

func newBenchBaselineCommand() *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:    "baseline --db FILE CUR",
		Short:  "The naive baseline: DuckDB CREATE TABLE AS SELECT * FROM read_csv(CUR)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			conn, err := sql.Open("duckdb", db)
			if err != nil {
				return err
			}
			defer conn.Close()
			_, err = conn.ExecContext(cmd.Context(), `CREATE TABLE cur AS SELECT * FROM read_csv(?)`, args[0])
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "DuckDB file to create")
	return cmd
}
