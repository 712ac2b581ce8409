package api

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// buckets are the request latency histogram's upper bounds, in seconds.
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts requests, errors and collections for /metrics, in the
// Prometheus text format. It is written by hand: a few counters do not need
// a client library. Create it with NewMetrics; it is safe for concurrent
// use.
type Metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64 // {route, status}
	errors   map[string]uint64    // by error code
	latency  map[string]*histogram
	collects map[[2]string]uint64 // {connector, result}
	rows     int64                // cost rows loaded by collections
	leader   int                  // 1 while this replica runs the periodic job
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

// NewMetrics returns metrics with every counter at zero.
func NewMetrics() *Metrics {
	return &Metrics{requests: map[[2]string]uint64{}, errors: map[string]uint64{}, latency: map[string]*histogram{}, collects: map[[2]string]uint64{}}
}

func (m *Metrics) observe(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{route, fmt.Sprint(status)}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		m.latency[route] = h
	}
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

func (m *Metrics) countError(code string) {
	m.mu.Lock()
	m.errors[code]++
	m.mu.Unlock()
}

// CountCollection counts a collection of conn by its result, "ok" or the
// error code, and the rows it loaded; it is a jobs.Options.OnCollect.
func (m *Metrics) CountCollection(conn cost.ScopeID, rows int64, err error) {
	code := cmp.Or(cost.ErrorCode(err), "ok")
	m.mu.Lock()
	m.collects[[2]string{string(conn), code}]++
	m.rows += rows
	m.mu.Unlock()
}

// SetLeader records whether this replica runs the periodic job (the
// scale-out lease); a server on the embedded store always does.
func (m *Metrics) SetLeader(on bool) {
	m.mu.Lock()
	m.leader = 0
	if on {
		m.leader = 1
	}
	m.mu.Unlock()
}

// text renders the metrics in the Prometheus text exposition format.
func (m *Metrics) text() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP reckon_http_requests_total API requests by route and status.\n# TYPE reckon_http_requests_total counter\n")
	for _, k := range slices.SortedFunc(maps.Keys(m.requests), func(a, b [2]string) int { return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1])) }) {
		fmt.Fprintf(&b, "reckon_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k])
	}
	b.WriteString("# HELP reckon_collections_total Connector collections by result (ok or an error code).\n# TYPE reckon_collections_total counter\n")
	for _, k := range slices.SortedFunc(maps.Keys(m.collects), func(a, b [2]string) int { return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1])) }) {
		fmt.Fprintf(&b, "reckon_collections_total{connector=%q,result=%q} %d\n", k[0], k[1], m.collects[k])
	}
	fmt.Fprintf(&b, "# HELP reckon_rows_loaded_total Cost rows loaded by collections.\n# TYPE reckon_rows_loaded_total counter\nreckon_rows_loaded_total %d\n", m.rows)
	fmt.Fprintf(&b, "# HELP reckon_periodic_job_leader 1 while this replica runs the periodic job.\n# TYPE reckon_periodic_job_leader gauge\nreckon_periodic_job_leader %d\n", m.leader)
	b.WriteString("# HELP reckon_errors_total Errors returned, by code.\n# TYPE reckon_errors_total counter\n")
	for _, code := range slices.Sorted(maps.Keys(m.errors)) {
		fmt.Fprintf(&b, "reckon_errors_total{code=%q} %d\n", code, m.errors[code])
	}
	b.WriteString("# HELP reckon_http_request_duration_seconds API request latency.\n# TYPE reckon_http_request_duration_seconds histogram\n")
	for _, route := range slices.Sorted(maps.Keys(m.latency)) {
		h := m.latency[route]
		var cum uint64
		for i, le := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "reckon_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", route, le, cum)
		}
		fmt.Fprintf(&b, "reckon_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, h.n)
		fmt.Fprintf(&b, "reckon_http_request_duration_seconds_sum{route=%q} %g\n", route, h.sum)
		fmt.Fprintf(&b, "reckon_http_request_duration_seconds_count{route=%q} %d\n", route, h.n)
	}
	return []byte(b.String())
}
