package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var testSecret = []byte("whsec-test-signing-key-0123456789")

// reply is one scripted response.
type reply struct {
	status int
	header map[string]string
}

// receiver is a webhook endpoint that verifies each request and answers
// from a script (the last reply repeats).
type receiver struct {
	t      *testing.T
	clock  *fakeClock
	script []reply

	mu       sync.Mutex
	ids      []string
	verified []error
	stamps   []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rc.t.Error(err)
	}
	rc.mu.Lock()
	n := len(rc.ids)
	rc.ids = append(rc.ids, r.Header.Get(HeaderDelivery))
	rc.verified = append(rc.verified, Verify(testSecret, r.Header.Get(HeaderSignature), body, rc.clock.Now(), 0))
	rc.stamps = append(rc.stamps, r.Header.Get(HeaderTimestamp))
	rc.mu.Unlock()
	if ct, ua := r.Header.Get("Content-Type"), r.Header.Get("User-Agent"); r.Method != http.MethodPost || ct != "application/json" || ua != "Reckon" {
		rc.t.Errorf("%s with Content-Type %q, User-Agent %q", r.Method, ct, ua)
	}
	rp := rc.script[min(n, len(rc.script)-1)]
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rp.status)
	fmt.Fprint(w, strings.Repeat("x", 100<<10)) // more than Post reads
}

// hook is a Webhook whose sleeps are recorded and move the fake clock.
func hook(clock *fakeClock, sleeps *[]time.Duration) *Webhook {
	return &Webhook{
		Secret: testSecret,
		Clock:  clock,
		Sleep: func(_ context.Context, d time.Duration) error {
			*sleeps = append(*sleeps, d)
			clock.Advance(d)
			return nil
		},
	}
}

func TestPostRetriesAsTheStatusSays(t *testing.T) {
	s := func(status int, header ...string) reply {
		r := reply{status: status, header: map[string]string{}}
		for i := 0; i+1 < len(header); i += 2 {
			r.header[header[i]] = header[i+1]
		}
		return r
	}
	for _, tc := range []struct {
		name     string
		script   []reply
		status   string
		attempts int
		code     int
		sleeps   string
		errText  string
	}{
		{"a 200 is delivered at once", []reply{s(200)}, StatusDelivered, 1, 200, "[]", ""},
		{"a 204 is delivered too", []reply{s(204)}, StatusDelivered, 1, 204, "[]", ""},
		{"two 500s then a 200 are delivered on the third try after 2s and 4s", []reply{s(500), s(500), s(200)}, StatusDelivered, 3, 200, "[2s 4s]", ""},
		{"500s every time fail after five tries", []reply{s(500)}, StatusFailed, 5, 500, "[2s 4s 8s 16s]", "500 Internal Server Error"},
		{"a 400 fails at once", []reply{s(400)}, StatusFailed, 1, 400, "[]", "400 Bad Request"},
		{"a 404 fails at once", []reply{s(404)}, StatusFailed, 1, 404, "[]", "404 Not Found"},
		{"a 408 is retried", []reply{s(408), s(200)}, StatusDelivered, 2, 200, "[2s]", ""},
		{"a 429 with Retry-After: 7 waits 7s", []reply{s(429, "Retry-After", "7"), s(200)}, StatusDelivered, 2, 200, "[7s]", ""},
		{"a 503 with Retry-After: 0 retries at once", []reply{s(503, "Retry-After", "0"), s(200)}, StatusDelivered, 2, 200, "[0s]", ""},
		{"a Retry-After of a day waits 5m", []reply{s(429, "Retry-After", "86400"), s(200)}, StatusDelivered, 2, 200, "[5m0s]", ""},
		{"a Retry-After date 90s ahead waits 90s", []reply{s(503, "Retry-After", newClock().Now().Add(90*time.Second).Format(http.TimeFormat)), s(200)}, StatusDelivered, 2, 200, "[1m30s]", ""},
		{"a Retry-After that does not parse falls back to the backoff", []reply{s(429, "Retry-After", "soon"), s(200)}, StatusDelivered, 2, 200, "[2s]", ""},
		{"a Retry-After on a 500 is not honoured", []reply{s(500, "Retry-After", "60"), s(200)}, StatusDelivered, 2, 200, "[2s]", ""},
		{"a redirect fails at once", []reply{s(302, "Location", "/elsewhere")}, StatusFailed, 1, 302, "[]", "not redirected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			rc := &receiver{t: t, clock: clock, script: tc.script}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			var sleeps []time.Duration
			start := clock.Now()
			d := hook(clock, &sleeps).Post(context.Background(), srv.URL+"/hooks/reckon", []byte(`{"alert":"budget"}`))
			if d.Status != tc.status || d.Attempts != tc.attempts || d.StatusCode != tc.code || fmt.Sprint(sleeps) != tc.sleeps {
				t.Errorf("got %s after %d tries, status %d, sleeps %v; want %s, %d, %d, %s (error %q)",
					d.Status, d.Attempts, d.StatusCode, sleeps, tc.status, tc.attempts, tc.code, tc.sleeps, d.Error)
			}
			if tc.errText == "" && d.Error != "" || !strings.Contains(d.Error, tc.errText) {
				t.Errorf("error %q, want %q", d.Error, tc.errText)
			}
			if d.URL != srv.URL+"/hooks/reckon" || !d.First.Equal(start) || !d.Last.Equal(clock.Now()) {
				t.Errorf("URL %s, first %v, last %v", d.URL, d.First, d.Last)
			}
			checkTries(t, rc, d)
		})
	}
}

// checkTries checks that every try was signed and carried the same
// delivery ID, stamped with the clock at its time.
func checkTries(t *testing.T, rc *receiver, d Delivery) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.ids) != d.Attempts {
		t.Fatalf("the receiver saw %d tries, the delivery says %d", len(rc.ids), d.Attempts)
	}
	for i, id := range rc.ids {
		if id != d.ID || len(id) != 32 {
			t.Errorf("try %d: delivery ID %q, want %q", i+1, id, d.ID)
		}
		if rc.verified[i] != nil {
			t.Errorf("try %d: signature: %v", i+1, rc.verified[i])
		}
	}
	if len(rc.stamps) > 0 && rc.stamps[len(rc.stamps)-1] != strconv.FormatInt(d.Last.Unix(), 10) {
		t.Errorf("last try stamped %s, want %d", rc.stamps[len(rc.stamps)-1], d.Last.Unix())
	}
}

func TestPostBacksOffUpToFiveMinutes(t *testing.T) {
	clock := newClock()
	srv := httptest.NewServer(&receiver{t: t, clock: clock, script: []reply{{status: 502}}})
	defer srv.Close()
	var sleeps []time.Duration
	w := hook(clock, &sleeps)
	w.Attempts, w.Backoff = 8, time.Minute
	d := w.Post(context.Background(), srv.URL, []byte(`{}`))
	if d.Attempts != 8 || fmt.Sprint(sleeps) != "[1m0s 2m0s 4m0s 5m0s 5m0s 5m0s 5m0s]" {
		t.Errorf("%d tries, sleeps %v", d.Attempts, sleeps)
	}
}

func TestPostToAClosedServerRetriesThenFails(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook?token=abc-query-secret"
	srv.Close()
	var sleeps []time.Duration
	w := hook(newClock(), &sleeps)
	w.Attempts = 3
	d := w.Post(context.Background(), url, []byte(`{}`))
	if d.Status != StatusFailed || d.Attempts != 3 || d.StatusCode != 0 || fmt.Sprint(sleeps) != "[2s 4s]" {
		t.Errorf("%+v, sleeps %v", d, sleeps)
	}
	if !strings.Contains(d.Error, "connect") || strings.Contains(d.Error, "token") || strings.Contains(d.URL, "token") {
		t.Errorf("URL %q, error %q", d.URL, d.Error)
	}
}

func TestPostStopsWhenTheContextIsCancelledDuringASleep(t *testing.T) {
	clock := newClock()
	rc := &receiver{t: t, clock: clock, script: []reply{{status: 500}}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := hook(clock, nil)
	w.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}
	d := w.Post(ctx, srv.URL, []byte(`{}`))
	if d.Status != StatusFailed || d.Attempts != 1 || !strings.Contains(d.Error, "stopped before try 2: context canceled") {
		t.Errorf("%+v", d)
	}
	t.Run("and the default sleep returns when the context is done", func(t *testing.T) {
		if err := (&Webhook{}).sleep(ctx, time.Hour); err != context.Canceled {
			t.Errorf("sleep returned %v", err)
		}
	})
}

func TestPostKeepsSecretsOutOfTheRecord(t *testing.T) {
	clock := newClock()
	srv := httptest.NewServer(&receiver{t: t, clock: clock, script: []reply{{status: 500}}})
	defer srv.Close()
	var sleeps []time.Duration
	w := hook(clock, &sleeps)
	d := w.Post(context.Background(), srv.URL+"/hook?token=abc-query-secret#frag", []byte(`{}`))
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if d.URL != srv.URL+"/hook" || strings.Contains(string(b), "abc-query-secret") || strings.Contains(string(b), string(testSecret)) {
		t.Errorf("the record shows a secret: %s", b)
	}
	for _, out := range []string{fmt.Sprint(w), fmt.Sprint(*w), fmt.Sprintf("%+v", *w), fmt.Sprintf("%#v", *w)} {
		if strings.Contains(out, "whsec") {
			t.Errorf("%q shows the secret", out)
		}
	}
}

func TestPostRefusesBeforeSending(t *testing.T) {
	var sleeps []time.Duration
	for _, tc := range []struct {
		name, url string
		secret    []byte
		body      string
		want      string
	}{
		{"a URL with a password is refused", "https://user:pw@example.com/hook", testSecret, `{}`, "user name or password"},
		{"a relative URL is refused", "/hook", testSecret, `{}`, "https:// or http://"},
		{"a webhook without a secret sends nothing", "http://127.0.0.1:1/hook", nil, `{}`, "no signing secret"},
		{"a body that is not JSON is refused", "http://127.0.0.1:1/hook", testSecret, `{"alert":`, "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := hook(newClock(), &sleeps)
			w.Secret = tc.secret
			d := w.Post(context.Background(), tc.url, []byte(tc.body))
			if d.Status != StatusFailed || d.Attempts != 0 || !strings.Contains(d.Error, tc.want) || strings.Contains(d.Error, "pw@") {
				t.Errorf("%+v, want an error with %q", d, tc.want)
			}
		})
	}
}

func TestPostDoesNotFollowRedirectsWhateverTheClient(t *testing.T) {
	clock := newClock()
	target := &receiver{t: t, clock: clock, script: []reply{{status: 200}}}
	to := httptest.NewServer(target)
	defer to.Close()
	from := httptest.NewServer(http.RedirectHandler(to.URL, http.StatusTemporaryRedirect))
	defer from.Close()
	var sleeps []time.Duration
	w := hook(clock, &sleeps)
	w.Client = &http.Client{} // follows redirects by default
	d := w.Post(context.Background(), from.URL, []byte(`{}`))
	if d.Status != StatusFailed || d.StatusCode != http.StatusTemporaryRedirect || len(target.ids) != 0 {
		t.Errorf("%+v; the target saw %d requests", d, len(target.ids))
	}
}
