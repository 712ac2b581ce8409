package main

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestEndToEndThroughTheCLI is issue 4's scenario: reckon serve beside the
// AWS emulator, and then only the CLI: create a connector and collect, see
// the discovered accounts by name, give a second user Reader on one linked
// account, and check what that user may query.
func TestEndToEndThroughTheCLI(t *testing.T) {
	const ext = "Vb7qLm2Xc9Rt4Nw8Kp1Zs6Hd3Jf5Ga0Y"
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 11, Months: 2, RowsPerMonth: 400, ReportName: "reckon", Prefix: "cur"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range want.ByAccount {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	accounts := make([]awsemu.Account, len(ids))
	for i, id := range ids {
		accounts[i] = awsemu.Account{ID: id, Name: "Team " + id[len(id)-4:], State: "ACTIVE"}
	}
	accounts[len(accounts)-1].State = "SUSPENDED" // it stays, marked
	const payer = testPayer
	roleARN := testRoleARN
	st := emulatorState(bucket, ext)
	st.Accounts = accounts
	emu := awsemu.New(st, nil)
	hs := httptest.NewServer(emu)
	defer hs.Close()
	base, admin, stop := startServe(t, t.TempDir(), awsTestEnv, "--aws-endpoint", hs.URL)
	var transcript strings.Builder
	run := func(token string, args ...string) string {
		t.Helper()
		cmd := reckonProcess([]string{"RECKON_TOKEN=" + token, "RECKON_EXT=" + ext}, append(args, "--server", base)...)
		out, err := cmd.CombinedOutput()
		transcript.Write(out)
		if err != nil {
			t.Fatalf("reckon %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(admin, "connector", "create", "--name", "acme", "--role-arn", roleARN, "--external-id-env", "RECKON_EXT", "--report", "reckon")
	if out := run(admin, "connector", "verify", "acme"); strings.Contains(out, "error") || !strings.Contains(out, "ok") {
		t.Errorf("verify:\n%s", out)
	}
	out := run(admin, "connector", "collect", "acme")
	if strings.Count(out, "loaded") != 2 || !strings.Contains(out, "discovered aws/billing/"+payer) {
		t.Errorf("collect:\n%s", out)
	}
	out = run(admin, "scope", "list")
	t.Logf("reckon scope list:\n%s", out)
	for _, id := range ids {
		if !strings.Contains(out, "aws/accounts/"+id+"  Team "+id[len(id)-4:]) {
			t.Errorf("scope list lacks %s by name:\n%s", id, out)
		}
	}
	last := ids[len(ids)-1]
	if !regexp.MustCompile(`aws/accounts/` + last + `\s+Team \d+ \(suspended\)\s+Owner`).MatchString(out) {
		t.Errorf("the suspended account %s is not marked:\n%s", last, out)
	}
	if !strings.Contains(out, "aws/billing/"+payer) || !strings.Contains(out, "connectors/acme") {
		t.Errorf("scope list lacks the billing account or the connector:\n%s", out)
	}
	run(admin, "user", "create", "ana")
	ana := strings.TrimSpace(run(admin, "token", "create", "--user", "ana"))
	mine, sibling := ids[1], ids[2]
	run(admin, "access", "assign", "--user", "ana", "--role", "Reader", "--scope", "aws/accounts/"+mine)
	out = run(ana, "query", "--scope", "aws/accounts/"+mine, "--format", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || decimal.MustParse(strings.Split(lines[1], ",")[0]).Cmp(decimal.MustParse(want.ByAccount[mine].BilledCost)) != 0 {
		t.Errorf("ana's query on her account:\n%s\nwant %s", out, want.ByAccount[mine].BilledCost)
	}
	for _, scope := range []string{"aws/accounts/" + sibling, "aws/billing/" + payer, "mg/root"} {
		cmd := reckonProcess([]string{"RECKON_TOKEN=" + ana}, "query", "--scope", scope, "--server", base)
		out, err := cmd.CombinedOutput()
		transcript.Write(out)
		if err == nil || !strings.Contains(string(out), "ana may not read "+scope) {
			t.Errorf("ana on %s: %v %s, want a 403 message", scope, err, out)
		}
	}
	// The admin's view of the billing account reconciles with the generator.
	out = run(admin, "query", "--scope", "aws/billing/"+payer, "--format", "csv")
	if got := strings.Split(strings.Split(out, "\n")[1], ",")[0]; decimal.MustParse(got).Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("billing account total %s, want %s", got, want.BilledCost)
	}
	// The connector's account is its identity; a subscription to bill renews it.
	cmd := reckonProcess([]string{"RECKON_TOKEN=" + admin}, "connector", "edit", "acme", "--role-arn", "arn:aws:iam::999999999999:role/x", "--server", base)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "create a new connector for account 999999999999") {
		t.Errorf("edit to another account: %v %s", err, out)
	}
	// A new role name in the same account is accepted and verified again.
	if out := run(admin, "connector", "edit", "acme", "--role-arn", "arn:aws:iam::"+payer+":role/renamed"); !strings.Contains(out, "Verified again") || !strings.Contains(out, "FailedToAssumeRole") {
		t.Errorf("edit the role name:\n%s", out)
	}
	run(admin, "connector", "edit", "acme", "--role-arn", roleARN)
	if out := run(admin, "connector", "list"); !strings.Contains(out, "aws/billing/"+payer) || !strings.Contains(out, "Trial") {
		t.Errorf("connector list:\n%s", out)
	}
	run(admin, "subscription", "create", "11111111-2222-3333-4444-555555555555", "--name", "Azure prod")
	if out := run(admin, "connector", "edit", "acme", "--billing-subscription", "azure/subscriptions/11111111-2222-3333-4444-555555555555"); !strings.Contains(out, "(Trial)") {
		t.Errorf("renew: %s", out)
	}
	out = run(admin, "connector", "show", "acme")
	if !strings.Contains(out, `"autoRenew": true`) { // it renews when the trial ends
		t.Errorf("show after renewal:\n%s", out)
	}
	transcript.WriteString(out)
	stdout, stderr := stop()
	// No secret anywhere: not the external ID in any output or log line,
	// and no token outside the one place it is printed on creation.
	all := transcript.String() + stdout + stderr
	if strings.Contains(all, ext) {
		t.Error("the external ID appears in an output or log line")
	}
	if strings.Count(all, ana) != 1 || strings.Count(all, admin) != 1 {
		t.Errorf("a token appears more than once (ana %d, admin %d)", strings.Count(all, ana), strings.Count(all, admin))
	}
}
