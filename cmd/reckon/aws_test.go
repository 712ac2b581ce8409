package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// policies splits setup-policy's output into its two JSON documents.
func policies(t *testing.T, out string) (perms, trust *iampolicy.Document) {
	t.Helper()
	var docs []*iampolicy.Document
	for _, block := range strings.Split(out, "\n\n") {
		block = strings.TrimSpace(block)
		if i := strings.Index(block, "{"); i >= 0 && strings.HasPrefix(block, "#") {
			d, err := iampolicy.Parse(block[i:])
			if err != nil {
				t.Fatalf("a printed policy does not parse: %v\n%s", err, block)
			}
			docs = append(docs, d)
		}
	}
	if len(docs) != 2 {
		t.Fatalf("found %d policies in:\n%s", len(docs), out)
	}
	return docs[0], docs[1]
}

func TestSetupPolicyPrintsLeastPrivilegeAndATrustPolicy(t *testing.T) {
	code, out, stderr := cli(t, "aws", "setup-policy", "--account", "012345678901", "--bucket", "billing",
		"--prefix", "cur", "--trusted-account", "111122223333", "--external-id", "ext-id-for-the-test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	perms, trust := policies(t, out)
	if findings := iampolicy.Audit([]*iampolicy.Document{perms}, "billing", "cur"); len(findings) != 0 {
		t.Errorf("the printed permissions policy audits with findings: %+v", findings)
	}
	if problems := iampolicy.TrustProblems(trust, "111122223333", "ext-id-for-the-test"); len(problems) != 0 {
		t.Errorf("the printed trust policy has problems: %v", problems)
	}
	if strings.Contains(out, "generated") {
		t.Error("it claims to have generated the external ID it was given")
	}
}

func TestSetupPolicyGeneratesAStrongExternalID(t *testing.T) {
	_, out, _ := cli(t, "aws", "setup-policy", "--account", "012345678901", "--bucket", "billing", "--trusted-account", "111122223333")
	_, trust := policies(t, out)
	i := strings.LastIndex(out, ": ")
	id := strings.TrimSpace(out[i+2:])
	if len(id) < 32 || iampolicy.ValidExternalID(id) != nil {
		t.Fatalf("generated external ID %q is weak or invalid", id)
	}
	if problems := iampolicy.TrustProblems(trust, "111122223333", id); len(problems) != 0 {
		t.Errorf("the trust policy does not require the generated ID: %v", problems)
	}
}

func TestSetupPolicyRefusesBadIdentifiers(t *testing.T) {
	for _, args := range [][]string{
		{"--account", "12345", "--bucket", "b", "--trusted-account", "111122223333"},
		{"--account", "012345678901", "--bucket", "b", "--trusted-account", "x"},
		{"--account", "012345678901", "--trusted-account", "111122223333"},
		{"--account", "012345678901", "--bucket", "b", "--trusted-account", "111122223333", "--external-id", "a b"},
	} {
		code, _, stderr := cli(t, append([]string{"aws", "setup-policy"}, args...)...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, %q; want a usage error", args, code, stderr)
		}
		if strings.Contains(stderr, "a b") {
			t.Errorf("the error repeats the external ID: %s", stderr)
		}
	}
}

func TestTheEmulatorServesAStateFile(t *testing.T) {
	dir := t.TempDir()
	state := map[string]any{
		"callers":           []map[string]string{{"accessKeyId": "AKIATEST", "secretAccessKey": "s", "account": "111122223333"}},
		"managementAccount": "012345678901",
		"roles": []map[string]any{{"arn": "arn:aws:iam::012345678901:role/reckon",
			"trustPolicy": json.RawMessage(iampolicy.TrustPolicy("111122223333", "the-external-id"))}},
		"buckets": []map[string]string{{"name": "billing", "dir": "bucket"}},
	}
	data, _ := json.Marshal(state)
	path := filepath.Join(dir, "state.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := reckonProcess(nil, "aws", "emulator", "--listen", "127.0.0.1:0", "--state", path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(line[strings.Index(line, "http://"):])
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "s", "")})
	out, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::012345678901:role/reckon"),
		RoleSessionName: aws.String("reckon-test"), ExternalId: aws.String("the-external-id")})
	if err != nil || !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") {
		t.Fatalf("AssumeRole = %+v, %v", out, err)
	}
}
