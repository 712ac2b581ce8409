package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	servingLine = regexp.MustCompile(`serving (http://\S+)/api/v1`)
	tokenLine   = regexp.MustCompile(`^\s+(rkn_\S+)$`)
)

// startServe starts `reckon serve` on a free port and returns its base URL
// and the admin token it printed (empty when it printed none).
func startServe(t *testing.T, data string, env []string, flags ...string) (base, token string, stop func() (stdout, stderr string)) {
	t.Helper()
	p := startReckonServe(t, env, append([]string{"--data", data}, flags...)...)
	return p.base, p.token, p.stop
}

// served is a `reckon serve` process a test started.
type served struct {
	base, token string
	cmd         *exec.Cmd
	stderr      *lockedBuffer
	// stop ends it with SIGTERM and returns what it wrote.
	stop func() (stdout, stderr string)
}

// startReckonServe starts `reckon serve` with flags on a free port.
func startReckonServe(t *testing.T, env []string, flags ...string) *served {
	t.Helper()
	cmd := reckonProcess(env, append([]string{"serve", "--listen", "127.0.0.1:0"}, flags...)...)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut := &lockedBuffer{}
	cmd.Stderr = errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &served{cmd: cmd, stderr: errOut}
	var seen strings.Builder
	lines := bufio.NewScanner(pipe)
	for p.base == "" && lines.Scan() {
		seen.WriteString(lines.Text() + "\n")
		if m := tokenLine.FindStringSubmatch(lines.Text()); m != nil {
			p.token = m[1]
		}
		if m := servingLine.FindStringSubmatch(lines.Text()); m != nil {
			p.base = m[1]
		}
	}
	if p.base == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("serve did not start: %s%s", seen.String(), errOut.String())
	}
	p.stop = func() (string, string) {
		cmd.Process.Signal(syscall.SIGTERM)
		rest, _ := io.ReadAll(pipe)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve after SIGTERM: %v; stderr: %s", err, errOut.String())
		}
		return seen.String() + string(rest), errOut.String()
	}
	return p
}

// lockedBuffer is a bytes.Buffer that a process writes while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeStartsCreatesTheAdminOnceAndStopsGracefully starts reckon serve
// on a fresh data folder and again on the same one.
func TestServeStartsCreatesTheAdminOnceAndStopsGracefully(t *testing.T) {
	data := t.TempDir()
	base, token, stop := startServe(t, data, nil)
	if token == "" {
		t.Fatal("the first start printed no admin token")
	}
	if got := get(t, base+"/healthz", ""); got != 200 {
		t.Errorf("/healthz: %d", got)
	}
	if got := get(t, base+"/api/v1/me", ""); got != 401 {
		t.Errorf("/api/v1/me without a token: %d, want 401", got)
	}
	if got := get(t, base+"/api/v1/me", token); got != 200 {
		t.Errorf("/api/v1/me as admin: %d", got)
	}
	stdout, stderr := stop()
	if !strings.Contains(stdout, "Reckon stopped.") {
		t.Errorf("no clean stop in %q", stdout)
	}
	if strings.Contains(stderr, token) {
		t.Error("the admin token is in the log")
	}
	start := time.Now()
	base, again, stop := startServe(t, data, nil)
	if again != "" {
		t.Error("the second start printed a token again")
	}
	if got := get(t, base+"/api/v1/me", token); got != 200 {
		t.Errorf("the first token after a restart: %d", got)
	}
	stop()
	t.Logf("second start and stop took %v", time.Since(start))
}

// reckonAs runs a reckon command over the API with a token.
func reckonAs(t *testing.T, base, token string, args ...string) (string, error) {
	t.Helper()
	cmd := reckonProcess([]string{"RECKON_TOKEN=" + token}, append(args, "--server", base)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestControlPlaneThroughTheCLI drives groups, users, tokens and access
// through the CLI only, against a running server.
func TestControlPlaneThroughTheCLI(t *testing.T) {
	base, admin, stop := startServe(t, t.TempDir(), nil)
	defer stop()
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"mg", "create", "prod", "--name", "Production"}, "Created mg/prod (Production) in mg/root."},
		{[]string{"mg", "create", "web", "--parent", "mg/prod"}, "Created mg/web (web) in mg/prod."},
		{[]string{"user", "create", "ana"}, "Created user ana."},
		{[]string{"access", "assign", "--user", "ana", "--role", "reader", "--scope", "mg/web"}, "ana is now Reader on mg/web."},
		{[]string{"mg", "create", "tmp"}, "Created mg/tmp"},
		{[]string{"mg", "move", "mg/tmp", "--to", "mg/prod"}, "Moved mg/tmp into mg/prod."},
		{[]string{"mg", "rename", "tmp", "Temporary"}, "Renamed mg/tmp to Temporary."},
		{[]string{"scope", "rename", "mg/tmp", "Scratch"}, "Renamed mg/tmp to Scratch."},
		{[]string{"mg", "delete", "tmp"}, "Deleted mg/tmp."},
		{[]string{"access", "list", "--scope", "mg/web"}, "ana   Reader  mg/web"},
		{[]string{"scope", "list"}, "mg/root     Tenant Root Group  Owner\n  mg/prod   Production         Owner\n    mg/web  web                Owner\n"},
	}
	for _, s := range steps {
		out, err := reckonAs(t, base, admin, s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Errorf("reckon %s: %v\n%s\nwant %q", strings.Join(s.args, " "), err, out, s.want)
		}
	}
	anaToken, err := reckonAs(t, base, admin, "token", "create", "--user", "ana")
	if err != nil {
		t.Fatalf("token create: %v %s", err, anaToken)
	}
	ana := strings.TrimSpace(anaToken)
	out, err := reckonAs(t, base, ana, "scope", "list")
	if err != nil || !strings.Contains(out, "mg/web  web   Reader") || strings.Contains(out, "mg/prod") {
		t.Errorf("ana's scope list: %v\n%s", err, out)
	}
	out, err = reckonAs(t, base, ana, "mg", "create", "mine", "--parent", "mg/web")
	if err == nil || out != "reckon: ana may not write mg/web\n" {
		t.Errorf("ana creates a group as Reader: %v %q, want the server's message alone", err, out)
	}
	out, err = reckonAs(t, base, ana, "query", "--scope", "mg/prod", "--format", "json")
	if err == nil || out != "reckon: ana may not read mg/prod\n" {
		t.Errorf("ana queries mg/prod: %v %q", err, out)
	}
	out, err = reckonAs(t, base, ana, "query", "--scope", "mg/web", "--format", "json")
	if err != nil || !strings.Contains(out, `"rows": []`) {
		t.Errorf("ana queries mg/web, which has no accounts yet: %v %q", err, out)
	}
	out, err = reckonAs(t, base, "rkn_0123456789abcdef_"+strings.Repeat("0", 64), "scope", "list")
	if err == nil || out != "reckon: the API token is not valid\n" {
		t.Errorf("a bad token: %v %q", err, out)
	}
}
