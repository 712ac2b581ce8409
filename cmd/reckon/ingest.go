package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
)

func newIngestCommand() *cobra.Command {
	var (
		dataDir, server, owner, group, format string
		loader                                ingest.Loader
		formatOpts                            formatOptions
	)
	cmd := &cobra.Command{
		Use:   "ingest --data DIR [--owner USER] | --server URL [--group mg/ID] [--format auto|cur|azure|focus] [--report NAME] [--replace] [--allow-empty] PATH...",
		Short: "Load CURs, Azure cost exports or FOCUS files (folders or single .csv/.csv.gz files) into the store, or into a running server",
		Long: `Load AWS Cost and Usage Reports, Azure cost exports and FOCUS files into the
store in DIR, or upload them to a running Reckon server with --server URL, as
RECKON_TOKEN's user. --format auto (the default) tells them apart by what
PATH holds: manifests (a CUR's, an Azure export's manifest.json) or the
header of its first file.

PATH is a folder laid out like a CUR bucket or prefix (Reckon finds the
manifests and loads each billing period's current version), a folder as an
Azure export writes it to its container (the newest run of each export and
month; an actual and an amortized export of one scope and month load as one
set of rows; --amortized-export names the amortized ones of the older layout,
which has no manifest), a folder of FOCUS files (each folder one delivery),
or a single file (.csv or .csv.gz; its billing period is taken from its
rows).

Each billing period is replaced atomically; a version already loaded is
skipped. A billing period of a payer has one truth:

  - Loading a report or file that covers a period another report of the same
    payer already holds is refused, naming what holds it; --replace replaces
    it (and says what it replaced).
  - A folder with several reports for one payer (an hourly and a daily one)
    loads one: the one --report names, else the one the store already holds,
    else it is refused, listing them. The others are named in warnings.
  - A delivery with no rows for a month that holds cost (a restated manifest
    whose reportKeys is empty, or whose files hold only a header) is refused
    and the month kept; --allow-empty empties the month.

Hostile or damaged files are refused with the file, line and column: a cell
over 1 MiB, a record over 4 MiB or 65,536 cells, a gzip file inflating to
more than 100 times its size (plus 16 MiB), text that is not UTF-8, a usage
that ends before it starts, and a manifest key that leads out of the folder
(a ".." segment or a symbolic link). Rows charged more than a day outside
their billing period load as they are, with a warning naming the first and a
count on the period's line.

Every billing account and account with cost becomes a scope in the same
transaction as its rows, so that reckon serve shows it: new ones are owned by
--owner (the administrator "admin" by default) and new accounts go to
--group (mg/root by default). Accounts that exist stay where they are.

With --server, each file is sent as it is and each folder as a tar stream;
the server loads them as above, with your rights: you need Contributor on
--group, and on every billing account and account the rows name that is a
scope already (new ones become yours). The server refuses an upload past
its size limit (reckon serve --max-upload) and loads nothing of it.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := ingestFlagsAgree(cmd, dataDir, server); err != nil {
				return err
			}
			if server != "" {
				return ingestRemote(cmd, server, remoteIngest{group: group, report: loader.Report,
					replace: loader.Replace, allowEmpty: loader.AllowEmpty}, args)
			}
			store, err := duckstore.Open(cmd.Context(), dataDir, loadOptions())
			if cost.ErrorCode(err) == cost.EConflict {
				// The store is in use: reckon serve, most often, which takes uploads.
				return cost.Errorf(cost.EConflict, "%s. If it is reckon serve, upload the files to it instead: reckon ingest --server URL %s",
					strings.TrimSuffix(cost.ErrorMessage(err), "."), strings.Join(args, " "))
			}
			if err != nil {
				return err
			}
			defer store.Close()
			// Downloads a killed collection left in the data folder: the
			// store's lock makes them no running process's.
			if err := ingest.RemoveDownloads(filepath.Join(dataDir, "tmp")); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			groupID, err := cost.ParseScopeID(group)
			if err != nil || groupID.Kind() != cost.KindManagementGroup {
				return usageErrorf("--group %q: name a management group, e.g. mg/root", group)
			}
			if err := cost.ValidUserName(owner); err != nil {
				return usageErrorf("--owner: %v", err)
			}
			registrar := &cost.Registrar{Template: cost.Registration{Owner: owner, Group: groupID, Time: clockOf(cmd.Context()).Now()}}
			loader.Store, loader.Register = store, registrar.Register
			if isTerminal(cmd.ErrOrStderr()) {
				loader.Progress = &barProgress{w: cmd.ErrOrStderr()}
			}
			for _, path := range args {
				if loader.Format, err = pickFormat(format, path, formatOpts); err != nil {
					return err
				}
				reports, err := loader.IngestPath(cmd.Context(), path)
				for _, r := range reports {
					printReport(out, r)
				}
				if err != nil {
					return err
				}
			}
			if len(registrar.Skipped) > 0 {
				fmt.Fprintf(out, "  warning: %s\n", unregistrable(registrar.Skipped))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store (created if missing)")
	f.StringVar(&server, "server", "", "upload to this Reckon server instead, as RECKON_TOKEN's user")
	f.StringVar(&owner, "owner", duckstore.LoadOwner, "with --data: the user who owns the billing and linked accounts this load adds")
	f.StringVar(&group, "group", string(cost.RootGroup), "the management group new linked accounts go to")
	f.StringVar(&loader.Report, "report", "", "of several reports for one payer in a folder, load the one named NAME")
	f.BoolVar(&loader.Replace, "replace", false, "replace the billing periods another report or file of the same payer holds")
	f.BoolVar(&loader.AllowEmpty, "allow-empty", false, "let a delivery with no rows empty a month that holds cost")
	f.StringVar(&format, "format", "auto", "what PATH holds: cur, focus or azure; auto tells them apart by their manifests and headers")
	f.StringSliceVar(&formatOpts.amortized, "amortized-export", nil,
		"an Azure export of the older layout (no manifest.json) that holds amortized cost, by name; repeatable")
	return cmd
}

// pickFormat returns the format --format names, or for auto the one that
// reads path.
func pickFormat(name, path string, o formatOptions) (ingest.Format, error) {
	if name == "auto" || name == "" {
		return detectFormat(path, o)
	}
	f, ok := newFormat(name, o)
	if !ok {
		return nil, usageErrorf("--format %q: use auto, cur, focus or azure", name)
	}
	return f, nil
}

// ingestFlagsAgree refuses a command line that mixes a local ingest's
// flags with an upload's.
func ingestFlagsAgree(cmd *cobra.Command, dataDir, server string) error {
	switch {
	case dataDir != "" && server != "":
		return usageErrorf("give --data DIR (load into the store on this machine) or --server URL (upload to a running server), not both")
	case dataDir == "" && server == "":
		return usageErrorf("give --data DIR (load into the store on this machine) or --server URL (upload to a running server)")
	case server != "" && cmd.Flags().Changed("owner"):
		return usageErrorf("--owner is for --data: an upload's new accounts belong to its caller, RECKON_TOKEN's user")
	}
	return nil
}

// loadOptions are the store options of commands that load.
//
// DuckDB runs on one thread: the parser and gzip keep the other core busy,
// and with two threads DuckDB's second worker sometimes spun, costing a
// 5M-row load 9 s of CPU (12.5 s or 18 s at random with two threads, 12.4 s
// every time with one).
//
// DuckDB gets 192 MB: a load streams, and beyond that DuckDB only caches the
// blocks it wrote. On the 5M-row realistic bench file, back to back: 256 MB
// gave 10.00 s and 9.82 s at 420 MB peak RSS, 192 MB 10.08 s and 9.99 s at
// 357 MB; on the high-cardinality one, 24.8 s at 531 MB against 23.6 s at
// 477 MB. (Earlier: 512 MB cost 600 MB of RSS on 10M rows for no speed.)
//
// RECKON_CRASH_AT is the crash tests' hook (duckstore.Options.CrashAt).
func loadOptions() duckstore.Options {
	return duckstore.Options{Threads: 1, MemoryLimit: "192MB", CrashAt: os.Getenv("RECKON_CRASH_AT")}
}

// printReport prints the one-line summary of a billing period's load.
func printReport(w io.Writer, r ingest.Report) {
	period := r.Period.Start.Format("2006-01")
	if r.Skipped {
		fmt.Fprintf(w, "%s  %s  unchanged: version %s is already loaded\n", period, r.Source, short(r.Version))
	} else {
		secs := r.Duration.Seconds()
		rate := ""
		if secs > 0 {
			rate = fmt.Sprintf("  %.0f rows/s  %.1f MB/s", float64(r.Rows)/secs, float64(r.Bytes)/1e6/secs)
		}
		outside := ""
		if r.OutsidePeriod > 0 {
			outside = fmt.Sprintf(" (%d charged outside the billing period)", r.OutsidePeriod)
		}
		fmt.Fprintf(w, "%s  %s  loaded %d rows%s  billed %s %s  version %s  in %s%s\n",
			period, r.Source, r.Rows, outside, r.BilledCost.Fixed(2), r.Currency, short(r.Version), r.Duration.Round(time.Millisecond), rate)
	}
	for _, src := range r.Replaced {
		fmt.Fprintf(w, "  replaced %s\n", src)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
}

func short(version string) string {
	if len(version) > 20 {
		return version[:20] + "…"
	}
	return version
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// barProgress draws a progress bar with rows, MB/s and ETA on a terminal.
type barProgress struct {
	w     io.Writer
	label string
	bar   *progressbar.ProgressBar
}

func (p *barProgress) Start(label string, total int64) {
	p.label = label
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func (p *barProgress) Update(bytesRead, rows int64) {
	p.bar.Describe(fmt.Sprintf("%s  %d rows", p.label, rows))
	_ = p.bar.Set64(bytesRead)
}

func (p *barProgress) Finish() {
	_ = p.bar.Finish()
}

// unregistrable says which account IDs got no scope, and what that means.
func unregistrable(ids []string) string {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	shown := ids[:min(len(ids), 5)]
	more := ""
	if len(ids) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(ids)-len(shown))
	}
	return fmt.Sprintf("account IDs %s%s are neither 12-digit AWS account numbers nor Azure subscription GUIDs: their cost is loaded, "+
		"and reckon query --data sums it, but no scope shows it in reckon serve", strings.Join(shown, ", "), more)
}
