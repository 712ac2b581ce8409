package main

import (
	"bufio"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/synth"
)

// testTarget is what emulatorState's role reads, with its one policy.
var testTarget = iampolicy.Target{Bucket: "billing", Prefix: "cur", RoleARN: testRoleARN,
	PolicyARNs: []string{"arn:aws:iam::" + testPayer + ":policy/reckon"}}

func TestVerifyAgainstTheEmulator(t *testing.T) {
	const ext = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"
	dir := t.TempDir()
	if _, err := synth.WriteBucket(dir, synth.Options{Seed: 3, RowsPerMonth: 200, ReportName: "reckon", Prefix: "cur"}); err != nil {
		t.Fatal(err)
	}
	roleARN := testRoleARN
	st := emulatorState(dir, ext)
	st.Accounts = []awsemu.Account{{ID: testPayer, Name: "Management"}}
	st.Roles[0].Policies[0].Document = json.RawMessage(strings.Replace(testTarget.PermissionsPolicy(), `"ce:GetCostAndUsage"`, `"ce:*"`, 1))
	hs := httptest.NewServer(awsemu.New(st, nil))
	defer hs.Close()
	setAWSTestEnv(t)
	t.Setenv("RECKON_EXT_ID", ext)
	code, out, stderr := cli(t, "aws", "verify", "--role-arn", roleARN, "--external-id-env", "RECKON_EXT_ID",
		"--report", "reckon", "--endpoint", hs.URL, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	var v struct {
		Checks []struct{ Name, Status, Code, Message string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	last := v.Checks[len(v.Checks)-1]
	if len(v.Checks) != 6 || last.Status != "warning" || last.Code != "ExcessPermission" || !strings.Contains(last.Message, "ce:*") {
		t.Errorf("checks = %+v; want six, the last a warning about ce:*", v.Checks)
	}
	if strings.Contains(out+stderr, ext) {
		t.Error("the output shows the external ID")
	}

	t.Setenv("RECKON_EXT_ID", "not-the-external-id")
	code, out, _ = cli(t, "aws", "verify", "--role-arn", roleARN, "--external-id-env", "RECKON_EXT_ID", "--report", "reckon", "--endpoint", hs.URL)
	if code != 1 || !strings.Contains(out, "FailedToAssumeRole") || strings.Contains(out, "not-the-external-id") {
		t.Errorf("with a wrong external ID: exit %d\n%s", code, out)
	}
}

func TestCollectThroughTheCLI(t *testing.T) {
	const ext = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"
	dir := t.TempDir()
	want, err := synth.WriteBucket(dir, synth.Options{Seed: 5, Months: 2, RowsPerMonth: 300, ReportName: "reckon", Prefix: "cur"})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := testRoleARN
	st := emulatorState(dir, ext)
	emu := awsemu.New(st, nil)
	hs := httptest.NewServer(emu)
	defer hs.Close()
	setAWSTestEnv(t)
	t.Setenv("RECKON_EXT_ID", ext)
	data := t.TempDir()
	args := []string{"aws", "collect", "--data", data, "--role-arn", roleARN, "--external-id-env", "RECKON_EXT_ID", "--report", "reckon", "--endpoint", hs.URL}
	code, out, stderr := cli(t, args...)
	if code != 0 || strings.Count(out, "loaded") != 2 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	_, csv, _ := cli(t, "query", "--data", data, "--format", "csv")
	if got := strings.Split(strings.Split(csv, "\n")[1], ",")[0]; decimal.MustParse(got).Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("collected total %s, want %s", got, want.BilledCost)
	}
	if _, out, _ = cli(t, args...); strings.Count(out, "unchanged") != 2 {
		t.Errorf("a second collect loaded again:\n%s", out)
	}

	reconcile := []string{"aws", "reconcile", "--data", data, "--role-arn", roleARN, "--external-id-env", "RECKON_EXT_ID", "--endpoint", hs.URL}
	code, out, stderr = cli(t, reconcile...)
	if code != 0 || strings.Contains(out, "MISMATCH") || strings.Count(out, " ok") != 2*len(want.ByAccount) {
		t.Errorf("reconcile: exit %d, %s\n%s", code, stderr, out)
	}
	// On a schedule: the first run, then the collection info.
	sched := reckonProcess(nil, append(args, "--every", "6h")...)
	pipe, err := sched.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sched.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(pipe)
	var info string
	for lines.Scan() {
		if line := lines.Text(); strings.HasPrefix(line, "collectionInfo ") {
			info = line
			break
		}
	}
	sched.Process.Kill()
	sched.Wait()
	if !strings.Contains(info, `"lastChecked"`) || strings.Contains(info, `"error"`) {
		t.Errorf("scheduled collect printed %q", info)
	}

	emu.SetCostExplorerSkew("045678901234", decimal.MustParse("0.01"))
	code, out, stderr = cli(t, reconcile...)
	if code != 1 || strings.Count(out, "MISMATCH") != 2 || !strings.Contains(out, "-0.01") {
		t.Errorf("reconcile with a one-cent discrepancy: exit %d\n%s", code, out)
	}
	seen := out + stderr
	for _, run := range [][]string{
		{"aws", "verify", "--role-arn", roleARN, "--external-id-env", "RECKON_EXT_ID", "--report", "reckon", "--endpoint", hs.URL},
		{"aws", "verify", "--role-arn", roleARN, "--external-id-env", "RECKON_EXT_ID", "--report", "reckon", "--endpoint", hs.URL, "--format", "json"},
		args, reconcile,
	} {
		_, o, e := cli(t, run...)
		seen += o + e
	}
	t.Setenv("RECKON_EXT_ID", "a-wrong-external-id")
	for _, run := range [][]string{args, reconcile} {
		_, o, e := cli(t, run...)
		seen += o + e
	}
	for _, secret := range []string{ext, "a-wrong-external-id"} {
		if strings.Contains(seen, secret) {
			t.Errorf("an external ID appears in the output of verify, collect or reconcile")
		}
	}
}
