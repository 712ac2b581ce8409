package awsemu

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestInjectedFaults(t *testing.T) {
	ctx := context.Background()
	cfg, srv := connect(t, scenario(t), externalID)
	orgs := organizations.NewFromConfig(cfg)
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	manifest := &s3.GetObjectInput{Bucket: aws.String("billing"), Key: aws.String("cur/reckon/20260801-20260901/reckon-Manifest.json")}

	t.Run("one throttled call is retried by the SDK", func(t *testing.T) {
		srv.SetFault("ListAccounts", Fault{Kind: FaultThrottle, Times: 1})
		if _, err := orgs.ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
			t.Fatalf("ListAccounts after one throttle: %v", err)
		}
	})
	t.Run("a 429 is retried by the SDK", func(t *testing.T) {
		srv.SetFault("ListAccounts", Fault{Kind: FaultTooMany, Times: 2})
		if _, err := orgs.ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
			t.Fatalf("ListAccounts after two 429s: %v", err)
		}
	})
	t.Run("access denied reaches the caller with the service's code", func(t *testing.T) {
		srv.SetFault("DescribeReportDefinitions", Fault{Kind: FaultAccessDenied})
		defer srv.SetFault("DescribeReportDefinitions", Fault{})
		_, err := costandusagereportservice.NewFromConfig(cfg).DescribeReportDefinitions(ctx, &costandusagereportservice.DescribeReportDefinitionsInput{})
		if errorCode(err) != "AccessDeniedException" {
			t.Fatalf("error = %v, want AccessDeniedException", err)
		}
	})
	t.Run("a truncated body fails the read", func(t *testing.T) {
		srv.SetFault("GetObject", Fault{Kind: FaultTruncate, Times: 1})
		out, err := sc.GetObject(ctx, manifest)
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		defer out.Body.Close()
		if _, err := io.ReadAll(out.Body); err == nil {
			t.Fatal("reading a truncated body succeeded")
		}
	})
	t.Run("a slow answer still arrives", func(t *testing.T) {
		srv.SetFault("HeadObject", Fault{Kind: FaultSlow, Delay: 20 * time.Millisecond, Times: 1})
		head, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: manifest.Bucket, Key: manifest.Key})
		if err != nil || aws.ToInt64(head.ContentLength) != int64(len(`{"reportName":"reckon"}`)) {
			t.Fatalf("HeadObject = %+v, %v", head, err)
		}
	})
	t.Run("server errors are retried, then reported", func(t *testing.T) {
		srv.SetFault("ListAccounts", Fault{Kind: FaultServerError})
		defer srv.SetFault("ListAccounts", Fault{})
		if _, err := orgs.ListAccounts(ctx, &organizations.ListAccountsInput{}); err == nil {
			t.Fatal("ListAccounts succeeded through a permanent server error")
		}
	})
}
