package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
)

func newCollectCommand() *cobra.Command {
	var dataDir, roleARN, externalIDEnv, report, endpoint, connector string
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "collect --data DIR --role-arn ARN --external-id-env VAR --report NAME [--endpoint URL]",
		Short: "Load the CUR from S3: every billing period whose report version changed",
		Long: `Assume the role, find the report, read each billing period's current manifest
in S3, and load every period whose version is not the one loaded, replacing
it atomically. Files stream to DIR/tmp and are removed after the load.
The external ID is read from the environment variable VAR.

With --every (6h is what the original connector did: "several times a day")
it keeps collecting at that interval, ±30 minutes of jitter, until
interrupted, and prints the collection info after each run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" || roleARN == "" || report == "" || externalIDEnv == "" {
				return usageErrorf("--data, --role-arn, --external-id-env and --report are required")
			}
			externalID := os.Getenv(externalIDEnv)
			if externalID == "" {
				return usageErrorf("the environment variable %s named by --external-id-env is empty", externalIDEnv)
			}
			base, err := config.LoadDefaultConfig(cmd.Context())
			if err != nil {
				return fmt.Errorf("load Reckon's AWS credentials: %w", err)
			}
			client, err := awsapi.New(base, awsapi.Options{Connector: connector, RoleARN: roleARN, ExternalID: externalID,
				ReportName: report, BaseEndpoint: endpoint})
			if err != nil {
				return err
			}
			store, err := duckstore.Open(cmd.Context(), dataDir, loadOptions())
			if err != nil {
				return err
			}
			defer store.Close()
			loader := &ingest.Loader{Store: store, TempDir: filepath.Join(dataDir, "tmp"), Clock: clock}
			if isTerminal(cmd.ErrOrStderr()) {
				loader.Progress = &barProgress{w: cmd.ErrOrStderr()}
			}
			out := cmd.OutOrStdout()
			collect := func(ctx context.Context) ([]ingest.Report, error) {
				reports, err := loader.Collect(ctx, client)
				for _, r := range reports {
					printReport(out, r)
				}
				return reports, err
			}
			if every <= 0 {
				_, err := collect(cmd.Context())
				return err
			}
			sched := &ingest.Scheduler{Collect: collect, Clock: clock, Interval: every,
				OnDone: func(info ingest.CollectionInfo) {
					b, _ := json.Marshal(info)
					fmt.Fprintf(out, "collectionInfo %s\n", b)
				}}
			sched.Run(cmd.Context())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "data folder of the store")
	f.StringVar(&roleARN, "role-arn", "", "the role Reckon assumes in the management account")
	f.StringVar(&externalIDEnv, "external-id-env", "", "name of the environment variable holding the external ID")
	f.StringVar(&report, "report", "", "the CUR report name")
	f.StringVar(&endpoint, "endpoint", "", "send every AWS call to this URL (the emulator)")
	f.StringVar(&connector, "connector", "cli", "connector name, for the role session name reckon-<connector>")
	f.DurationVar(&every, "every", 0, "keep collecting at this interval (e.g. 6h) until interrupted")
	return cmd
}
