package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// focusCSV is n FOCUS rows of one billing account and sub-account in
// September 2026, each billing amount.
func focusCSV(provider, account, subAccount string, n int, amount string) []byte {
	var b strings.Builder
	b.WriteString("BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,BilledCost,EffectiveCost,ListCost," +
		"ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName,PublisherName,InvoiceIssuerName,ServiceName,SubAccountId,SubAccountName\n")
	for i := range n {
		day := 1 + i%29
		b.WriteString(strings.Join([]string{account, "Acme " + provider, "USD", "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z", amount, amount, amount,
			"Usage", fmt.Sprintf("2026-09-%02dT00:00:00Z", day), fmt.Sprintf("2026-09-%02dT00:00:00Z", day+1), provider, provider, provider,
			"Compute", subAccount, "Acme " + provider + " workload"}, ",") + "\n")
	}
	return []byte(b.String())
}

// TestAFOCUSSourceInS3ThroughTheAPI collects FOCUS files from an S3 bucket
// (the AWS emulator) as the customer's role with its external ID, through
// the CLI and a running server: the accounts both clouds' files hold become
// scopes in the default group, the totals are the files', a file rewritten
// in place replaces its month, a missing bucket and a wrong external ID
// fail with ExportNotFound and FailedToAssumeRole, and the external IDs
// are never shown.
func TestAFOCUSSourceInS3ThroughTheAPI(t *testing.T) {
	const ext = "Fq3wE8rT1yU6iO0pA5sD9fG2hJ7kL4zX"
	const sub = "9f8e7d6c-0000-4000-8000-0000000000bb"
	bucket := t.TempDir()
	put := func(key string, data []byte) {
		t.Helper()
		p := filepath.Join(bucket, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("cur/focus/BILLING_PERIOD=2026-09/aws.csv", focusCSV("AWS", "111111111111", "222222222222", 30, "1.25"))
	put("cur/focus/manual/azure.csv", focusCSV("Microsoft", "7654321", sub, 20, "2.5"))
	emu := httptest.NewServer(awsemu.New(emulatorState(bucket, ext), nil))
	defer emu.Close()
	base, admin, stop := startServe(t, t.TempDir(), awsTestEnv, "--aws-endpoint", emu.URL)
	api := newRecorder(base).as(admin)
	api.must(t, "POST", "/api/v1/managementGroups", map[string]string{"id": "finops"}, nil)
	run := func(args ...string) (string, error) {
		cmd := reckonProcess([]string{"RECKON_TOKEN=" + admin, "RECKON_EXT=" + ext}, append(args, "--server", base)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("connector", "create", "--name", "focus-s3", "--kind", "focus", "--bucket", "billing", "--prefix", "cur/focus",
		"--role-arn", testRoleARN, "--external-id-env", "RECKON_EXT", "--default-group", "mg/finops")
	if err != nil || !strings.Contains(out, "Created connectors/focus-s3 (focus) reading s3://billing/cur/focus") {
		t.Fatalf("connector create: %v\n%s", err, out)
	}
	transcript := out
	out, err = run("connector", "verify", "focus-s3")
	if err != nil || strings.Count(out, "ok") != 2 {
		t.Errorf("verify: %v\n%s", err, out)
	}
	transcript += out
	var res cost.CollectResult
	api.must(t, "POST", "/api/v1/connectors/focus-s3/collect", nil, &res)
	scopes := api.scopes(t)
	for _, id := range []string{"aws/accounts/222222222222", "azure/subscriptions/" + sub} {
		if s := scopes[id]; s.Group != "mg/finops" || s.Connector != "connectors/focus-s3" {
			t.Errorf("%s: %+v, want it in mg/finops, found by connectors/focus-s3", id, s)
		}
	}
	for scope, want := range map[string]string{"aws/billing/111111111111": "37.5", "azure/billingAccounts/7654321": "50", "mg/finops": "87.5"} {
		if got := api.total(t, scope, "actual", "2026-09-01", "2026-10-01"); got.Cmp(decimal.MustParse(want)) != 0 {
			t.Errorf("%s: %s, want %s", scope, got, want)
		}
	}
	// The folder without BILLING_PERIOD= took its month from its first row;
	// rewritten in place, it replaces September's Azure rows.
	put("cur/focus/manual/azure.csv", focusCSV("Microsoft", "7654321", sub, 8, "2.5"))
	api.must(t, "POST", "/api/v1/connectors/focus-s3/collect", nil, &res)
	if got := api.total(t, "mg/finops", "actual", "2026-09-01", "2026-10-01"); got.Cmp(decimal.MustParse("57.5")) != 0 {
		t.Errorf("after the restatement: %s, want 57.5 (37.5 + 20)", got)
	}
	// A bucket that does not exist, and a wrong external ID.
	const wrongExt = "Zz9wE8rT1yU6iO0pA5sD9fG2hJ7kL4zX"
	var conn connectorView
	for _, c := range []struct{ name, bucket, ext, code string }{
		{"nowhere", "nowhere", ext, cost.EExportNotFound},
		{"wrong-ext", "billing", wrongExt, cost.EFailedToAssumeRole},
	} {
		api.must(t, "POST", "/api/v1/connectors", map[string]string{"name": c.name, "kind": "focus", "bucket": c.bucket,
			"roleArn": testRoleARN, "externalId": c.ext}, nil)
		if status, code := api.call(t, "POST", "/api/v1/connectors/"+c.name+"/collect", nil, nil); status != 400 || code != c.code {
			t.Errorf("collect %s: %d %s, want 400 %s", c.name, status, code, c.code)
		}
		api.must(t, "GET", "/api/v1/connectors/"+c.name, nil, &conn)
		if conn.Collection == nil || conn.Collection.Error == nil || conn.Collection.Error.Code != c.code {
			t.Errorf("%s's collection info: %+v", c.name, conn.Collection)
		}
	}
	api.must(t, "GET", "/api/v1/connectors/focus-s3", nil, &conn)
	if conn.Identity() != "s3://billing" || conn.ExternalID != "" || !slices.Contains([]cost.ConnectorState{cost.StateActive}, conn.State) {
		t.Errorf("the source: %+v", conn.Connector)
	}
	stdout, stderr := stop()
	for _, secret := range []string{ext, wrongExt} {
		if strings.Contains(api.seen.String()+transcript+stdout+stderr, secret) {
			t.Error("an external ID appears in an answer, the CLI's output or the server's log")
		}
	}
	t.Logf("collected FOCUS files from S3 as the role: %v", res.Summary)
}
