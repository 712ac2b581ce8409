package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"strings"
	"testing"
	"time"
)

// client is an SMTP for ms, with the fake clock.
func client(ms *mailServer, clock *fakeClock) SMTP {
	return SMTP{Host: ms.host, Port: ms.port, From: "Reckon <alerts@example.com>", Timeout: 10 * time.Second, Clock: clock}
}

// received parses the one message the server took.
func received(t *testing.T, ms *mailServer) *mail.Message {
	t.Helper()
	_, _, data, n := ms.snapshot()
	if n != 1 {
		t.Fatalf("the server took %d messages, want 1", n)
	}
	if i := bytes.Index(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")); i >= 0 {
		t.Errorf("the message has a bare LF at byte %d", i)
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, data)
	}
	return m
}

// lf turns CRLF into LF and drops the final newline, to compare bodies.
func lf(s string) string {
	return strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

func TestSendDeliversAPlainTextMessage(t *testing.T) {
	ms := startMailServer(t, serverOptions{})
	clock := newClock()
	text := "Budget prod-monthly is at 112% (€11,200 of €10,000).\n" +
		".a line that starts with a dot, and = signs\n" +
		strings.Repeat("a long line of words ", 10)
	e := Email{
		To:      []string{"Ann Lee <ann@example.com>", "Zoë <zoe@example.com>"},
		Subject: "Budget prod-monthly über 100% — €11,200",
		Text:    text,
	}
	if err := client(ms, clock).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	from, rcpt, _, _ := ms.snapshot()
	if from != "alerts@example.com" || strings.Join(rcpt, ",") != "ann@example.com,zoe@example.com" {
		t.Errorf("envelope from %q to %q", from, rcpt)
	}
	m := received(t, ms)
	checkHeaders(t, m, clock.Now(), e.Subject)
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cte := m.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding %q", cte)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if lf(string(body)) != lf(text) {
		t.Errorf("body\n%q\nwant\n%q", body, text)
	}
}

// checkHeaders checks the headers every message has.
func checkHeaders(t *testing.T, m *mail.Message, now time.Time, subject string) {
	t.Helper()
	if d, err := m.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date %v (%v), want %v", d, err, now)
	}
	if f, err := m.Header.AddressList("From"); err != nil || len(f) != 1 || f[0].Address != "alerts@example.com" || f[0].Name != "Reckon" {
		t.Errorf("From %v (%v)", f, err)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "Ann Lee" || to[1].Name != "Zoë" || to[1].Address != "zoe@example.com" {
		t.Errorf("To %v (%v)", to, err)
	}
	got, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || got != subject {
		t.Errorf("Subject %q (%v), want %q", got, err, subject)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID %q", id)
	}
	if v := m.Header.Get("Mime-Version"); v != "1.0" {
		t.Errorf("MIME-Version %q", v)
	}
}

func TestSendWithHTMLSendsMultipartAlternative(t *testing.T) {
	ms := startMailServer(t, serverOptions{})
	clock := newClock()
	e := Email{
		To:      []string{"Ann Lee <ann@example.com>", "Zoë <zoe@example.com>"},
		Subject: "Anomaly: EC2 up 340%",
		Text:    "EC2 cost rose 340% on 27 November.\n",
		HTML:    "<p>EC2 cost rose <b>340%</b> on 27 November.</p>",
	}
	if err := client(ms, clock).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	m := received(t, ms)
	checkHeaders(t, m, clock.Now(), e.Subject)
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v)", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for _, want := range []struct{ typ, body string }{{"text/plain", e.Text}, {"text/html", e.HTML}} {
		p, err := r.NextPart() // decodes quoted-printable
		if err != nil {
			t.Fatalf("part %s: %v", want.typ, err)
		}
		if ct := p.Header.Get("Content-Type"); ct != want.typ+"; charset=utf-8" {
			t.Errorf("part Content-Type %q, want %s", ct, want.typ)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if lf(string(b)) != lf(want.body) {
			t.Errorf("%s part %q, want %q", want.typ, b, want.body)
		}
	}
	if _, err := r.NextPart(); err != io.EOF {
		t.Errorf("a third part: %v", err)
	}
}

func TestSendAuthenticatesWithPlain(t *testing.T) {
	const password = "correct-horse-battery"
	for _, tc := range []struct {
		name, password string
		ok             bool
	}{
		{"the right password sends the message", password, true},
		{"a wrong password is an error that does not show it", "wrong-pass-1234", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := startMailServer(t, serverOptions{user: "reckon", pass: password, insecure: true})
			s := client(ms, newClock())
			s.Username, s.Password = "reckon", tc.password
			err := s.Send(context.Background(), Email{To: []string{"ann@example.com"}, Subject: "s", Text: "t"})
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				ms.mu.Lock()
				defer ms.mu.Unlock()
				if ms.authd != "reckon" {
					t.Errorf("authenticated as %q", ms.authd)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "auth as reckon") || strings.Contains(err.Error(), tc.password) {
				t.Errorf("error %q", err)
			}
			if _, _, _, n := ms.snapshot(); n != 0 {
				t.Errorf("the server took %d messages", n)
			}
		})
	}
}

func TestSendNamesTheRecipientTheServerRefuses(t *testing.T) {
	ms := startMailServer(t, serverOptions{refuse: "bob@example.com"})
	err := client(ms, newClock()).Send(context.Background(),
		Email{To: []string{"ann@example.com", "Bob <bob@example.com>"}, Subject: "s", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "rcpt to bob@example.com") || !strings.Contains(err.Error(), "550") {
		t.Errorf("error %v, want one naming bob@example.com and the 550", err)
	}
	if _, _, _, n := ms.snapshot(); n != 0 {
		t.Errorf("the server took %d messages", n)
	}
}

func TestSendUpgradesWithSTARTTLS(t *testing.T) {
	cfg, pool := selfSigned(t)
	ms := startMailServer(t, serverOptions{tls: cfg, user: "reckon", pass: "pw-over-tls"})
	s := client(ms, newClock())
	s.TLS, s.Username, s.Password = TLSStartTLS, "reckon", "pw-over-tls"
	e := Email{To: []string{"ann@example.com"}, Subject: "s", Text: "t"}

	t.Run("a trusted certificate carries the login and the message", func(t *testing.T) {
		s := s
		s.TLSConfig = &tls.Config{RootCAs: pool}
		if err := s.Send(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		ms.mu.Lock()
		defer ms.mu.Unlock()
		if !ms.tls || ms.authd != "reckon" {
			t.Errorf("over TLS %v, authenticated as %q", ms.tls, ms.authd)
		}
	})
	t.Run("an untrusted certificate is an error", func(t *testing.T) {
		err := s.Send(context.Background(), e)
		if err == nil || !strings.Contains(err.Error(), "starttls") || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("a server that does not offer STARTTLS is an error", func(t *testing.T) {
		plain := startMailServer(t, serverOptions{})
		s := client(plain, newClock())
		s.TLS = TLSStartTLS
		err := s.Send(context.Background(), e)
		if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
			t.Errorf("error %v", err)
		}
	})
}

func TestSendSpeaksImplicitTLS(t *testing.T) {
	cfg, pool := selfSigned(t)
	ms := startMailServer(t, serverOptions{tls: cfg, implicit: true})
	s := client(ms, newClock())
	s.TLS, s.TLSConfig = TLSImplicit, &tls.Config{RootCAs: pool}
	if err := s.Send(context.Background(), Email{To: []string{"ann@example.com"}, Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if !ms.tls {
		t.Error("the message did not come over TLS")
	}
}

func TestSendGivesUp(t *testing.T) {
	e := Email{To: []string{"ann@example.com"}, Subject: "s", Text: "t"}
	t.Run("a closed port is an error", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		host, port := splitHostPort(t, l.Addr().String())
		l.Close()
		err = SMTP{Host: host, Port: port, From: "a@example.com", Timeout: 5 * time.Second}.Send(context.Background(), e)
		if err == nil || !strings.Contains(err.Error(), "connect") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("a server that never greets times out", func(t *testing.T) {
		host, port := silentServer(t, nil)
		err := SMTP{Host: host, Port: port, From: "a@example.com", Timeout: 200 * time.Millisecond}.Send(context.Background(), e)
		if !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want a timeout", err)
		}
	})
	t.Run("cancelling the context stops the session", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		host, port := silentServer(t, cancel)
		err := SMTP{Host: host, Port: port, From: "a@example.com"}.Send(ctx, e)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}

// silentServer accepts connections and says nothing; onAccept runs when
// one is accepted.
func silentServer(t *testing.T, onAccept func()) (string, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			if onAccept != nil {
				onAccept()
			}
		}
	}()
	return splitHostPort(t, l.Addr().String())
}

func TestSendRefusesABadEmailBeforeConnecting(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("user%d@example.com", i)
	}
	for _, tc := range []struct {
		name string
		e    Email
		want string
	}{
		{"a subject with CRLF cannot add a header", Email{To: []string{"ann@example.com"}, Subject: "Hi\r\nBcc: eve@example.com", Text: "t"}, "subject has a line break"},
		{"a subject with a bare LF is refused too", Email{To: []string{"ann@example.com"}, Subject: "Hi\nBcc: eve@example.com", Text: "t"}, "subject has a line break"},
		{"an address with CRLF cannot add a header", Email{To: []string{"ann@example.com\r\nBcc: eve@example.com"}, Subject: "s", Text: "t"}, "line break"},
		{"51 recipients are too many", Email{To: many, Subject: "s", Text: "t"}, "51 recipients, more than 50"},
		{"no recipient is an error", Email{Subject: "s", Text: "t"}, "no recipient"},
		{"an address net/mail cannot parse is refused", Email{To: []string{"ann at example"}, Subject: "s", Text: "t"}, `address "ann at example"`},
		{"an empty text is refused", Email{To: []string{"ann@example.com"}, Subject: "s", HTML: "<p>x</p>"}, "text is empty"},
		{"a subject that is not UTF-8 is refused", Email{To: []string{"ann@example.com"}, Subject: "\xff", Text: "t"}, "subject is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := startMailServer(t, serverOptions{})
			err := client(ms, newClock()).Send(context.Background(), tc.e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
			if _, _, _, n := ms.snapshot(); n != 0 {
				t.Errorf("the server took %d messages", n)
			}
		})
	}
	t.Run("50 recipients take one message", func(t *testing.T) {
		ms := startMailServer(t, serverOptions{})
		if err := client(ms, newClock()).Send(context.Background(), Email{To: many[:50], Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		if _, rcpt, _, _ := ms.snapshot(); len(rcpt) != 50 {
			t.Errorf("%d recipients", len(rcpt))
		}
		m := received(t, ms)
		if to, err := m.Header.AddressList("To"); err != nil || len(to) != 50 {
			t.Errorf("To header: %d addresses (%v)", len(to), err)
		}
	})
}

func TestValidate(t *testing.T) {
	ok := SMTP{Host: "smtp.example.com", Port: 587, From: "Reckon <alerts@example.com>"}
	for _, tc := range []struct {
		name string
		edit func(*SMTP)
		want string // "" for valid
	}{
		{"a host, a port and a From are enough", func(*SMTP) {}, ""},
		{"a missing host is named", func(s *SMTP) { s.Host = "" }, "smtp host is missing"},
		{"a host with a port in it is refused", func(s *SMTP) { s.Host = "smtp.example.com:587" }, "has a port in it"},
		{"an IPv6 host is valid", func(s *SMTP) { s.Host = "::1" }, ""},
		{"port 0 is out of range", func(s *SMTP) { s.Port = 0 }, "smtp port 0 is not between 1 and 65535"},
		{"port 70000 is out of range", func(s *SMTP) { s.Port = 70000 }, "smtp port 70000"},
		{"a missing From is named", func(s *SMTP) { s.From = "" }, "smtp from address is missing"},
		{"a From that is not an address is refused", func(s *SMTP) { s.From = "alerts" }, `smtp from: address "alerts"`},
		{"a From with CRLF is refused", func(s *SMTP) { s.From = "a@example.com\r\nBcc: e@example.com" }, "line break"},
		{"an unknown TLS mode is named", func(s *SMTP) { s.TLS = "ssl" }, `smtp tls "ssl" is not one of`},
		{"a password without a username is refused", func(s *SMTP) { s.Password = "pw" }, "username is not"},
		{"every TLS mode is known", func(s *SMTP) { s.TLS = TLSImplicit }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			err := s.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestTLSModeDefaultsByPort(t *testing.T) {
	for port, want := range map[int]string{465: TLSImplicit, 587: TLSStartTLS, 25: TLSNone, 2525: TLSNone} {
		if got := (SMTP{Port: port}).tlsMode(); got != want {
			t.Errorf("port %d: %q, want %q", port, got, want)
		}
	}
}

func TestSMTPStringHidesThePassword(t *testing.T) {
	s := SMTP{Host: "h", Port: 587, From: "a@example.com", Username: "u", Password: "hunter2-secret"}
	wrapped := struct{ Mail SMTP }{s}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprintf("%+v", wrapped), fmt.Sprint(&s)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("%q shows the password", out)
		}
	}
	// The password comes from the environment, never from a config file.
	var fromFile SMTP
	if err := json.Unmarshal([]byte(`{"Host":"h","Password":"from-file"}`), &fromFile); err != nil || fromFile.Password != "" || fromFile.Host != "h" {
		t.Errorf("decoded %v (%v)", fromFile, err)
	}
}
