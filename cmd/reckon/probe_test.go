//go:build probe

package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/synth"
)

// The probe (`make probe`, run by .ci/run) replays the hostile inputs of
// issue 8 against a binary built from this tree, each within a time bound,
// so that what a hostile probe once broke stays fixed. The unit tests that
// pin each fix are named in its comment.

// probeBin builds the binary once.
func probeBin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reckon")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// probeRun runs the binary within bound and returns its exit code, output
// and peak RSS in MB.
func probeRun(t *testing.T, bin string, bound time.Duration, args ...string) (int, string, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("reckon %s ran past %s", strings.Join(args, " ")[:min(80, len(strings.Join(args, " ")))], bound)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss / 1024
	}
	return code, string(out), rss
}

func TestProbe(t *testing.T) {
	bin := probeBin(t)
	bucket, data := t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 81, RowsPerMonth: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := probeRun(t, bin, time.Minute, "ingest", "--data", data, bucket); code != 0 {
		t.Fatalf("loading the bucket: %d\n%s", code, out)
	}
	intact := func(t *testing.T) {
		t.Helper()
		_, out, _ := probeRun(t, bin, 30*time.Second, "query", "--data", data, "--format", "csv")
		if !strings.Contains(out, want.BilledCost[:8]) {
			t.Fatalf("the store's total changed: %s, want %s", out, want.BilledCost)
		}
	}

	// §1 (duckstore TestFiltersOverTheLimitsAreRefused): 1,000 filters.
	t.Run("a thousand filters are refused at once", func(t *testing.T) {
		args := []string{"query", "--data", data}
		for i := range 1000 {
			args = append(args, "--filter", fmt.Sprintf("RegionId=r%d", i))
		}
		code, out, _ := probeRun(t, bin, 10*time.Second, args...)
		// Each --filter is an expression now; joined by and, they are 1,000
		// conditions, past the language's 200.
		if code == 0 || !strings.Contains(out, "more than 200 conditions") {
			t.Fatalf("%d %s", code, out)
		}
	})
	// §2 (cursource TestManifestKeysCannotLeadOutOfTheFolder).
	t.Run("a manifest key climbing to /etc/passwd is refused", func(t *testing.T) {
		evil := t.TempDir()
		writeProbeManifest(t, filepath.Join(evil, "r", "20260801-20260901", "r-Manifest.json"), "../../../../../../../../etc/passwd")
		code, out, _ := probeRun(t, bin, 30*time.Second, "ingest", "--data", data, evil)
		if code == 0 || !strings.Contains(out, `".." segment`) {
			t.Fatalf("%d %s", code, out)
		}
		intact(t)
	})
	// §3 (cursource TestBadFilesLeaveTheStoreAsItWas): a header and 200 MB
	// of one line, 0.2 MB gzipped.
	t.Run("a line without end is refused in bounded memory", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "bomb.csv.gz")
		writeBomb(t, file, strings.Join(synth.Header(false), ",")+"\n", 200<<20)
		code, out, rss := probeRun(t, bin, time.Minute, "ingest", "--data", data, "--replace", file)
		if code == 0 || !strings.Contains(out, "bomb.csv.gz") || rss > 600 {
			t.Fatalf("%d, %d MB peak: %s", code, rss, out)
		}
		intact(t)
	})
	probeRows(t, bin, data, intact)
	probeServe(t, bin, data)
}

// probeRows replays the hostile rows: sums that wrap, dates, UTF-8, and a
// leftover download.
func probeRows(t *testing.T, bin, data string, intact func(*testing.T)) {
	head := "identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,lineItem/UsageAccountId," +
		"lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode,lineItem/LineItemDescription\n"
	row := func(start, end, cost, desc string) string {
		return "x,111111111111,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,111111111111,Usage," + start + "," + end + ",AmazonEC2," + cost + ",USD," + desc + "\n"
	}
	load := func(t *testing.T, text string) (int, string) {
		file := filepath.Join(t.TempDir(), "probe.csv")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, _ := probeRun(t, bin, 30*time.Second, "ingest", "--data", data, file)
		return code, out
	}
	// §4 (duckstore TestAmountsThatCannotBeSummedSafelyAreRefused).
	t.Run("twenty costs of 9999999999999999999 are refused", func(t *testing.T) {
		text := head + strings.Repeat(row("2026-10-02T00:00:00Z", "2026-10-02T01:00:00Z", "9999999999999999999", "x"), 20)
		if code, out := load(t, text); code == 0 || !strings.Contains(out, "line 2, column BilledCost") || !strings.Contains(out, "out of range") {
			t.Fatalf("%d %s", code, out)
		}
		intact(t)
	})
	// §5, §8 (cursource TestBadFilesLeaveTheStoreAsItWas, TestRowsChargedOutsideTheirBillingPeriodLoadWithAWarning).
	t.Run("an end before its start and invalid UTF-8 are refused, naming the line", func(t *testing.T) {
		for _, text := range []string{
			head + row("2026-10-03T00:00:00Z", "2026-10-02T00:00:00Z", "1", "x"),
			head + row("2026-10-02T00:00:00Z", "2026-10-02T01:00:00Z", "1", "caf\xff\xfe"),
		} {
			if code, out := load(t, text); code == 0 || !strings.Contains(out, "line 2") {
				t.Fatalf("%d %s", code, out)
			}
		}
		intact(t)
	})
	t.Run("usage outside its billing period loads with a warning", func(t *testing.T) {
		text := head + row("2026-10-02T00:00:00Z", "2026-10-02T01:00:00Z", "1", "x") + row("1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "1", "y")
		if code, out := load(t, text); code != 0 || !strings.Contains(out, "outside the billing period") {
			t.Fatalf("%d %s", code, out)
		}
	})
	// §7 (cmd/reckon ingest tests): a killed collection's download.
	t.Run("a leftover download is removed", func(t *testing.T) {
		left := filepath.Join(data, "tmp", "collect-probe")
		if err := os.MkdirAll(left, 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(left, "x.csv.gz"), []byte("x"), 0o600) //nolint:errcheck
		load(t, head+row("2026-10-02T00:00:00Z", "2026-10-02T01:00:00Z", "2", "x"))
		if _, err := os.Stat(left); err == nil {
			t.Fatal("the leftover download is still there")
		}
	})
}

// probeServe replays what reached the server: names, failed sign-ins, the
// wire's decimals and a stop during work.
func probeServe(t *testing.T, bin, data string) {
	cmd := exec.Command(bin, "serve", "--data", data, "--listen", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var base, token string
	buf := make([]byte, 4096)
	var seen strings.Builder
	for base == "" {
		n, err := stdout.Read(buf)
		seen.Write(buf[:n])
		if m := servingAt.FindStringSubmatch(seen.String()); m != nil {
			base = m[1]
		}
		if err != nil {
			t.Fatalf("serve: %v: %s", err, seen.String())
		}
	}
	for _, line := range strings.Split(seen.String(), "\n") {
		if m := adminToken.FindStringSubmatch(line); m != nil {
			token = m[1]
		}
	}
	go io.Copy(io.Discard, stdout) //nolint:errcheck
	call := func(tok, method, path, body string) (*http.Response, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	// §9 (api TestNamesWithControlCharactersOrTooLongAreRefused, …).
	t.Run("names with escapes, huge names and case twins are refused", func(t *testing.T) {
		for _, body := range []string{`{"id":"esc","name":"a\u001b[31mred"}`, `{"id":"big","name":"` + strings.Repeat("n", 900_000) + `"}`} {
			if resp, out := call(token, "POST", "/api/v1/managementGroups", body); resp.StatusCode != 400 || len(out) > 2000 {
				t.Fatalf("%d (%d bytes) %.200s", resp.StatusCode, len(out), out)
			}
		}
		call(token, "POST", "/api/v1/managementGroups", `{"id":"prod","name":"Prod"}`)
		if resp, out := call(token, "POST", "/api/v1/managementGroups", `{"id":"PROD","name":"Prod"}`); resp.StatusCode != 409 {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
	})
	// §11 (cost TestTheAPIWritesEveryCostWithTenDecimalPlaces).
	t.Run("costs carry ten decimal places on the wire", func(t *testing.T) {
		_, out := call(token, "POST", "/api/v1/query", `{"scope":"mg/root"}`)
		var res struct{ Rows [][]json.RawMessage }
		if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Rows) == 0 {
			t.Fatalf("%v %s", err, out)
		}
		if cost := string(res.Rows[0][0]); len(cost)-strings.Index(cost, ".")-1 < 10 {
			t.Fatalf("cost %s has fewer than ten places", cost)
		}
	})
	// §12 (api TestFailedAuthenticationsAreLimitedPerAddress).
	t.Run("a flood of bad tokens is answered 429", func(t *testing.T) {
		bad := "rkn_0123456789abcdef_" + strings.Repeat("0", 64)
		limited := 0
		for range 30 {
			if resp, _ := call(bad, "GET", "/api/v1/me", ""); resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "" {
				limited++
			}
		}
		if limited == 0 {
			t.Fatal("30 bad tokens in a row were never answered 429 with Retry-After")
		}
		if resp, _ := call(token, "GET", "/api/v1/me", ""); resp.StatusCode != 200 {
			t.Fatalf("the administrator got %d after the flood", resp.StatusCode)
		}
	})
	// §6, §10 (cmd/reckon TestSIGTERMInterruptsARunningQuery,
	// TestServeClosesBodiesSentOneBytePerSecond): a stop ends with exit 0.
	t.Run("SIGTERM stops the server with exit 0", func(t *testing.T) {
		cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve ended with %v", err)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill() //nolint:errcheck
			t.Fatal("serve did not stop within 15 s")
		}
	})
}

func writeProbeManifest(t *testing.T, path, key string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	m := fmt.Sprintf(`{"assemblyId":"a1","account":"012345678901","reportName":"r","bucket":"b","reportKeys":[%q],
		"billingPeriod":{"start":"20260801T000000.000Z","end":"20260901T000000.000Z"},"compression":"GZIP","contentType":"text/csv"}`, key)
	if err := os.WriteFile(path, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeBomb writes head and then n bytes of 'A' without a newline, gzipped.
func writeBomb(t *testing.T, path, head string, n int) {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte(head)) //nolint:errcheck
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range n >> 20 {
		zw.Write(chunk) //nolint:errcheck
	}
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
