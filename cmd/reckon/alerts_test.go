package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/notify"
	"github.com/reckon-finops/reckon/internal/synth"
)

// mailbox is an in-process SMTP server (go-smtp) that keeps what it is
// sent.
type mailbox struct {
	mu    sync.Mutex
	mails []received
}

type received struct {
	to  []string
	msg *mail.Message
}

type mailboxSession struct {
	box *mailbox
	to  []string
}

func (s *mailboxSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *mailboxSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailboxSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	msg.Body = bytes.NewReader(body)
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.mails = append(s.box.mails, received{to: s.to, msg: msg})
	return nil
}
func (s *mailboxSession) Reset()        { s.to = nil }
func (s *mailboxSession) Logout() error { return nil }

// startMailbox serves SMTP on 127.0.0.1 and returns its address.
func startMailbox(t *testing.T) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &mailboxSession{box: box}, nil }))
	s.Domain = "localhost"
	s.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l) //nolint:errcheck // ends with Close
	t.Cleanup(func() { s.Close() })
	return box, l.Addr().String()
}

// TestABudgetAlertIsMailedAndPostedSigned runs reckon serve with a config
// file naming an in-process SMTP server and webhooks: a budget crossed on
// creation mails its contacts (by address and by role), posts a signed
// alert to a webhook that verifies it, and retries a failing one before
// logging it failed, all recorded on the alert.
func TestABudgetAlertIsMailedAndPostedSigned(t *testing.T) {
	now := time.Now().UTC()
	data, bucket := t.TempDir(), filepath.Join(t.TempDir(), "bucket")
	if _, err := synth.WriteBucket(bucket, synth.DemoOptions(now)); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "ingest", "--data", data, bucket); code != 0 {
		t.Fatal(stderr)
	}
	box, smtpAddr := startMailbox(t)
	secret := "whsec-" + strings.Repeat("7", 24)
	var signed atomic.Int32
	var verifyErr atomic.Value
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify([]byte(secret), r.Header.Get(notify.HeaderSignature), body, time.Now(), notify.DefaultTolerance); err != nil {
			verifyErr.Store(err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p struct {
			Type  string     `json:"type"`
			Alert cost.Alert `json:"alert"`
		}
		if json.Unmarshal(body, &p) != nil || p.Type != "budget.alert" || p.Alert.Budget == nil {
			verifyErr.Store("body: " + string(body))
		}
		signed.Add(1)
	}))
	defer good.Close()
	var failing atomic.Int32
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		failing.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer bad.Close()

	host, port, _ := net.SplitHostPort(smtpAddr)
	config := filepath.Join(t.TempDir(), "reckon.toml")
	os.WriteFile(config, []byte(`base_url = "https://reckon.example.com"
[smtp]
host = "`+host+`"
port = `+port+`
from = "Reckon <reckon@example.com>"
[webhooks]
attempts = 3
backoff = "1ms"
`), 0o600)
	base, token, stop := startServe(t, data, []string{envWebhookSecret + "=" + secret}, "--config", config)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	c := &apiClient{server: base, token: token, http: http.DefaultClient}
	ctx := t.Context()
	alertsMust(t, c.do(ctx, "POST", "/api/v1/users", map[string]string{"name": "lead@example.com"}, nil))
	alertsMust(t, c.do(ctx, "POST", "/api/v1/roleAssignments", map[string]string{"user": "lead@example.com", "role": "Contributor", "scope": "mg/root"}, nil))
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	budget := map[string]any{"scope": "aws/accounts/234567890123", "name": "tiny", "amount": "1", "currency": "USD", "timeGrain": "Monthly",
		"startDate": month.Format(time.DateOnly), "notifications": []map[string]any{{"operator": "GreaterThan", "threshold": 50,
			"contactEmails": []string{"ops@example.com"}, "contactRoles": []string{"Contributor"}, "webhooks": []string{good.URL + "/hook?token=abc", bad.URL}}}}
	alertsMust(t, c.do(ctx, "POST", "/api/v1/budgets", budget, nil))

	var alert cost.Alert
	deadline := time.Now().Add(time.Minute)
	for len(alert.Deliveries) < 4 && time.Now().Before(deadline) {
		var res struct{ Value []cost.Alert }
		alertsMust(t, c.do(ctx, "GET", "/api/v1/alerts?kind=budget", nil, &res))
		if len(res.Value) > 0 {
			alert = res.Value[0]
		}
		time.Sleep(50 * time.Millisecond) // the evaluation runs beside the request that poked it
	}
	if len(alert.Deliveries) != 4 {
		t.Fatalf("the alert has %d deliveries, not 4 (two emails, two webhooks): %+v", len(alert.Deliveries), alert)
	}
	byTo := map[string]cost.Delivery{}
	for _, d := range alert.Deliveries {
		byTo[d.To] = d
	}
	for _, to := range []string{"ops@example.com", "lead@example.com", good.URL + "/hook"} {
		if d := byTo[to]; d.Status != "delivered" {
			t.Errorf("the delivery to %s is %+v, not delivered", to, d)
		}
	}
	if d := byTo[bad.URL]; d.Status != "failed" || d.Attempts != 3 || d.StatusCode != http.StatusBadGateway || failing.Load() != 3 {
		t.Errorf("the failing webhook: %+v after %d tries, not failed after 3 with 502", d, failing.Load())
	}
	if e := verifyErr.Load(); e != nil || signed.Load() != 1 {
		t.Errorf("the webhook verified %d signed posts; error %v", signed.Load(), e)
	}
	checkAlertMail(t, box, alert)
	stopped = true
	if _, stderr := stop(); strings.Contains(stderr, secret) || strings.Contains(stderr, "token=abc") {
		t.Errorf("the log shows a secret: %s", stderr)
	}
}

// checkAlertMail checks the two emails of the alert: to whom, and what
// they say.
func checkAlertMail(t *testing.T, box *mailbox, alert cost.Alert) {
	t.Helper()
	box.mu.Lock()
	defer box.mu.Unlock()
	var to []string
	for _, m := range box.mails {
		to = append(to, m.to...)
		body, err := io.ReadAll(quotedprintable.NewReader(m.msg.Body))
		if err != nil {
			t.Fatal(err)
		}
		text := string(body)
		subject := m.msg.Header.Get("Subject")
		for _, want := range []string{"Reckon budget alert", "tiny", "aws/accounts/234567890123", "Actual > 50%"} {
			if !strings.Contains(subject, want) {
				t.Errorf("the subject %q lacks %q", subject, want)
			}
		}
		for _, want := range []string{"Budget:", "Scope:", "aws/accounts/234567890123", "1.00 USD (BilledCost)", "Spent:", "Forecast:",
			"Threshold:", "above 50% of the amount", "https://reckon.example.com/analysis?", "scope=aws%2Faccounts%2F234567890123", alert.ID} {
			if !strings.Contains(text, want) {
				t.Errorf("the email lacks %q:\n%s", want, text)
			}
		}
		if !strings.Contains(text, alert.Budget.Spent.Fixed(2)+" USD") {
			t.Errorf("the email does not give the spend %s USD:\n%s", alert.Budget.Spent.Fixed(2), text)
		}
	}
	if strings.Join(to, ",") != "ops@example.com,lead@example.com" && strings.Join(to, ",") != "lead@example.com,ops@example.com" {
		t.Errorf("mail went to %v, not ops@ and lead@ (the Contributor by role; admin's name is no address)", to)
	}
}

func alertsMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
