package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
)

// browserDir is the Node runner of the browser scenarios (test/browser).
var browserDir = filepath.Join("..", "..", "test", "browser")

// browserRunner returns node, or skips the test when node, Debian's
// chromium or the runner's npm packages are missing; with
// RECKON_REQUIRE_BROWSER set it fails instead, as CI sets it.
func browserRunner(t *testing.T) (node string) {
	t.Helper()
	var missing []string
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node (apt-get install nodejs npm)")
	}
	chromium := cmp.Or(os.Getenv("RECKON_CHROMIUM"), "/usr/bin/chromium")
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (apt-get install chromium)")
	}
	for _, pkg := range []string{"playwright-core", "axe-core"} {
		if _, err := os.Stat(filepath.Join(browserDir, "node_modules", pkg)); err != nil {
			missing = append(missing, pkg+" (npm ci --prefix test/browser)")
		}
	}
	if len(missing) > 0 {
		if os.Getenv("RECKON_REQUIRE_BROWSER") != "" {
			t.Fatalf("RECKON_REQUIRE_BROWSER is set, but the browser tests cannot run without %s", strings.Join(missing, ", "))
		}
		t.Skipf("the browser tests need %s", strings.Join(missing, ", "))
	}
	return node
}

// browserOut is the folder for the screenshots: sub in RECKON_BROWSER_OUT
// when it is set (so that they outlive the test), else a temporary one.
func browserOut(t *testing.T, sub string) string {
	t.Helper()
	root := os.Getenv("RECKON_BROWSER_OUT")
	if root == "" {
		return t.TempDir()
	}
	dir, err := filepath.Abs(filepath.Join(root, sub))
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("RECKON_BROWSER_OUT: %v", err)
	}
	return dir
}

// runBrowser runs test/browser/run.mjs with env and the scenarios named
// (all when none), copies each line it prints into the test log as it
// comes, and returns the lines and how it exited.
func runBrowser(t *testing.T, node string, env []string, scenarios ...string) (lines []string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"run.mjs"}, scenarios...)...)
	cmd.Dir = browserDir
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // node's own complaints, in order with the verdicts
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node run.mjs: %v", err)
	}
	scan := bufio.NewScanner(out)
	scan.Buffer(make([]byte, 64*1024), 1<<20)
	for scan.Scan() {
		t.Log(scan.Text())
		lines = append(lines, scan.Text())
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		err = fmt.Errorf("the runner took longer than 10 minutes: %w", err)
	}
	return lines, err
}

// failedLines are the runner's FAIL lines.
func failedLines(lines []string) []string {
	var fails []string
	for _, l := range lines {
		if strings.HasPrefix(l, "FAIL ") {
			fails = append(fails, l)
		}
	}
	return fails
}

// TestTheBrowserScenariosPass loads the demo's data, serves it with the web
// UI, makes a Reader of one linked account, and runs every scenario of
// test/browser in Debian's chromium; a FAIL line or a non-zero exit fails
// it. The screenshots go to RECKON_BROWSER_OUT/ui when it is set.
func TestTheBrowserScenariosPass(t *testing.T) {
	node := browserRunner(t)
	data := t.TempDir()
	code, demoOut, stderr := cli(t, "demo", "--once", "--data", data)
	if code != 0 {
		t.Fatalf("reckon demo --once exited %d: %s", code, stderr)
	}
	// The demo made the administrator and printed its token.
	admin := demoTokens(t, demoOut)["admin"]
	// An emulated AWS account for the connector scenarios.
	awsEnv, awsFlags := startBrowserAWS(t)
	base, _, stop := startServe(t, data, awsEnv, awsFlags...)
	defer stop()
	if admin == "" {
		t.Fatal("reckon demo --once printed no admin token")
	}
	reader, account := makeReader(t, &apiCaller{base: base, token: admin})
	out := browserOut(t, "ui")
	lines, err := runBrowser(t, node, []string{"RECKON_URL=" + base, "RECKON_ADMIN_TOKEN=" + admin,
		"RECKON_READER_TOKEN=" + reader, "RECKON_READER_SCOPE=" + account, "RECKON_BROWSER_OUT=" + out,
		"RECKON_AWS_ROLE_ARN=" + browserRoleARN})
	if fails := failedLines(lines); len(fails) > 0 || err != nil {
		t.Fatalf("the browser scenarios failed (exit: %v):\n%s", err, strings.Join(fails, "\n"))
	}
	t.Logf("every browser scenario passed; screenshots in %s", out)
}

// makeReader creates the user browser-reader with the Reader role on the first
// linked AWS account, and a token for it, through the API.
func makeReader(t *testing.T, admin *apiCaller) (token, account string) {
	t.Helper()
	var scopes struct{ Value []api.ScopeView }
	if err := admin.call("GET", "/api/v1/scopes", nil, &scopes); err != nil {
		t.Fatal(err)
	}
	for _, sc := range scopes.Value {
		if strings.HasPrefix(string(sc.ID), "aws/accounts/") && sc.BillingAccount != "" {
			account = string(sc.ID)
			break
		}
	}
	if account == "" {
		t.Fatalf("the demo has no linked AWS account among %d scopes", len(scopes.Value))
	}
	admin.must(t, "POST", "/api/v1/users", map[string]string{"name": "browser-reader"})
	admin.must(t, "POST", "/api/v1/roleAssignments", map[string]string{"user": "browser-reader", "role": "Reader", "scope": account})
	var created struct{ Token string }
	if err := admin.call("POST", "/api/v1/users/browser-reader/tokens", nil, &created); err != nil || created.Token == "" {
		t.Fatalf("a token for browser-reader: %q, %v", created.Token, err)
	}
	return created.Token, account
}

// exitedWith reports whether err is a process's exit with the code.
func exitedWith(err error, code int) bool {
	var exit *exec.ExitError
	return errors.As(err, &exit) && exit.ExitCode() == code
}
