package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/synth"
)

// scaleOutEnv is the environment of replicas that share a catalog: its
// key, and the administrator's token.
func scaleOutEnv(t *testing.T) (env []string, admin string) {
	key := make([]byte, 32)
	rand.Read(key)
	secret := make([]byte, 32)
	rand.Read(secret)
	admin = "rkn_" + hex.EncodeToString(key[:8]) + "_" + hex.EncodeToString(secret)
	return []string{catalogKeyEnv + "=" + base64.StdEncoding.EncodeToString(key), "RECKON_ADMIN_TOKEN=" + admin}, admin
}

// leader reads whether a replica runs the periodic job, from its metrics.
func leader(t *testing.T, base string) bool {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return false // a replica killed
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		if lines.Text() == "reckon_periodic_job_leader 1" {
			return true
		}
	}
	return false
}

// TestTwoReplicasServeTheSameAnswersAndOneRunsThePeriodicJob runs two
// `reckon serve` replicas on one ClickHouse store and PostgreSQL catalog:
// a load through one is answered alike by both; an access change made
// through one holds on the other's next request; one replica runs the
// periodic job, and when it is killed the other takes it over within one
// lease period.
func TestTwoReplicasServeTheSameAnswersAndOneRunsThePeriodicJob(t *testing.T) {
	storeURL, catalogURL := scaleOutTarget(t)
	env, admin := scaleOutEnv(t)
	const lease = 2 * time.Second
	flags := []string{"--store", storeURL, "--catalog", catalogURL, "--lease", lease.String()}
	a := startReckonServe(t, env, flags...)
	// B reads the pair from its config file, and the catalog's password
	// from PGPASSWORD, as a config file may hold none.
	u, err := url.Parse(catalogURL)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	u.User = url.User(u.User.Username())
	config := writeConfig(t, fmt.Sprintf("[scaleout]\nstore = %q\ncatalog = %q\nlease = %q\n", storeURL, u.String(), lease.String()))
	b := startReckonServe(t, append(env, "PGPASSWORD="+password), "--config", config)
	stopped := map[*served]bool{}
	defer func() {
		for _, p := range []*served{a, b} {
			if !stopped[p] {
				p.stop()
			}
		}
	}()
	for _, p := range []*served{a, b} {
		if code := get(t, p.base+"/readyz", ""); code != http.StatusOK {
			t.Errorf("%s/readyz: %d, want 200", p.base, code)
		}
	}
	if a.token != "" && b.token != "" {
		t.Errorf("both replicas created the administrator")
	}

	// A load through one replica; the same answers from both.
	bucket := t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 31, Months: 2, RowsPerMonth: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := reckonAs(t, a.base, admin, "ingest", bucket); err != nil {
		t.Fatalf("ingest through replica A: %v\n%s", err, out)
	}
	query := []string{"query", "--scope", "mg/root", "--group-by", "SubAccountId", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "json"}
	fromA, errA := reckonAs(t, a.base, admin, query...)
	fromB, errB := reckonAs(t, b.base, admin, query...)
	if errA != nil || errB != nil || fromA != fromB {
		t.Fatalf("the replicas answer differently:\nA (%v): %s\nB (%v): %s", errA, fromA, errB, fromB)
	}
	total, err := reckonAs(t, b.base, admin, "query", "--scope", "mg/root", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "json")
	if err != nil || !strings.Contains(total, want.BilledCost) {
		t.Errorf("replica B's total: %v\n%s\nwant the generated %s", err, total, want.BilledCost)
	}

	// The FOCUS exports, CSV and Parquet, from the ClickHouse store.
	for format, magic := range map[string]string{"focus-csv": "AvailabilityZone,", "focus-parquet": "PAR1"} {
		file := t.TempDir() + "/export"
		out, err := reckonAs(t, b.base, admin, "export", "--scope", "mg/root", "--format", format, "--out", file)
		data, _ := os.ReadFile(file)
		if err != nil || len(data) < 1000 || !strings.HasPrefix(string(data), magic) {
			t.Errorf("export %s through B: %v, %d bytes\n%s", format, err, len(data), out)
		}
	}

	// A restatement loaded through B is in A's next answer, though A has
	// the old one cached.
	restated := t.TempDir()
	want2, err := synth.WriteBucket(restated, synth.Options{Seed: 32, Months: 2, RowsPerMonth: 1500})
	if err != nil {
		t.Fatal(err)
	}
	totalQuery := []string{"query", "--scope", "mg/root", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "json"}
	if out, err := reckonAs(t, a.base, admin, totalQuery...); err != nil || !strings.Contains(out, want.BilledCost) {
		t.Fatalf("A's total before the restatement: %v\n%s\nwant %s", err, out, want.BilledCost)
	}
	if out, err := reckonAs(t, b.base, admin, "ingest", restated); err != nil {
		t.Fatalf("ingest the restatement through replica B: %v\n%s", err, out)
	}
	if out, err := reckonAs(t, a.base, admin, totalQuery...); err != nil || !strings.Contains(out, want2.BilledCost) {
		t.Errorf("A's total right after B loaded the restatement: %v\n%s\nwant %s", err, out, want2.BilledCost)
	}
	want = want2

	// Access: granted through A, enforced by B at once; revoked through
	// B, enforced by A at once.
	var account string
	for id := range want.ByAccount {
		account = id
		break
	}
	scope := "aws/accounts/" + account
	for _, args := range [][]string{{"user", "create", "ana"}} {
		if out, err := reckonAs(t, a.base, admin, args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	out, err := reckonAs(t, a.base, admin, "token", "create", "--user", "ana")
	if err != nil {
		t.Fatal(err, out)
	}
	ana := strings.TrimSpace(out)
	anaQuery := []string{"query", "--scope", scope, "--from", "2000-01-01", "--to", "2100-01-01", "--format", "json"}
	if out, err := reckonAs(t, b.base, ana, anaQuery...); err == nil {
		t.Fatalf("ana reads %s on B before any assignment: %s", scope, out)
	}
	if out, err := reckonAs(t, a.base, admin, "access", "assign", "--user", "ana", "--role", "reader", "--scope", scope); err != nil {
		t.Fatal(err, out)
	}
	if out, err := reckonAs(t, b.base, ana, anaQuery...); err != nil || !strings.Contains(out, want.ByAccount[account].BilledCost) {
		t.Errorf("ana on B right after the assignment on A: %v\n%s\nwant %s", err, out, want.ByAccount[account].BilledCost)
	}
	if out, err := reckonAs(t, b.base, admin, "access", "remove", "--user", "ana", "--role", "reader", "--scope", scope); err != nil {
		t.Fatal(err, out)
	}
	if out, err := reckonAs(t, a.base, ana, anaQuery...); err == nil {
		t.Errorf("ana still reads %s on A after the assignment was removed on B: %s", scope, out)
	}

	// The web UI: a browser signed in through A is signed in on B (the
	// sessions are in the catalog).
	cookie := signIn(t, a.base, admin)
	if code := getWithCookie(t, b.base+"/budgets", cookie); code != http.StatusOK {
		t.Errorf("a page on B with the session A started: %d, want 200", code)
	}
	if code := getWithCookie(t, b.base+"/api/v1/scopes", cookie); code != http.StatusOK {
		t.Errorf("the API on B with the session A started: %d, want 200", code)
	}

	// The periodic job: exactly one replica runs it; kill -9 that one, and
	// the other takes it over within one lease period.
	var holder, other *served
	deadline := time.Now().Add(time.Minute)
	for holder == nil && time.Now().Before(deadline) {
		switch la, lb := leader(t, a.base), leader(t, b.base); {
		case la && lb:
			t.Fatal("both replicas run the periodic job")
		case la:
			holder, other = a, b
		case lb:
			holder, other = b, a
		default:
			time.Sleep(50 * time.Millisecond)
		}
	}
	if holder == nil {
		t.Fatal("no replica runs the periodic job after a minute")
	}
	if err := holder.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	holder.cmd.Wait()
	stopped[holder] = true
	killed := time.Now()
	for !leader(t, other.base) && time.Since(killed) < time.Minute {
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(killed)
	if took > lease {
		t.Errorf("the other replica took the periodic job over %s after the holder was killed, past the lease of %s", took, lease)
	}
	t.Logf("the periodic job moved to the other replica %s after a kill -9 (lease %s)", took.Round(time.Millisecond), lease)
	if !strings.Contains(other.stderr.String(), "this replica runs the periodic job") {
		t.Errorf("the replica that took over did not say so:\n%s", other.stderr.String())
	}
}

// signIn signs in to the web UI at base with token and returns the
// session cookie.
func signIn(t *testing.T, base, token string) *http.Cookie {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"token": {token}, "next": {"/"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "reckon_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("sign-in at %s: %s and no session cookie", base, resp.Status)
	return nil
}

// getWithCookie GETs url with the session cookie, not following redirects.
func getWithCookie(t *testing.T, url string, cookie *http.Cookie) int {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(cookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
