package cost

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the most characters a display name may have: scope
// names, connector display names and report names. Azure allows 90 for a
// management group's name and AWS 50 for an account's; 256 leaves room and
// keeps a listing of thousands of scopes small.
const MaxNameLength = 256

// MaxQuoted is the most characters of a caller's input that an error
// message quotes: enough to recognise it, never the whole of a huge one.
const MaxQuoted = 64

// CheckName checks a name people chose before it is stored: valid UTF-8, at
// most MaxNameLength characters, and no control characters (C0, DEL, C1,
// the line and paragraph separators, and the bidirectional embeddings,
// overrides and isolates), which change what a terminal or a log shows (an
// ANSI escape starts with ESC). what names the field in the message, such
// as "the display name". An empty name passes: callers that need one say
// so.
func CheckName(what, name string) error {
	if !utf8.ValidString(name) {
		return Errorf(EInvalid, "%s is not valid UTF-8 (at byte %d): send text in UTF-8", what, invalidAt(name))
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return Errorf(EInvalid, "%s has %d characters; the most is %d: shorten it", what, n, MaxNameLength)
	}
	for i, r := range []rune(name) {
		if badNameRune(r) {
			return Errorf(EInvalid, "%s has the control character %U at character %d: remove it "+
				"(names are shown in terminals and logs, where control characters change what is shown)", what, r, i+1)
		}
	}
	return nil
}

// CleanName makes a name Reckon did not choose, such as an AWS account's
// name from Organizations or a CUR row, acceptable to CheckName rather than
// refuse the collection that found it: invalid bytes and control
// characters become U+FFFD (a tab or a line break a space), and the name
// is cut to MaxNameLength characters.
func CleanName(name string) string {
	if CheckName("", name) == nil {
		return name
	}
	var b strings.Builder
	n := 0
	for _, r := range name { // an invalid byte arrives as U+FFFD
		if n == MaxNameLength {
			break
		}
		switch {
		case unicode.IsSpace(r) && badNameRune(r):
			r = ' '
		case badNameRune(r):
			r = utf8.RuneError
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// Quote quotes a caller's input for an error message, as %q does, but at
// most its first MaxQuoted characters: a longer input is cut, and the
// message says how long it was.
func Quote(s string) string {
	n := 0
	for i := range s {
		if n == MaxQuoted {
			return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:i]), len(s))
		}
		n++
	}
	return strconv.Quote(s)
}

// NameRune reports whether a name may hold r: whether CheckName lets it
// through. Programs that print names stored elsewhere escape the others.
func NameRune(r rune) bool { return !badNameRune(r) }

// badNameRune reports the characters a name may not hold.
func badNameRune(r rune) bool {
	return unicode.IsControl(r) || // C0, DEL and C1
		r == '\u2028' || r == '\u2029' || // line and paragraph separators
		'\u202a' <= r && r <= '\u202e' || '\u2066' <= r && r <= '\u2069' // bidi embeddings, overrides, isolates
}

// invalidAt returns the offset of the first byte that is not UTF-8.
func invalidAt(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}
