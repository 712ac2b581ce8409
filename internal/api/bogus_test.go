package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// get calls path with token and returns the status, without the harness's
// bookkeeping (it runs on many goroutines).
func get(client *http.Client, url, token string) (int, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
	resp.Body.Close()
	return resp.StatusCode, nil
}

// medianLatency times n calls of GET /api/v1/me by the admin.
func medianLatency(b *testing.B, h *harness, n int) time.Duration {
	client := &http.Client{}
	times := make([]time.Duration, n)
	for i := range times {
		start := time.Now()
		if status, err := get(client, h.srv.URL+"/api/v1/me", h.admin); err != nil || status != 200 {
			b.Fatalf("GET /api/v1/me: %d %v", status, err)
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[n/2]
}

// chain builds groups g0 under the root, g1 under g0… through the API, and
// returns how long it took.
func chain(b *testing.B, h *harness, n int) time.Duration {
	start := time.Now()
	parent := "mg/root"
	for i := range n {
		id := fmt.Sprintf("g%04d", i)
		body, _ := json.Marshal(map[string]string{"id": id, "parent": parent})
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/managementGroups", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+h.admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("create %s: %v %v", id, resp, err)
		}
		resp.Body.Close()
		parent = "mg/" + id
	}
	return time.Since(start)
}

// BenchmarkBogusTokens measures what 50 clients sending well-formed but
// unknown tokens cost a valid user, against a catalog of 1,000 management
// groups (a chain, built through the API) on a DuckDB store on disk. It
// reports the valid user's median GET /api/v1/me latency alone and under
// the flood, their ratio, and the time the chain took to build. The bogus
// clients share the valid user's address, 127.0.0.1: after the first
// failures they are answered 429 without a token look-up, while the valid
// user, whose token authenticated before, is not limited.
//
//	go test ./internal/api -run '^$' -bench BogusTokens -benchtime 1x
func BenchmarkBogusTokens(b *testing.B) {
	for _, delay := range []time.Duration{0, 250 * time.Millisecond} {
		b.Run(fmt.Sprintf("auth-failure-delay=%s", delay), func(b *testing.B) {
			for range b.N {
				bogusRun(b, delay)
			}
		})
	}
}

func bogusRun(b *testing.B, delay time.Duration) {
	h := newHarness(b, func(o *Options) { o.Clock, o.AuthFailureDelay, o.Log = cost.SystemClock{}, delay, nil })
	built := chain(b, h, 1000)
	alone := medianLatency(b, h, 200)

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var bogus, throttled sync.Map
	for i := range 50 {
		wg.Go(func() {
			client := &http.Client{}
			token := fmt.Sprintf("%s%016x_%s", cost.TokenPrefix, i, strings.Repeat("0", 64))
			n, n429 := 0, 0
			for ctx.Err() == nil {
				status, err := get(client, h.srv.URL+"/api/v1/me", token)
				if err == nil && status != 401 && status != 429 {
					b.Errorf("a bogus token got %d", status)
				}
				if status == 429 {
					n429++
				}
				n++
			}
			bogus.Store(i, n)
			throttled.Store(i, n429)
		})
	}
	time.Sleep(200 * time.Millisecond) // let the flood start
	floodStart := time.Now()
	flooded := medianLatency(b, h, 200)
	elapsed := time.Since(floodStart)
	stop()
	wg.Wait()
	total, total429 := 0, 0
	bogus.Range(func(_, n any) bool { total += n.(int); return true })
	throttled.Range(func(_, n any) bool { total429 += n.(int); return true })
	b.ReportMetric(float64(alone.Microseconds())/1000, "ms-alone")
	b.ReportMetric(float64(flooded.Microseconds())/1000, "ms-flooded")
	b.ReportMetric(float64(flooded)/float64(alone), "ratio")
	b.ReportMetric(built.Seconds(), "s-1000-group-chain")
	b.Logf("1,000-group chain built in %s; /me median %s alone, %s under 50 bogus clients (ratio %.2f); %d bogus requests, %.0f/s, %d of them 429",
		built.Round(time.Millisecond), alone, flooded, float64(flooded)/float64(alone), total, float64(total)/elapsed.Seconds(), total429)
}
