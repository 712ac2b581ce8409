package web

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestTheJavaScriptModulesPass runs the node tests of the page's exact
// money, filter language and date presets (jstest/*.test.mjs) with Node's
// own test runner. It skips where Node is missing, unless
// RECKON_REQUIRE_NODE is set, as CI sets it.
func TestTheJavaScriptModulesPass(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("RECKON_REQUIRE_NODE") != "" {
			t.Fatal("node is not installed, and RECKON_REQUIRE_NODE is set")
		}
		t.Skip("node is not installed")
	}
	out, err := exec.Command(node, "--test", "jstest/").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test jstest/: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "# fail 0") {
		t.Fatalf("node --test jstest/ reported failures:\n%s", out)
	}
}
