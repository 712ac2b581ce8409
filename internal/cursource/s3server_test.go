package cursource_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestCollectFromARealS3Server collects from versitygw, a real S3 server,
// what an in-process fake could let through: its listing, its object
// streaming and its errors. .ci/run starts it with a posix back end and sets
//
//	RECKON_S3_ENDPOINT  http://127.0.0.1:PORT
//	RECKON_S3_ROOT      the posix root (a bucket is a folder in it)
//	RECKON_S3_ACCESS, RECKON_S3_SECRET  its root keys
//
// STS, CUR and Cost Explorer come from the emulator; S3 from versitygw.
func TestCollectFromARealS3Server(t *testing.T) {
	endpoint, root := os.Getenv("RECKON_S3_ENDPOINT"), os.Getenv("RECKON_S3_ROOT")
	if endpoint == "" || root == "" {
		t.Skip("no S3 server: .ci/run starts versitygw and sets RECKON_S3_ENDPOINT and RECKON_S3_ROOT")
	}
	bucketName := fmt.Sprintf("reckon-%d", time.Now().UnixNano()%1_000_000_000)
	bucket := filepath.Join(root, bucketName)
	if err := os.MkdirAll(bucket, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bucket) })
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 41, Months: 2, RowsPerMonth: 1500, FilesPerVersion: 2, Versions: 2, Prefix: "cur"})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(bucket, synth.TotalsFile))

	role := "arn:aws:iam::012345678901:role/reckon-connector"
	st := &awsemu.State{
		Callers:           []awsemu.Caller{{AccessKeyID: "AKIARECKON", SecretAccessKey: "secret", Account: "111122223333"}},
		ManagementAccount: "012345678901",
		Roles: []awsemu.Role{{ARN: role, TrustPolicy: json.RawMessage(iampolicy.TrustPolicy("111122223333", collectExtID)),
			Policies: []awsemu.Policy{{ARN: "arn:aws:iam::012345678901:policy/reckon", Name: "reckon",
				Document: json.RawMessage(iampolicy.PermissionsPolicy(bucketName, "cur"))}}}},
		Reports: []awsemu.ReportDefinition{{ReportName: "reckon-cur", TimeUnit: "HOURLY", Format: "textORcsv", Compression: "GZIP",
			S3Bucket: bucketName, S3Prefix: "cur", S3Region: "us-east-1", ReportVersioning: "CREATE_NEW_REPORT"}},
	}
	hs := httptest.NewServer(awsemu.New(st, nil))
	defer hs.Close()
	base := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIARECKON", "secret", ""),
		Retryer: func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond) }}
	client, err := awsapi.New(base, awsapi.Options{Connector: "acme", RoleARN: role, ExternalID: collectExtID, ReportName: "reckon-cur",
		BaseEndpoint: hs.URL, S3Endpoint: endpoint,
		S3Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("RECKON_S3_ACCESS"), os.Getenv("RECKON_S3_SECRET"), "")})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	l := &ingest.Loader{Store: s, TempDir: t.TempDir()}
	reports, err := l.Collect(context.Background(), cursource.Remote(client))
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 {
		t.Fatalf("reports = %+v, want two periods", reports)
	}
	checkTotals(t, s, want)
	for _, r := range mustCollect(t, l, client) {
		if !r.Skipped {
			t.Errorf("period %s loaded again", r.Period)
		}
	}
}
