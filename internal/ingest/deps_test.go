package ingest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestThePackagesImportNoAdapterTheyMustNot keeps the seams: ingest reads any
// format through the interfaces it declares, so it must not link a provider
// (AWS CUR parsing, the AWS SDK); the API reaches storage through its own
// interfaces, so it must not link the DuckDB store or the AWS side; and the
// jobs reach the catalog, the cost rows and AWS through interfaces, so they
// link neither DuckDB nor AWS.
func TestThePackagesImportNoAdapterTheyMustNot(t *testing.T) {
	const mod = "github.com/reckon-finops/reckon/"
	for _, c := range []struct {
		pkg       string
		forbidden []string // import paths, or prefixes ending in "/"
	}{
		{"internal/ingest", []string{mod + "internal/awsapi", mod + "internal/awscur", "github.com/aws/"}},
		{"internal/api", []string{mod + "internal/duckstore", mod + "internal/awsapi"}},
		{"internal/jobs", []string{mod + "internal/awsapi", mod + "internal/awscur", mod + "internal/cursource", mod + "internal/duckstore",
			mod + "internal/api", "github.com/aws/", "github.com/duckdb/"}},
	} {
		t.Run(c.pkg+" links no adapter", func(t *testing.T) {
			gobin, err := exec.LookPath("go")
			if err != nil {
				t.Fatalf("the import check needs the go command on PATH: %v", err)
			}
			cmd := exec.Command(gobin, "list", "-deps", "./"+c.pkg)
			cmd.Dir = "../.."
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps ./%s: %v", c.pkg, err)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range c.forbidden {
					if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
						t.Errorf("%s depends on %s", c.pkg, dep)
					}
				}
			}
		})
	}
}
