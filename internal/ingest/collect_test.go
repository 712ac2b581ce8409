package ingest

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/iampolicy"
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
	c, err := awsapi.New(base, awsapi.Options{Connector: "acme", RoleARN: role, ExternalID: collectExtID, ReportName: "reckon-cur", BaseEndpoint: hs.URL})
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
			l := &Loader{Store: s, TempDir: t.TempDir()}
			ctx := context.Background()

			// A truncated download is retried, not loaded.
			srv.SetFault("GetObject", awsemu.Fault{Kind: awsemu.FaultTruncate, Times: 1})
			reports, err := l.Collect(ctx, client)
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

func mustCollect(t *testing.T, l *Loader, c *awsapi.Client) []Report {
	t.Helper()
	reports, err := l.Collect(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return reports
}
