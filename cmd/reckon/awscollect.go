package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/jobs"
)

func newCollectCommand() *cobra.Command {
	var (
		aws     connectorFlags
		dataDir string
		every   time.Duration
		empty   bool
	)
	cmd := &cobra.Command{
		Use:   "collect --data DIR --role-arn ARN --external-id-env VAR --report NAME [--endpoint URL]",
		Short: "Load the CUR from S3: every billing period whose report version changed",
		Long: `Assume the role, find the report, read each billing period's current manifest
in S3, and load every period whose version is not the one loaded, replacing
it atomically. Files stream to DIR/tmp and are removed after the load;
downloads a killed collection left there are removed at start.
The external ID is read from the environment variable VAR.

With --every (6h is what the original connector did: "several times a day")
it keeps collecting at that interval, ±30 minutes of jitter, until
interrupted, and prints the collection info after each run.

The connector is the authority for its payer: a collected period replaces
any other report's or file's version of it, and says so ("replaced …"). A
delivery with no rows for a month that holds cost is refused and the month
kept, unless --allow-empty.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" {
				return usageErrorf("--data DIR is required")
			}
			client, err := aws.client(cmd.Context())
			if err != nil {
				return err
			}
			store, err := duckstore.Open(cmd.Context(), dataDir, loadOptions())
			if err != nil {
				return err
			}
			defer store.Close()
			clock := clockOf(cmd.Context())
			loader := &ingest.Loader{Store: store, TempDir: filepath.Join(dataDir, "tmp"), Clock: clock, AllowEmpty: empty}
			// Downloads a killed collection left (Collect also removes them
			// before and after each run).
			if err := ingest.RemoveDownloads(loader.TempDir); err != nil {
				return err
			}
			if isTerminal(cmd.ErrOrStderr()) {
				loader.Progress = &barProgress{w: cmd.ErrOrStderr()}
			}
			out := cmd.OutOrStdout()
			collect := func(ctx context.Context) ([]ingest.Report, error) {
				reports, err := loader.Collect(ctx, cursource.Remote(client))
				for _, r := range reports {
					printReport(out, r)
				}
				return reports, err
			}
			if every <= 0 {
				_, err := collect(cmd.Context())
				return err
			}
			sched := &jobs.Scheduler{Job: collect, Clock: clock, Interval: every,
				OnDone: func(info jobs.CollectionInfo) {
					b, _ := json.Marshal(info)
					fmt.Fprintf(out, "collectionInfo %s\n", b)
				}}
			sched.Run(cmd.Context())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	aws.register(f, true)
	f.DurationVar(&every, "every", 0, "keep collecting at this interval (e.g. 6h) until interrupted")
	f.BoolVar(&empty, "allow-empty", false, "let a delivery with no rows empty a month that holds cost")
	return cmd
}
