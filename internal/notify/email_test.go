package notify

import (
	"bytes"
	"mime"
	"strings"
	"testing"
)

func TestEncodeSubjectRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		name, subject string
		plain         bool // left as it is
	}{
		{"plain ASCII stays as it is", "Budget prod over 100%", true},
		{"non-ASCII is Q-encoded", "Budget über 100% — €11,200", false},
		{"a literal encoded word is encoded, not decoded by the reader", "look =?utf-8?q?hi?= here", false},
		{"a long subject with a literal encoded word keeps its spaces", strings.Repeat("über =?x?= ", 20), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := encodeSubject(tc.subject)
			if tc.plain != (enc == tc.subject) {
				t.Errorf("encoded %q", enc)
			}
			for _, w := range strings.Fields(enc) {
				if len(w) > 75 && !tc.plain {
					t.Errorf("encoded word %q is longer than 75", w)
				}
			}
			got, err := new(mime.WordDecoder).DecodeHeader(enc)
			if err != nil || got != tc.subject {
				t.Errorf("decoded %q (%v), want %q", got, err, tc.subject)
			}
		})
	}
}

func TestWriteHeaderFolds(t *testing.T) {
	var b bytes.Buffer
	v := strings.TrimSpace(strings.Repeat("<someone@example.com>, ", 60))
	if err := writeHeader(&b, "To", v); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
	for i, l := range lines {
		if len(l) > 78 || i > 0 && !strings.HasPrefix(l, " ") {
			t.Errorf("line %d %q", i, l)
		}
	}
	if unfolded := strings.ReplaceAll(b.String(), "\r\n", ""); unfolded != "To: "+v {
		t.Errorf("unfolded %q", unfolded)
	}
	if err := writeHeader(&b, "Subject", strings.Repeat("x", 1000)); err == nil {
		t.Error("a 1000-byte word was written")
	}
}
