package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Webhook defaults; see Webhook.
const (
	DefaultAttempts       = 5
	DefaultBackoff        = 2 * time.Second
	MaxBackoff            = 5 * time.Minute
	DefaultWebhookTimeout = 10 * time.Second
	// maxResponseRead is how much of a response body Post reads (and
	// discards) so that the connection can be reused.
	maxResponseRead = 64 << 10
)

// Headers of a webhook request.
const (
	HeaderSignature = "Reckon-Signature"
	HeaderDelivery  = "Reckon-Delivery"
	HeaderTimestamp = "Reckon-Timestamp"
)

// Webhook posts JSON alerts, signed with Secret. The zero value of every
// field but Secret has a default, so a Webhook is ready with a Secret
// alone.
type Webhook struct {
	// Secret is the HMAC-SHA256 key of the signature. Post refuses to send
	// without one. It never appears in errors or in String.
	Secret []byte `json:"-"`
	// Client sends the requests; nil means one with a 10s timeout. Post
	// never follows redirects, whatever the Client's CheckRedirect.
	Client *http.Client
	// Clock stamps the signatures and the Delivery; nil means the system
	// clock.
	Clock cost.Clock
	// Sleep waits between attempts; nil means a timer that returns early,
	// with ctx's error, when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// Attempts is the number of tries in all; 0 means DefaultAttempts.
	Attempts int
	// Backoff is the first wait; each later wait is twice the one before,
	// up to MaxBackoff. 0 means DefaultBackoff.
	Backoff time.Duration
}

// Delivery is the record of one webhook delivery, which the caller stores
// and shows.
type Delivery struct {
	// ID is the Reckon-Delivery header of every try.
	ID string `json:"id"`
	// URL is the webhook's URL without userinfo, query string or
	// fragment, which may carry tokens; empty if ValidateURL refused it.
	URL string `json:"url"`
	// Status is "delivered" or "failed".
	Status string `json:"status"`
	// Attempts is how many requests were tried (0 if the URL or the
	// Webhook was refused before any).
	Attempts int `json:"attempts"`
	// StatusCode is the HTTP status of the last try; 0 if it got no
	// response.
	StatusCode int `json:"statusCode,omitempty"`
	// Error is why the last try failed, in words; empty when delivered.
	Error string `json:"error,omitempty"`
	// First and Last are when the first and the last try started, by
	// the Webhook's Clock.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Delivery statuses.
const (
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// String describes w without its secret.
func (w Webhook) String() string {
	return fmt.Sprintf("notify.Webhook{Secret: %s, Attempts: %d, Backoff: %s}", hidden(len(w.Secret) > 0), w.Attempts, w.Backoff)
}

// GoString is String, so that %#v hides the secret too.
func (w Webhook) GoString() string { return w.String() }

// Post sends body to rawURL until it is delivered, refused, or Attempts
// are spent, and returns the record. It stops, failed, when ctx is done.
func (w *Webhook) Post(ctx context.Context, rawURL string, body []byte) Delivery {
	clock := w.clock()
	d := Delivery{Status: StatusFailed, First: clock.Now()}
	d.Last = d.First
	u, err := parseURL(rawURL)
	if err != nil {
		d.Error = err.Error()
		return d
	}
	d.URL = redactURL(u)
	if len(w.Secret) == 0 {
		d.Error = "webhook has no signing secret"
		return d
	}
	if !json.Valid(body) {
		d.Error = "webhook body is not valid JSON"
		return d
	}
	d.ID = newID()
	client := w.client()
	attempts := w.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	for {
		d.Attempts++
		d.Last = clock.Now()
		r := w.try(ctx, client, u, d.ID, d.Last, body)
		d.StatusCode, d.Error = r.status, ""
		if r.err == nil {
			d.Status = StatusDelivered
			return d
		}
		d.Error = redactText(r.err.Error(), rawURL, u)
		if !r.retry || d.Attempts >= attempts || ctx.Err() != nil {
			return d
		}
		if err := w.sleep(ctx, w.wait(d.Attempts, r.retryAfter)); err != nil {
			d.Error += fmt.Sprintf("; stopped before try %d: %v", d.Attempts+1, err)
			return d
		}
	}
}

// result is the outcome of one try.
type result struct {
	status     int
	err        error         // nil when delivered
	retry      bool          // whether another try may succeed
	retryAfter time.Duration // the server's Retry-After, or -1
}

// try sends one request.
func (w *Webhook) try(ctx context.Context, client *http.Client, u *url.URL, id string, now time.Time, body []byte) result {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return result{err: fmt.Errorf("build request: %w", err), retryAfter: -1}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Reckon")
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(w.Secret, now, body))
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which net/http quotes whole
		}
		return result{err: fmt.Errorf("post %s: %w", redactURL(u), err), retry: ctx.Err() == nil, retryAfter: -1}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
	resp.Body.Close()
	r := result{status: resp.StatusCode, retryAfter: -1}
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return r
	case code >= 300 && code <= 399:
		r.err = fmt.Errorf("post %s: %s: webhooks are not redirected; configure the URL it redirects to", redactURL(u), resp.Status)
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		r.err = fmt.Errorf("post %s: %s", redactURL(u), resp.Status)
		r.retry = true
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			r.retryAfter = w.retryAfter(resp.Header.Get("Retry-After"))
		}
	default:
		r.err = fmt.Errorf("post %s: %s", redactURL(u), resp.Status)
	}
	return r
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date; -1
// when there is none or it does not parse.
func (w *Webhook) retryAfter(h string) time.Duration {
	if h == "" {
		return -1
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil {
		if s < 0 {
			return -1
		}
		if s > int64(MaxBackoff/time.Second) {
			return MaxBackoff
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(w.clock().Now()), 0)
	}
	return -1
}

// wait is how long to wait after the given failed try: the server's
// Retry-After if it sent one, else Backoff doubled per try; at most
// MaxBackoff.
func (w *Webhook) wait(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter >= 0 {
		return min(retryAfter, MaxBackoff)
	}
	d := w.Backoff
	if d <= 0 {
		d = DefaultBackoff
	}
	for i := 1; i < attempt && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

func (w *Webhook) clock() cost.Clock {
	if w.Clock == nil {
		return cost.SystemClock{}
	}
	return w.Clock
}

// client is w.Client, or the default, made not to follow redirects.
func (w *Webhook) client() *http.Client {
	c := http.Client{Timeout: DefaultWebhookTimeout}
	if w.Client != nil {
		c = *w.Client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func (w *Webhook) sleep(ctx context.Context, d time.Duration) error {
	if w.Sleep != nil {
		return w.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newID is a random delivery ID: 16 bytes in hex.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// hidden stands in for a secret in String output.
func hidden(set bool) string {
	if set {
		return "(hidden)"
	}
	return "(none)"
}
