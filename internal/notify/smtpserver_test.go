package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// mailServer is an in-process SMTP server (go-smtp) that records what it
// is sent.
type mailServer struct {
	host string
	port int

	user, pass string // if set, MAIL needs AUTH PLAIN with these
	refuse     string // a recipient RCPT refuses

	mu    sync.Mutex
	from  string
	rcpt  []string
	data  []byte
	mails int
	tls   bool // the last MAIL came over TLS
	authd string
}

type serverOptions struct {
	user, pass string
	refuse     string
	tls        *tls.Config // offered by STARTTLS, or from the start if implicit
	implicit   bool
	insecure   bool // AllowInsecureAuth
}

func startMailServer(t *testing.T, o serverOptions) *mailServer {
	t.Helper()
	ms := &mailServer{user: o.user, pass: o.pass, refuse: o.refuse}
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &mailSession{ms: ms, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ErrorLog = log.New(io.Discard, "", 0) // a client that hangs up is a test, not news
	s.AllowInsecureAuth = o.insecure
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.implicit {
		l = tls.NewListener(l, o.tls)
	} else {
		s.TLSConfig = o.tls
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	ms.host, ms.port = splitHostPort(t, l.Addr().String())
	return ms
}

func splitHostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return h, port
}

// snapshot returns what the server received, under its lock.
func (ms *mailServer) snapshot() (from string, rcpt []string, data []byte, mails int) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.from, append([]string(nil), ms.rcpt...), ms.data, ms.mails
}

type mailSession struct {
	ms     *mailServer
	conn   *gosmtp.Conn
	authed bool
	from   string
	rcpt   []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.ms.user || password != s.ms.pass {
			return errors.New("invalid username or password")
		}
		s.authed = true
		s.ms.mu.Lock()
		s.ms.authd = username
		s.ms.mu.Unlock()
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.ms.pass != "" && !s.authed {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if to == s.ms.refuse {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	s.ms.from, s.ms.rcpt, s.ms.data, s.ms.tls = s.from, s.rcpt, b, isTLS
	s.ms.mails++
	return nil
}

func (s *mailSession) Reset()        { s.from, s.rcpt = "", nil }
func (s *mailSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "reckon test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return cfg, pool
}
