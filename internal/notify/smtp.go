package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TLS modes of SMTP.TLS.
const (
	TLSNone     = "none"     // plain text throughout
	TLSStartTLS = "starttls" // upgrade with STARTTLS; fail if not offered
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// DefaultSMTPTimeout bounds one Send when SMTP.Timeout is zero.
const DefaultSMTPTimeout = 30 * time.Second

// SMTP sends email through one server. The caller fills it from the
// configuration file, and Password from the environment.
type SMTP struct {
	Host     string // server name or address, e.g. "smtp.example.com"
	Port     int    // 25, 465, 587...
	From     string // envelope and header From, e.g. "Reckon <alerts@example.com>"
	Username string // optional; with it, Send authenticates with AUTH PLAIN
	// Password goes with Username. It never appears in errors or String.
	Password string `json:"-"`
	// TLS is TLSNone, TLSStartTLS or TLSImplicit; empty means TLSImplicit
	// on port 465, TLSStartTLS on 587, and TLSNone on any other port.
	TLS string
	// Timeout bounds one Send, from the dial to QUIT; 0 means
	// DefaultSMTPTimeout.
	Timeout time.Duration
	// LocalName is the name this client gives in EHLO; empty means
	// "localhost".
	LocalName string
	// TLSConfig, if set, is used for TLS (as for a private CA's RootCAs);
	// its ServerName defaults to Host.
	TLSConfig *tls.Config
	// Clock dates the messages; nil means the system clock.
	Clock cost.Clock
}

// String describes s without its password.
func (s SMTP) String() string {
	return fmt.Sprintf("notify.SMTP{Host: %q, Port: %d, From: %q, Username: %q, Password: %s, TLS: %q}",
		s.Host, s.Port, s.From, s.Username, hidden(s.Password != ""), s.tlsMode())
}

// GoString is String, so that %#v hides the password too.
func (s SMTP) GoString() string { return s.String() }

// Validate reports the first thing wrong with the settings, in words that
// say how to fix it.
func (s SMTP) Validate() error {
	_, err := s.check()
	return err
}

// check validates s and returns the parsed From.
func (s SMTP) check() (*mail.Address, error) {
	if strings.TrimSpace(s.Host) == "" {
		return nil, errors.New("smtp host is missing")
	}
	if strings.ContainsAny(s.Host, "\r\n/ ") {
		return nil, fmt.Errorf("smtp host %q is not a host name or address", clip(s.Host))
	}
	if strings.Contains(s.Host, ":") && net.ParseIP(s.Host) == nil {
		return nil, fmt.Errorf("smtp host %q has a port in it: give the port as port", clip(s.Host))
	}
	if s.Port < 1 || s.Port > 65535 {
		return nil, fmt.Errorf("smtp port %d is not between 1 and 65535 (usually 587, 465 or 25)", s.Port)
	}
	if s.From == "" {
		return nil, errors.New("smtp from address is missing")
	}
	from, err := parseAddress(s.From)
	if err != nil {
		return nil, fmt.Errorf("smtp from: %w", err)
	}
	switch s.TLS {
	case "", TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return nil, fmt.Errorf("smtp tls %q is not one of %q, %q or %q", clip(s.TLS), TLSNone, TLSStartTLS, TLSImplicit)
	}
	if s.Password != "" && s.Username == "" {
		return nil, errors.New("smtp password is set but the username is not")
	}
	if s.Timeout < 0 {
		return nil, fmt.Errorf("smtp timeout %s is negative", s.Timeout)
	}
	return from, nil
}

// tlsMode is s.TLS, or the default for the port.
func (s SMTP) tlsMode() string {
	switch {
	case s.TLS != "":
		return s.TLS
	case s.Port == 465:
		return TLSImplicit
	case s.Port == 587:
		return TLSStartTLS
	default:
		return TLSNone
	}
}

// Send delivers e to the server, within Timeout and while ctx lasts.
func (s SMTP) Send(ctx context.Context, e Email) error {
	from, err := s.check()
	if err != nil {
		return err
	}
	m, err := e.check(from)
	if err != nil {
		return err
	}
	clock := s.Clock
	if clock == nil {
		clock = cost.SystemClock{}
	}
	msg, err := m.write(clock.Now())
	if err != nil {
		return err
	}
	err = s.send(ctx, m, msg)
	if err != nil && s.Password != "" && strings.Contains(err.Error(), s.Password) {
		// No server should echo it, but an error must never carry it.
		return redactedError{strings.ReplaceAll(err.Error(), s.Password, "(hidden)"), err}
	}
	return err
}

// redactedError is an error whose text has had a secret taken out; errors.Is
// and errors.As still see the error beneath.
type redactedError struct {
	msg string
	err error
}

// Error is the redacted text.
func (e redactedError) Error() string { return e.msg }

// Unwrap is the error beneath.
func (e redactedError) Unwrap() error { return e.err }

// send runs one SMTP session.
func (s SMTP) send(ctx context.Context, m *message, msg []byte) error {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = DefaultSMTPTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	conn, err := s.dial(ctx, addr)
	if err != nil {
		return fmt.Errorf("smtp %s: connect: %w", addr, ctxErr(ctx, err))
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	// Cancelling ctx cuts the session short at its next read or write.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := s.session(conn, m, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", addr, ctxErr(ctx, err))
	}
	return nil
}

// ctxErr is err, or ctx's error beside it when ctx ended the session (a
// deadline set on the connection reads as a bare i/o timeout).
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%w)", err, cerr)
	}
	return err
}

// dial connects, with TLS from the start in TLSImplicit mode.
func (s SMTP) dial(ctx context.Context, addr string) (net.Conn, error) {
	d := &net.Dialer{}
	if s.tlsMode() == TLSImplicit {
		td := &tls.Dialer{NetDialer: d, Config: s.tlsConfig()}
		return td.DialContext(ctx, "tcp", addr)
	}
	return d.DialContext(ctx, "tcp", addr)
}

func (s SMTP) tlsConfig() *tls.Config {
	c := &tls.Config{}
	if s.TLSConfig != nil {
		c = s.TLSConfig.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = s.Host
	}
	return c
}

// session speaks SMTP on conn: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT.
func (s SMTP) session(conn net.Conn, m *message, msg []byte) error {
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if s.LocalName != "" {
		if err := c.Hello(s.LocalName); err != nil {
			return fmt.Errorf("ehlo: %w", err)
		}
	}
	if s.tlsMode() == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS: set tls to \"tls\" for implicit TLS (port 465), or \"none\" to send in plain text")
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("a username is set but the server does not offer AUTH (some offer it only after STARTTLS)")
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("auth as %s: %w", s.Username, err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return fmt.Errorf("mail from %s: %w", m.from.Address, err)
	}
	for _, a := range m.to {
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("rcpt to %s: %w", a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	// The server has taken the message: a failed QUIT must not make the
	// caller send it again.
	_ = c.Quit()
	return nil
}
