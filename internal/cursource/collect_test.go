package cursource_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/klauspost/pgzip"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/jobs"
	"github.com/reckon-finops/reckon/internal/synth"
)

const collectExtID = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"

// emulated starts an emulator whose bucket holds the report in dir and
// returns a client of it.
func emulated(t *testing.T, dir string, versioning string) (*awsapi.Client, *awsemu.Server) {
	t.Helper()
	role := "arn:aws:iam::012345678901:role/reckon-connector"
	st := &awsemu.State{
		Callers:           []awsemu.Caller{{AccessKeyID: "AKIARECKON", SecretAccessKey: "secret", Account: "111122223333"}},
		ManagementAccount: "012345678901",
		Roles: []awsemu.Role{{ARN: role, TrustPolicy: json.RawMessage(iampolicy.TrustPolicy("111122223333", collectExtID)),
			Policies: []awsemu.Policy{{ARN: "arn:aws:iam::012345678901:policy/reckon", Name: "reckon",
				Document: json.RawMessage(iampolicy.PermissionsPolicy("billing", "cur"))}}}},
		Reports: []awsemu.ReportDefinition{{ReportName: "reckon-cur", TimeUnit: "HOURLY", Format: "textORcsv", Compression: "GZIP",
			S3Bucket: "billing", S3Prefix: "cur", S3Region: "us-east-1", ReportVersioning: versioning}},
		Buckets: []awsemu.Bucket{{Name: "billing", Dir: dir}},
	}
	srv := awsemu.New(st, nil)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	base := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIARECKON", "secret", ""),
		Retryer: func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond) }}
	c, err := awsapi.New(base, awsapi.Options{Connector: "acme", RoleARN: role, ExternalID: collectExtID, ReportName: "reckon-cur", BaseEndpoint: hs.URL, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestCollectLoadsEachChangedPeriodFromS3(t *testing.T) {
	for _, layout := range []synth.Versioning{synth.CreateNewReport, synth.OverwriteReport} {
		t.Run(string(layout), func(t *testing.T) {
			bucket := t.TempDir()
			opts := synth.Options{Seed: 31, Months: 2, RowsPerMonth: 800, FilesPerVersion: 2, Prefix: "cur", Versioning: layout, NetColumns: true}
			wantA, err := synth.WriteBucket(bucket, opts)
			if err != nil {
				t.Fatal(err)
			}
			client, srv := emulated(t, bucket, string(layout))
			s := openStore(t)
			l := &ingest.Loader{Store: s, TempDir: t.TempDir()}
			ctx := context.Background()

			// A truncated download is retried, not loaded.
			srv.SetFault("GetObject", awsemu.Fault{Kind: awsemu.FaultTruncate, Times: 1})
			reports, err := l.Collect(ctx, cursource.Remote(client))
			if err != nil {
				t.Fatal(err)
			}
			if len(reports) != 2 || reports[0].Skipped || reports[1].Skipped {
				t.Fatalf("reports = %+v, want two loaded periods", reports)
			}
			checkTotals(t, s, wantA)

			for _, r := range mustCollect(t, l, client) {
				if !r.Skipped {
					t.Errorf("period %s was loaded again without a new version", r.Period)
				}
			}

			opts.Seed = 32 // a restatement of both months
			wantB, err := synth.WriteBucket(bucket, opts)
			if err != nil {
				t.Fatal(err)
			}
			mustCollect(t, l, client)
			checkTotals(t, s, wantB)
		})
	}
}

func mustCollect(t *testing.T, l *ingest.Loader, c *awsapi.Client) []ingest.Report {
	t.Helper()
	reports, err := l.Collect(context.Background(), cursource.Remote(c))
	if err != nil {
		t.Fatal(err)
	}
	return reports
}

// countingRemote counts the report files a collection downloads.
type countingRemote struct {
	ingest.Remote
	downloads int
}

func (c *countingRemote) Download(ctx context.Context, key string, w io.Writer, reset func() error) (int64, error) {
	c.downloads++
	return c.Remote.Download(ctx, key, w, reset)
}

func TestAnUnchangedManifestDownloadsNothing(t *testing.T) {
	bucket := t.TempDir()
	if _, err := synth.WriteBucket(bucket, synth.Options{Seed: 33, Months: 2, RowsPerMonth: 300, FilesPerVersion: 2, Prefix: "cur"}); err != nil {
		t.Fatal(err)
	}
	client, _ := emulated(t, bucket, "CREATE_NEW_REPORT")
	remote := &countingRemote{Remote: cursource.Remote(client)}
	l := &ingest.Loader{Store: openStore(t), TempDir: t.TempDir()}
	if _, err := l.Collect(context.Background(), remote); err != nil {
		t.Fatal(err)
	}
	if remote.downloads != 4 {
		t.Fatalf("the first collection downloaded %d files, want 4 (2 months × 2 files)", remote.downloads)
	}
	remote.downloads = 0
	if _, err := l.Collect(context.Background(), remote); err != nil {
		t.Fatal(err)
	}
	if remote.downloads != 0 {
		t.Errorf("an unchanged report downloaded %d files", remote.downloads)
	}
}

// testClock is a clock the test moves.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

func TestFailedCollectionsKeepTheLoadedData(t *testing.T) {
	bucket := t.TempDir()
	opts := synth.Options{Seed: 34, RowsPerMonth: 500, Prefix: "cur"}
	wantA, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		t.Fatal(err)
	}
	client, srv := emulated(t, bucket, "CREATE_NEW_REPORT")
	s := openStore(t)
	l := &ingest.Loader{Store: s, TempDir: t.TempDir()}
	clock := &testClock{now: time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)}
	sched := &jobs.Scheduler{Clock: clock, Job: func(ctx context.Context) ([]ingest.Report, error) { return l.Collect(ctx, cursource.Remote(client)) }}
	if _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	opts.Seed = 35 // version B is delivered...
	if _, err := synth.WriteBucket(bucket, opts); err != nil {
		t.Fatal(err)
	}

	t.Run("a truncated report file fails the period's load", func(t *testing.T) {
		srv.SetFault("GetObject", awsemu.Fault{Kind: awsemu.FaultTruncate, Match: ".csv.gz"})
		defer srv.SetFault("GetObject", awsemu.Fault{})
		if _, err := sched.RunOnce(context.Background()); err == nil {
			t.Fatal("the collection succeeded on truncated files")
		}
		checkTotals(t, s, wantA)
	})
	t.Run("a permanent error lands in the collection info", func(t *testing.T) {
		srv.SetFault("GetObject", awsemu.Fault{Kind: awsemu.FaultAccessDenied})
		defer srv.SetFault("GetObject", awsemu.Fault{})
		clock.now = clock.now.Add(6 * time.Hour)
		sched.RunOnce(context.Background())
		info := sched.Info()
		if info.Error == nil || info.Error.Code != cost.EAccessDeniedDownloadReport || !strings.Contains(info.Error.Message, "s3:GetObject") {
			t.Fatalf("collection info = %+v, want AccessDeniedDownloadReport", info)
		}
		checkTotals(t, s, wantA)
	})
}

func TestCollectADataExportsLayout(t *testing.T) {
	bucket := t.TempDir()
	export := filepath.Join(bucket, "cur", "reckon-cur")
	dataKey := "cur/reckon-cur/data/BILLING_PERIOD=2024-03/reckon-cur-00001.csv.gz"
	sample, err := os.ReadFile("../awscur/testdata/cur2-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(export, "data", "BILLING_PERIOD=2024-03"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(bucket, filepath.FromSlash(dataKey)))
	if err != nil {
		t.Fatal(err)
	}
	zw := pgzip.NewWriter(f)
	zw.Write(sample)
	zw.Close()
	f.Close()
	meta := filepath.Join(export, "metadata", "BILLING_PERIOD=2024-03")
	if err := os.MkdirAll(meta, 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := `{"executionId":"exec-0001","exportName":"reckon-cur","billingPeriod":{"start":"2024-03-01T00:00:00.000Z","end":"2024-04-01T00:00:00.000Z"},"dataFiles":["s3://billing/` + dataKey + `"]}`
	if err := os.WriteFile(filepath.Join(meta, "reckon-cur-Manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	client, _ := emulated(t, bucket, "CREATE_NEW_REPORT")
	reports := mustCollect(t, &ingest.Loader{Store: openStore(t), TempDir: t.TempDir()}, client)
	if len(reports) != 1 || reports[0].Rows != 7 || reports[0].Version != "exec-0001" ||
		reports[0].BilledCost.Cmp(decimal.MustParse("1.518029341")) != 0 {
		t.Fatalf("reports = %+v, want the export's one period of 7 rows", reports)
	}
}
