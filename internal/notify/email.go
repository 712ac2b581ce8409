package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxRecipients is the most addresses one Email may have.
const MaxRecipients = 50

// maxLine is the longest header line RFC 5322 allows, CRLF excluded.
const maxLine = 998

// Email is one message.
type Email struct {
	To      []string // addresses, as net/mail parses them; 1 to MaxRecipients
	Subject string
	Text    string // plain text body; required
	HTML    string // optional HTML alternative: the message is then multipart/alternative
}

// message is an Email checked and parsed, ready to write.
type message struct {
	from *mail.Address
	to   []*mail.Address
	e    Email
}

// check parses e's addresses and refuses what would make a bad message.
func (e Email) check(from *mail.Address) (*message, error) {
	if len(e.To) == 0 {
		return nil, errors.New("email has no recipient")
	}
	if len(e.To) > MaxRecipients {
		return nil, fmt.Errorf("email has %d recipients, more than %d: split it", len(e.To), MaxRecipients)
	}
	m := &message{from: from, e: e}
	for _, s := range e.To {
		a, err := parseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("recipient: %w", err)
		}
		m.to = append(m.to, a)
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		return nil, errors.New("email subject has a line break (CR or LF)")
	}
	for _, f := range []struct{ name, v string }{{"subject", e.Subject}, {"text", e.Text}, {"HTML", e.HTML}} {
		if !utf8.ValidString(f.v) {
			return nil, fmt.Errorf("email %s is not valid UTF-8", f.name)
		}
	}
	if e.Text == "" {
		return nil, errors.New("email text is empty (the HTML is an alternative to it, not a replacement)")
	}
	return m, nil
}

// parseAddress parses one address, refusing line breaks, which could add
// a header or an SMTP command.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("address %q has a line break (CR or LF)", clip(s))
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", clip(s), err)
	}
	return a, nil
}

// write renders the message with CRLF line endings, dated now.
func (m *message) write(now time.Time) ([]byte, error) {
	var b bytes.Buffer
	to := make([]string, len(m.to))
	for i, a := range m.to {
		to[i] = a.String()
	}
	headers := []struct{ name, v string }{
		{"Date", now.Format(time.RFC1123Z)},
		{"From", m.from.String()},
		{"To", strings.Join(to, ", ")},
		{"Subject", encodeSubject(m.e.Subject)},
		{"Message-ID", messageID(m.from.Address)},
		{"MIME-Version", "1.0"},
		// RFC 3834: an alert is automatic, so out-of-office replies skip it.
		{"Auto-Submitted", "auto-generated"},
	}
	for _, h := range headers {
		if err := writeHeader(&b, h.name, h.v); err != nil {
			return nil, err
		}
	}
	if m.e.HTML == "" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		if err := writeQP(&b, m.e.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	return m.writeAlternative(&b)
}

// writeAlternative writes the multipart/alternative body: the text first,
// the HTML last, as the reader prefers the last part it can show.
func (m *message) writeAlternative(b *bytes.Buffer) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	ct := mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()})
	if err := writeHeader(b, "Content-Type", ct); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	for _, p := range []struct{ typ, v string }{{"text/plain", m.e.Text}, {"text/html", m.e.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("write %s part: %w", p.typ, err)
		}
		if err := writeQP(w, p.v); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("write multipart: %w", err)
	}
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// writeQP writes s quoted-printable, with CRLF line breaks, ending in one.
func writeQP(w interface{ Write([]byte) (int, error) }, s string) error {
	qp := quotedprintable.NewWriter(w)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	if _, err := qp.Write([]byte(s)); err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	return nil
}

// encodeSubject Q-encodes a subject that is not plain printable ASCII, or
// that holds "=?", which a reader would take for an encoded word.
func encodeSubject(s string) string {
	if !strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("utf-8", s)
	}
	// mime leaves plain ASCII alone: encode it all, in words of at most 20
	// bytes cut between runes (60 encoded, 72 with the markers, within
	// RFC 2047's 75).
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n > 0 && n+size > 20 {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?q?"+qWord(s[:n])+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// qWord Q-encodes every byte but ASCII letters and digits.
func qWord(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

// writeHeader writes "Name: value", folded before spaces so that lines
// stay within 78 characters where they can, and refuses a line longer
// than RFC 5322's 998.
func writeHeader(b *bytes.Buffer, name, v string) error {
	line := name + ":"
	for i, w := range strings.Split(v, " ") {
		if i > 0 && len(line)+1+len(w) > 78 && strings.TrimSpace(line) != "" {
			if len(line) > maxLine {
				return fmt.Errorf("email %s header has a word longer than %d bytes", name, maxLine)
			}
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + w
	}
	if len(line) > maxLine {
		return fmt.Errorf("email %s header has a word longer than %d bytes", name, maxLine)
	}
	b.WriteString(line + "\r\n")
	return nil
}

// messageID is a unique Message-ID at the From address's domain.
func messageID(from string) string {
	domain := "reckon.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "<" + hex.EncodeToString(b) + "@" + domain + ">"
}
