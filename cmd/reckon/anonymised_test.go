package main

import (
	"strings"
	"testing"
)

// TestAFileWithAnonymisedAccountIDsLoads: the public koku CURs carry 13-
// and 6-digit account IDs, which cannot be AWS scopes. Their cost loads and
// sums all the same, with a warning naming them, rather than the load
// failing on the registration of its accounts.
func TestAFileWithAnonymisedAccountIDsLoads(t *testing.T) {
	data := t.TempDir()
	code, out, stderr := cli(t, "ingest", "--data", data, "../../internal/awscur/testdata/koku/test_cur.csv")
	if code != 0 || !strings.Contains(out, "account IDs 6838635603105 are neither 12-digit AWS account numbers") {
		t.Fatalf("ingest: %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = cli(t, "query", "--data", data, "--format", "csv")
	if code != 0 || !strings.Contains(out, "0.082749984127434937,USD") {
		t.Fatalf("query: %d\n%s%s", code, out, stderr)
	}
}
