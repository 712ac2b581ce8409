package web_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestTheUIImportsNeitherTheAPINorAnAdapter keeps the UI on what it
// declares: it checks tokens through Tokens and hands other paths to an
// http.Handler, and the API reaches its sessions through api.Sessions.
func TestTheUIImportsNeitherTheAPINorAnAdapter(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"/internal/api", "/internal/duckstore", "/internal/awsapi", "github.com/aws/", "github.com/duckdb/"} {
			if strings.Contains(dep, banned) {
				t.Errorf("internal/web depends on %s", dep)
			}
		}
	}
}
