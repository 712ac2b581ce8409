package notify

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"budget":"prod","spent":"11200.00"}`)
	good := Sign(testSecret, now, body)
	other := Sign([]byte("another-secret"), now, body)
	for _, tc := range []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		is     error // nil for valid
		text   string
	}{
		{"a header from Sign verifies", testSecret, good, body, now, nil, ""},
		{"a signature 4 minutes old verifies", testSecret, good, body, now.Add(4 * time.Minute), nil, ""},
		{"a tampered body is refused", testSecret, good, []byte(`{"budget":"prod","spent":"1.00"}`), now, ErrSignatureMismatch, ""},
		{"a wrong secret is refused", []byte("wrong"), good, body, now, ErrSignatureMismatch, ""},
		{"a signature 10 minutes old is refused", testSecret, good, body, now.Add(10 * time.Minute), ErrTimestampOutOfTolerance, "signed 10m0s ago, more than 5m0s"},
		{"a signature 10 minutes ahead is refused", testSecret, good, body, now.Add(-10 * time.Minute), ErrTimestampOutOfTolerance, "10m0s in the future"},
		{"a re-stamped old signature is refused", testSecret, strings.Replace(good, "t=", "t=1", 1), body, now, ErrTimestampOutOfTolerance, ""},
		{"one matching signature of several verifies", testSecret, other + good[strings.Index(good, ","):], body, now, nil, ""},
		{"keys other than t and v1 are ignored", testSecret, good + ",v0=abc", body, now, nil, ""},
		{"an empty header is malformed", testSecret, "", body, now, ErrMalformedSignature, "empty"},
		{"a header without t is malformed", testSecret, good[strings.Index(good, ",")+1:], body, now, ErrMalformedSignature, "no timestamp"},
		{"a header without v1 is malformed", testSecret, "t=1795860000", body, now, ErrMalformedSignature, "no v1"},
		{"two timestamps are malformed", testSecret, "t=1," + good, body, now, ErrMalformedSignature, "more than one timestamp"},
		{"a t that is not a number is malformed", testSecret, "t=soon" + good[strings.Index(good, ","):], body, now, ErrMalformedSignature, `"soon"`},
		{"a v1 that is not hex is malformed", testSecret, "t=1,v1=zz", body, now, ErrMalformedSignature, "hex digits"},
		{"a part without = is malformed", testSecret, good + ",junk", body, now, ErrMalformedSignature, `"junk"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.header, tc.body, tc.now, 0)
			if tc.is == nil {
				if err != nil {
					t.Errorf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.is) || !strings.Contains(errText(err), tc.text) {
				t.Errorf("Verify: %v, want %v with %q", err, tc.is, tc.text)
			}
		})
	}
	t.Run("no secret is an error, not a pass", func(t *testing.T) {
		if err := Verify(nil, Sign(nil, now, body), body, now, 0); err == nil {
			t.Error("verified without a secret")
		}
	})
	t.Run("a tolerance given is the tolerance used", func(t *testing.T) {
		if err := Verify(testSecret, good, body, now.Add(time.Minute), 30*time.Second); !errors.Is(err, ErrTimestampOutOfTolerance) {
			t.Errorf("Verify: %v", err)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestSignIsTheDocumentedScheme(t *testing.T) {
	// HMAC-SHA256("k", "1700000000.{}"), computed independently:
	// printf '1700000000.{}' | openssl dgst -sha256 -hmac k
	const want = "t=1700000000,v1=" + "c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146"
	got := Sign([]byte("k"), time.Unix(1700000000, 0), []byte("{}"))
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func FuzzVerify(f *testing.F) {
	now := time.Unix(1795860000, 0)
	f.Add(Sign(testSecret, now, []byte(`{}`)), []byte(`{}`), int64(1795860000), testSecret)
	f.Add("t=1,v1=00,v1=zz,x", []byte("body"), int64(0), []byte("k"))
	f.Add("t=-9223372036854775808,v1=", []byte(nil), int64(-1), []byte("k"))
	f.Fuzz(func(t *testing.T, header string, body []byte, unix int64, secret []byte) {
		at := time.Unix(unix, 0)
		_ = Verify(secret, header, body, at, 0) // must not panic
		if len(secret) == 0 {
			return
		}
		if err := Verify(secret, Sign(secret, at, body), body, at, 0); err != nil {
			t.Errorf("a header from Sign does not verify: %v", err)
		}
	})
}
