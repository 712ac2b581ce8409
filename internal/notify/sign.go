package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// Errors that Verify wraps, for receivers that answer each differently.
var (
	// ErrMalformedSignature is a header that is not "t=<unix>,v1=<hex>".
	ErrMalformedSignature = errors.New("malformed signature header")
	// ErrTimestampOutOfTolerance is a signature too old, or from too far
	// in the future, to accept.
	ErrTimestampOutOfTolerance = errors.New("signature timestamp out of tolerance")
	// ErrSignatureMismatch is a signature that does not match the body
	// under the secret.
	ErrSignatureMismatch = errors.New("signature does not match")
)

// Sign returns the Reckon-Signature header value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a Reckon-Signature header against body and secret, and
// that its timestamp is within tolerance of now (DefaultTolerance when
// tolerance is not positive). A header may hold several v1 signatures (as
// while a secret is rotated); one match is enough. Keys other than t and v1
// are ignored, so a later scheme can be added alongside.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secret) == 0 {
		return errors.New("verify signature: no secret")
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, sigs, err := parseSignature(header)
	if err != nil {
		return err
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not a number of seconds", ErrMalformedSignature, clip(ts))
	}
	sent := time.Unix(unix, 0)
	if age := now.Sub(sent); age > tolerance {
		return fmt.Errorf("%w: signed %s ago, more than %s", ErrTimestampOutOfTolerance, age.Truncate(time.Second), tolerance)
	}
	if ahead := sent.Sub(now); ahead > tolerance {
		return fmt.Errorf("%w: signed %s in the future, more than %s", ErrTimestampOutOfTolerance, ahead.Truncate(time.Second), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

// parseSignature splits "t=...,v1=...[,v1=...]" into the timestamp and the
// decoded v1 signatures.
func parseSignature(header string) (ts string, sigs [][]byte, err error) {
	if header == "" {
		return "", nil, fmt.Errorf("%w: empty", ErrMalformedSignature)
	}
	seenT := false
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, fmt.Errorf("%w: %q is not key=value", ErrMalformedSignature, clip(part))
		}
		switch k {
		case "t":
			if seenT {
				return "", nil, fmt.Errorf("%w: more than one timestamp", ErrMalformedSignature)
			}
			ts, seenT = v, true
		case "v1":
			s, err := hex.DecodeString(v)
			if err != nil || len(s) != sha256.Size {
				return "", nil, fmt.Errorf("%w: v1 is not %d hex digits", ErrMalformedSignature, 2*sha256.Size)
			}
			sigs = append(sigs, s)
		}
	}
	if !seenT {
		return "", nil, fmt.Errorf("%w: no timestamp (t=)", ErrMalformedSignature)
	}
	if len(sigs) == 0 {
		return "", nil, fmt.Errorf("%w: no v1 signature", ErrMalformedSignature)
	}
	return ts, sigs, nil
}

// clip shortens outside input quoted in an error.
func clip(s string) string {
	const max = 32
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
