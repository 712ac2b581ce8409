package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestQueriesDuringACollectionSeeTheOldOrTheNewTotal runs `reckon serve`
// beside the emulator, collects a one-month report of the payer and two
// linked accounts, then restates the month with three more linked
// accounts and collects again while 50 API clients query mg/root without
// pause and one more polls it at least 200 times. mg/root covers the linked
// accounts in the tree, so an answer between the rows and their scopes
// would be neither total (issue 7 saw 11,894.79 between 72,026.53 and
// 71,991.51). Every answer must be a 200 with exactly the old or the new
// total.
func TestQueriesDuringACollectionSeeTheOldOrTheNewTotal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server and 51 clients")
	}
	const ext = "Qw3eRt5yUi7oPa9sDf1gHj2kLz4xCv6b"
	bucket := t.TempDir()
	few := []string{testPayer, "234567890123", "345678901234"}
	opts := synth.Options{Seed: 5, RowsPerMonth: 3000, ReportName: "reckon", Prefix: "cur", Accounts: few}
	wantOld, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		t.Fatal(err)
	}
	st := emulatorState(bucket, ext)
	for _, id := range []string{testPayer, "234567890123", "345678901234", "045678901234", "567890123456", "678901234567"} {
		st.Accounts = append(st.Accounts, awsemu.Account{ID: id, Name: "Team " + id[8:], State: "ACTIVE"})
	}
	hs := httptest.NewServer(awsemu.New(st, nil))
	defer hs.Close()
	base, admin, stop := startServe(t, t.TempDir(), awsTestEnv, "--aws-endpoint", hs.URL)
	defer stop()
	api := &apiCaller{base: base, token: admin}
	api.must(t, "POST", "/api/v1/connectors", map[string]any{"name": "acme", "roleArn": testRoleARN, "externalId": ext, "reportName": "reckon"})
	api.must(t, "POST", "/api/v1/connectors/acme/collect", nil)
	old := decimal.MustParse(wantOld.BilledCost)
	if got, err := api.rootTotal(); err != nil || got.Cmp(old) != 0 {
		t.Fatalf("after the first collection: %s (%v), want %s", got, err, old)
	}

	opts.Seed, opts.Accounts = 6, nil // the default six accounts: three join
	wantNew, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		t.Fatal(err)
	}
	restated := decimal.MustParse(wantNew.BilledCost)

	var (
		done           atomic.Bool
		answers, polls atomic.Int64
		mu             sync.Mutex
		wrong          []string
		wg             sync.WaitGroup
	)
	check := func(who string) {
		got, err := api.rootTotal()
		answers.Add(1)
		if err != nil || (got.Cmp(old) != 0 && got.Cmp(restated) != 0) {
			mu.Lock()
			wrong = append(wrong, fmt.Sprintf("%s: %s %v", who, got, err))
			mu.Unlock()
		}
	}
	for i := range 50 {
		wg.Go(func() {
			for !done.Load() {
				check(fmt.Sprintf("client %d", i))
			}
		})
	}
	wg.Go(func() {
		for polls.Load() < 200 || !done.Load() {
			check("poller")
			polls.Add(1)
		}
	})
	started := time.Now()
	collected := make(chan error, 1)
	go func() { collected <- api.call("POST", "/api/v1/connectors/acme/collect", nil, nil) }()
	err = <-collected
	took := time.Since(started)
	done.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("the second collection: %v", err)
	}
	if len(wrong) > 0 {
		t.Fatalf("%d of %d answers were neither %s nor %s, e.g. %v", len(wrong), answers.Load(), old, restated, wrong[:min(5, len(wrong))])
	}
	if got, err := api.rootTotal(); err != nil || got.Cmp(restated) != 0 {
		t.Fatalf("after the second collection: %s (%v), want %s", got, err, restated)
	}
	t.Logf("%d answers (the poller %d) during a %s collection, each the old or the new total", answers.Load(), polls.Load(), took.Round(time.Millisecond))
}

// apiCaller calls the API with a token, in tests.
type apiCaller struct {
	base, token string
}

func (a *apiCaller) call(method, path string, body, out any) error {
	c := &apiClient{server: a.base, token: a.token, http: http.DefaultClient}
	return c.do(context.Background(), method, path, body, out)
}

func (a *apiCaller) must(t *testing.T, method, path string, body any) {
	t.Helper()
	if err := a.call(method, path, body, nil); err != nil {
		t.Fatal(err)
	}
}

// rootTotal is mg/root's total billed cost.
func (a *apiCaller) rootTotal() (decimal.Decimal, error) {
	var res cost.Result
	if err := a.call("POST", "/api/v1/query", map[string]any{"scope": "mg/root"}, &res); err != nil {
		return decimal.Zero, err
	}
	sum := decimal.Zero
	for _, r := range res.Rows {
		sum = sum.Add(r.Cost)
	}
	return sum, nil
}
