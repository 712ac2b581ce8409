package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/focusfile"
)

func newExportCommand() *cobra.Command {
	var dataDir, server, scopeID, from, to, format, out string
	cmd := &cobra.Command{
		Use:   "export --data DIR | --server URL --scope S [--from DAY] [--to DAY] [--format focus-csv|focus-parquet] [--out FILE]",
		Short: "Write every cost row as a FOCUS 1.2 file (CSV or Parquet)",
		Long: `Write every stored row whose charge period starts in [--from, --to) as a
FOCUS 1.2 file: the FOCUS columns in the specification's order, exact
amounts, ISO 8601 UTC dates, Tags as JSON, then Reckon's x_ columns.
Reading it into another data folder (reckon ingest) gives the same totals
by every dimension.

With --server the rows are those of --scope that RECKON_TOKEN's user may
read (Reader on the scope); with --data, every row of the store in DIR.
--to is exclusive; without --from or --to the range is open on that side.
--out writes to FILE instead of standard output; a failed export leaves
no FILE.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (dataDir == "") == (server == "") {
				return usageErrorf("give either --data DIR (read the store) or --server URL with --scope (export through the API)")
			}
			if format != "focus-csv" && format != "focus-parquet" {
				return usageErrorf("--format %q: use focus-csv or focus-parquet", format)
			}
			for flag, day := range map[string]string{"--from": from, "--to": to} {
				if _, err := parseDay(flag, day); err != nil {
					return err
				}
			}
			return writeOut(cmd, out, func(w io.Writer) error {
				if server != "" {
					return exportServer(cmd.Context(), server, scopeID, from, to, format, w)
				}
				if scopeID != "" {
					return usageErrorf("--scope needs --server: with --data the export holds every row of the store")
				}
				return exportStore(cmd.Context(), dataDir, from, to, format, w)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	f.StringVar(&server, "server", "", "export through a Reckon server instead, as RECKON_TOKEN's user")
	f.StringVar(&scopeID, "scope", "", "with --server: the scope whose rows to export, e.g. aws/accounts/123456789012")
	f.StringVar(&from, "from", "", "first day, YYYY-MM-DD (inclusive)")
	f.StringVar(&to, "to", "", "end day, YYYY-MM-DD (exclusive)")
	f.StringVar(&format, "format", "focus-csv", "focus-csv or focus-parquet")
	f.StringVar(&out, "out", "", "write to FILE instead of standard output")
	return cmd
}

// writeOut runs write on standard output, or on a file beside out that
// becomes out only when write succeeds.
func writeOut(cmd *cobra.Command, out string, write func(io.Writer) error) error {
	if out == "" {
		bw := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return fmt.Errorf("--out %s: %w", out, err)
	}
	defer os.Remove(f.Name()) // after the rename, nothing
	bw := bufio.NewWriterSize(f, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("--out %s: %w", out, cerr)
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return fmt.Errorf("--out %s: %w", out, err)
	}
	return nil
}

// exportServer streams GET /api/v1/export to w.
func exportServer(ctx context.Context, server, scopeID, from, to, format string, w io.Writer) error {
	if scopeID == "" {
		return usageErrorf("--server needs --scope: the scope whose rows to export")
	}
	c, err := newAPIClient(server)
	if err != nil {
		return err
	}
	c.http.Timeout = 0 // an export takes as long as it takes; the server bounds it
	params := url.Values{"scope": {scopeID}, "format": {format}}
	if from != "" {
		params.Set("from", from)
	}
	if to != "" {
		params.Set("to", to)
	}
	accept := map[string]string{"focus-csv": "text/csv", "focus-parquet": "application/vnd.apache.parquet"}[format]
	return c.stream(ctx, "GET", "/api/v1/export?"+params.Encode(), nil, accept, w)
}

// exportStore writes the store's rows in the range to w.
func exportStore(ctx context.Context, dataDir, from, to, format string, w io.Writer) error {
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, Whole: true}
	q.From, _ = parseDay("--from", from)
	q.To, _ = parseDay("--to", to)
	if err := q.Validate(); err != nil {
		return err
	}
	store, err := duckstore.Open(ctx, dataDir, duckstore.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer store.Close()
	if format == "focus-parquet" {
		return store.WriteParquet(ctx, q, w)
	}
	extra, err := store.ExtraKeys(ctx, q)
	if err != nil {
		return err
	}
	fw, err := focusfile.NewWriter(w, extra)
	if err != nil {
		return err
	}
	if err := store.Rows(ctx, q, fw.Write); err != nil {
		return err
	}
	return fw.Flush()
}
