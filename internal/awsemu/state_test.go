package awsemu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/iampolicy"
)

func TestStateFilesInJSONAndYAML(t *testing.T) {
	dir := t.TempDir()
	yamlState := `
callers:
  - accessKeyId: AKIARECKON
    secretAccessKey: secret
    account: "111122223333"
managementAccount: "012345678901"
accounts:
  - {id: "012345678901", name: Management}
  - {id: "045678901234", name: Data, state: SUSPENDED}
roles:
  - arn: arn:aws:iam::012345678901:role/reckon
    trustPolicy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "arn:aws:iam::111122223333:root"}
          Action: sts:AssumeRole
          Condition: {StringEquals: {"sts:ExternalId": "the-external-id"}}
    policies:
      - arn: arn:aws:iam::012345678901:policy/reckon
        name: reckon
        document: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::billing/*"}}'
buckets:
  - {name: billing, dir: bucket}
`
	path := filepath.Join(dir, "state.yaml")
	if err := os.WriteFile(path, []byte(yamlState), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Accounts[0].ID != "012345678901" || st.Accounts[1].State != "SUSPENDED" || st.Buckets[0].Dir != filepath.Join(dir, "bucket") {
		t.Errorf("state = %+v", st)
	}
	trust, err := iampolicy.Parse(docText(st.Roles[0].TrustPolicy))
	if err != nil || len(iampolicy.TrustProblems(trust, "111122223333", "the-external-id")) != 0 {
		t.Errorf("the YAML trust policy: %v", err)
	}
	if _, err := iampolicy.Parse(docText(st.Roles[0].Policies[0].Document)); err != nil {
		t.Errorf("a policy written as a string: %v", err)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"callers": []}`), 0o644)
	if _, err := LoadState(bad); err == nil || !strings.Contains(err.Error(), "callers") {
		t.Errorf("a state without callers: %v", err)
	}
}
