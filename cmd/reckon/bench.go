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

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

func newBenchCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure Reckon against a baseline",
	}
	cmd.AddCommand(newBenchIngestCommand(), newBenchBaselineCommand(), newBenchServeCommand(), newBenchQueryCommand(), newBenchAlertsCommand())
	return cmd
}

func newBenchIngestCommand() *cobra.Command {
	var (
		rows        int
		keep        string
		seed        int64
		cardinality string
	)
	cmd := &cobra.Command{
		Use:   "ingest --rows N [--cardinality realistic|high|both] [--keep DIR]",
		Short: "Time Reckon's ingest of a generated CUR against DuckDB's naive read_csv",
		Long: `Generate a CUR of N rows (gzip CSV) and time, on the same file:
(a) reckon ingest, and (b) the naive baseline, DuckDB's
CREATE TABLE AS SELECT * FROM read_csv(file). Each runs as its own process, so
its peak RSS is its own. MB/s is of the gzip file as stored.

--cardinality realistic repeats a few thousand combinations of account,
service, usage type, description and tags, as most CURs do; high gives every
row a distinct description, resource ID and tag value; both (the default)
runs one then the other. Each ends with the line
"ratio <cardinality> <reckon_seconds/baseline_seconds>".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rows <= 0 {
				return usageErrorf("--rows must be positive")
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
				if err := benchIngest(cmd.Context(), cmd.OutOrStdout(), synth.Options{Seed: seed, RowsPerMonth: rows, Cardinality: c}, dir); err != nil {
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
	return cmd
}

func benchIngest(ctx context.Context, out io.Writer, opts synth.Options, keep string) error {
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
	if err := checkTotal(ctx, dataDir, totals.BilledCost); err != nil {
		return err
	}
	fmt.Fprintf(out, "check: sum(BilledCost) = %s, the generator's exact total\n", totals.BilledCost)
	for _, r := range []struct {
		name string
		m    measurement
	}{{"reckon", reckon}, {"baseline", baseline}} {
		secs := r.m.wall.Seconds()
		fmt.Fprintf(out, "%-8s  %7.2f s  %10.0f rows/s  %7.1f MB/s  peak RSS %6.0f MB\n",
			r.name, secs, float64(totals.Rows)/secs, float64(st.Size())/1e6/secs, float64(r.m.maxRSS)/1e6)
	}
	fmt.Fprintf(out, "ratio %s %.3f\n", opts.Cardinality, reckon.wall.Seconds()/baseline.wall.Seconds())
	return nil
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
	res, err := store.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil {
		return err
	}
	got := decimal.Zero
	for _, row := range res.Rows {
		got = got.Add(row.Cost)
	}
	if got.Cmp(decimal.MustParse(want)) != 0 {
		return fmt.Errorf("check failed: Reckon's sum(BilledCost) is %s, the generator's exact total is %s", got, want)
	}
	return nil
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
