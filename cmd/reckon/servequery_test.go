package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// slowDemo loads the demo into a data folder, then makes every query that
// reads tag sets run for many minutes: tag_sets becomes a view that first
// hashes 10^11 numbers. It returns the folder and its administrator's
// token, which the demo printed.
func slowDemo(t *testing.T) (data, admin string) {
	t.Helper()
	data = t.TempDir()
	code, out, stderr := cliAt(t, fixedClock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}, "demo", "--once", "--data", data)
	if code != 0 {
		t.Fatalf("demo exited %d: %s", code, stderr)
	}
	db, err := sql.Open("duckdb", filepath.Join(data, duckstore.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`ALTER TABLE tag_sets RENAME TO tag_sets_base;
		CREATE VIEW tag_sets AS SELECT t.* FROM tag_sets_base t
		WHERE (SELECT count(*) FROM range(100000000000) WHERE hash(range) = 0) >= 0`); err != nil {
		t.Fatal(err)
	}
	return data, demoTokens(t, out)["admin"]
}

// slowQuery starts a query grouped by a tag and returns its answer when it
// comes.
func slowQuery(t *testing.T, base, token string) <-chan api.ErrorBody {
	t.Helper()
	out := make(chan api.ErrorBody, 1)
	go func() {
		var e api.ErrorBody
		body, _ := json.Marshal(map[string]any{"scope": "mg/root", "groupBy": []string{"tag:Environment"}})
		req, _ := http.NewRequest("POST", base+"/api/v1/query", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			e.Error.Message = err.Error()
			out <- e
			return
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			e.Error.Message = err.Error()
		}
		out <- e
	}()
	return out
}

// TestSIGTERMInterruptsARunningQuery stops reckon serve while a query that
// would run for minutes is running: the query is interrupted, its client
// told, and the server exits 0 without waiting out its grace.
func TestSIGTERMInterruptsARunningQuery(t *testing.T) {
	data, token := slowDemo(t)
	base, _, stop := startServe(t, data, nil)
	answer := slowQuery(t, base, token)
	time.Sleep(time.Second) // the query is running
	start := time.Now()
	stdout, _ := stop() // SIGTERM; fails the test unless the exit is 0
	took := time.Since(start)
	if took >= shutdownGrace {
		t.Errorf("serve took %s to stop, its whole grace", took)
	}
	t.Logf("serve stopped %s after SIGTERM", took)
	if !strings.Contains(stdout, "Reckon stopped.") {
		t.Errorf("no clean stop in %q", stdout)
	}
	select {
	case e := <-answer:
		if e.Error.Code != "Unavailable" || !strings.Contains(e.Error.Message, "shutting down") {
			t.Errorf("the client got %+v, want Unavailable: the server is shutting down", e.Error)
		}
	case <-time.After(5 * time.Second):
		t.Error("the client got no answer")
	}
}

// TestServeInterruptsAQueryPastItsDeadline runs the same query under
// --query-timeout 1s.
func TestServeInterruptsAQueryPastItsDeadline(t *testing.T) {
	data, token := slowDemo(t)
	base, _, stop := startServe(t, data, nil, "--query-timeout", "1s")
	defer stop()
	select {
	case e := <-slowQuery(t, base, token):
		if e.Error.Code != "Timeout" || !strings.Contains(e.Error.Message, "limit of 1s") {
			t.Errorf("the client got %+v, want a Timeout naming the limit", e.Error)
		}
	case <-time.After(time.Minute):
		t.Error("the query ran on past its deadline")
	}
}

func TestServeRefusesQueryLimitsItCannotKeep(t *testing.T) {
	for _, flags := range [][]string{
		{"--query-timeout", "0s"},
		{"--query-timeout", "3m"},
		{"--query-memory", "1TB"},
		{"--query-memory", "lots"},
	} {
		code, _, stderr := cli(t, append([]string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0"}, flags...)...)
		if code != 2 || !strings.Contains(stderr, flags[0]) {
			t.Errorf("serve %s: exit %d, %q; want a usage error naming the flag", strings.Join(flags, " "), code, stderr)
		}
	}
}
