package api

import (
	"os/exec"
	"strings"
	"testing"
)

// TestTheAPIImportsNoAdapter keeps the API on the domain's seams: it reaches
// the catalog and the cost rows through cost.Catalog and Costs, and AWS
// through the Jobs and Verifier it is given.
func TestTheAPIImportsNoAdapter(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"/internal/web", "/internal/duckstore", "/internal/awsapi", "/internal/iampolicy", "/internal/cursource", "github.com/aws/", "github.com/duckdb/"} {
			if strings.Contains(dep, banned) {
				t.Errorf("internal/api depends on %s", dep)
			}
		}
	}
}
