package cost

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // a part of the message; "" when the name passes
	}{
		{"a plain name passes", "Production (EU)", ""},
		{"an empty name passes: callers that need one say so", "", ""},
		{"letters of any script pass", "Финансы – 財務", ""},
		{"an emoji joined by a zero-width joiner passes", "Team 👩‍💻", ""},
		{"a right-to-left mark passes", "מחלקה\u200f 1", ""},
		{"256 characters pass", strings.Repeat("é", MaxNameLength), ""},

		{"a newline is refused", "prod\nroot", "U+000A at character 5"},
		{"an ANSI escape is refused", "\x1b[31mprod", "U+001B at character 1"},
		{"a NUL is refused", "pr\x00od", "U+0000 at character 3"},
		{"DEL is refused", "prod\x7f", "U+007F at character 5"},
		{"a C1 control (CSI) is refused", "prod\u009b31m", "U+009B"},
		{"a tab is refused", "a\tb", "U+0009"},
		{"a line separator is refused", "a\u2028b", "U+2028"},
		{"a right-to-left override is refused", "invoice\u202efdp.exe", "U+202E"},
		{"a bidi isolate is refused", "a\u2066b", "U+2066"},
		{"invalid UTF-8 is refused", "ab\xffc", "not valid UTF-8 (at byte 2)"},
		{"257 characters are refused", strings.Repeat("a", MaxNameLength+1), "has 257 characters; the most is 256"},
		{"a 500 KB name is refused", strings.Repeat("x", 500<<10), "has 512000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName("the display name", tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckName: %v", err)
				}
				return
			}
			if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "the display name ") {
				t.Errorf("CheckName = %v, want an Invalid error about the display name containing %q", err, tt.want)
			}
		})
	}
}

func TestCleanNameMakesAnyNameAcceptable(t *testing.T) {
	for in, want := range map[string]string{
		"Payer":                     "Payer",
		"prod\naccount\r\n":         "prod account  ",
		"\x1b[31mred\x1b[0m":        "\ufffd[31mred\ufffd[0m",
		"a\x00b\x7fc\u009bd\u202ee": "a\ufffdb\ufffdc\ufffdd\ufffde",
		"bad \xff byte":             "bad \ufffd byte",
		strings.Repeat("ab", 300):   strings.Repeat("ab", 128),
	} {
		got := CleanName(in)
		if got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
		if err := CheckName("the name", got); err != nil {
			t.Errorf("CleanName(%q) = %q, which CheckName refuses: %v", in, got, err)
		}
	}
}

func TestQuoteQuotesABoundedPrefix(t *testing.T) {
	if got := Quote("mg/a\x1bb"); got != fmt.Sprintf("%q", "mg/a\x1bb") {
		t.Errorf("a short input is quoted as %%q does: %s", got)
	}
	exact := strings.Repeat("a", MaxQuoted)
	if got := Quote(exact); got != `"`+exact+`"` {
		t.Errorf("an input of exactly %d characters is quoted whole: %s", MaxQuoted, got)
	}
	huge := "mg/" + strings.Repeat("ü", 450_000) // 900 KB
	got := Quote(huge)
	want := `"mg/` + strings.Repeat("ü", MaxQuoted-3) + `"… (900003 bytes)`
	if got != want {
		t.Errorf("Quote of a 900 KB input = %.100s…, want %s", got, want)
	}
	if !utf8.ValidString(Quote("€" + strings.Repeat("€", 100))) {
		t.Error("Quote cut a character in two")
	}
}

// Every error that quotes a caller's input quotes a bounded prefix of it.
func TestErrorsQuoteABoundedPrefixOfTheInput(t *testing.T) {
	huge := strings.Repeat("A", 900<<10)
	h := NewHierarchy()
	ctx := context.Background()
	conn := Connector{ID: "connectors/c", DisplayName: "c", RoleARN: "arn:aws:iam::012345678901:role/reckon", ReportName: "r"}
	withGroup, withSubscription := conn, conn
	withGroup.DefaultGroup = ScopeID("mg/" + huge)
	withSubscription.AutoRenew, withSubscription.BillingSubscription = true, ScopeID(huge)
	for name, err := range map[string]error{
		"a scope ID":                 second(ParseScopeID("mg/" + huge)),
		"a scope ID with no prefix":  second(ParseScopeID(huge)),
		"a group ID":                 second(ManagementGroupID(huge)),
		"a user name":                ValidUserName(huge),
		"a role ARN":                 third(ParseRoleARN("arn:aws:iam::" + huge)),
		"a parent group":             h.Add(Scope{ID: "mg/x", Group: ScopeID("mg/" + huge)}),
		"a default group":            withGroup.Validate(ctx, h.Rows()),
		"a billing subscription":     withSubscription.Validate(ctx, h.Rows()),
		"a display name":             h.Add(Scope{ID: "mg/y", Name: huge}),
		"a new name":                 h.Rename(RootGroup, huge),
		"a connector's display name": (&Connector{DisplayName: huge}).Validate(ctx, h.Rows()),
	} {
		if err == nil {
			t.Errorf("%s of 900 KB was accepted", name)
			continue
		}
		if len(err.Error()) > 512 {
			t.Errorf("the error for %s of 900 KB has %d bytes: %.200s…", name, len(err.Error()), err)
		}
	}
}

func second[T any](_ T, err error) error        { return err }
func third[T, U any](_ T, _ U, err error) error { return err }

func TestManagementGroupIDsAreUniqueWhateverTheirCase(t *testing.T) {
	h := NewHierarchy()
	for _, s := range []Scope{{ID: "mg/prod"}, {ID: "mg/Finance", Group: "mg/prod"}} {
		if err := h.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		id, parent ScopeID
		first      string
	}{
		{"mg/PROD", "", "mg/prod"},
		{"mg/finance", "", "mg/Finance"},        // below another group, added elsewhere
		{"mg/FINANCE", "mg/prod", "mg/Finance"}, // beside it
		{"mg/Root", "", "mg/root"},
	} {
		err := h.Add(Scope{ID: tt.id, Group: tt.parent})
		if ErrorCode(err) != EConflict || !strings.Contains(err.Error(), tt.first) {
			t.Errorf("adding %s beside %s: %v, want a Conflict naming %s", tt.id, tt.first, err, tt.first)
		}
	}
	if _, ok := h.Scope("mg/Finance"); !ok {
		t.Error("a group id lost its case")
	}
	if err := h.Add(Scope{ID: "mg/prod2"}); err != nil {
		t.Errorf("a different id: %v", err)
	}
}

func TestNamesEnterOnlyWhenTheyPass(t *testing.T) {
	h := NewHierarchy()
	if err := h.Add(Scope{ID: "mg/a", Name: "A\x1b[2J"}); ErrorCode(err) != EInvalid {
		t.Errorf("a group named with an ANSI escape: %v", err)
	}
	if _, ok := h.Scope("mg/a"); ok {
		t.Error("the refused group was added")
	}
	if err := h.Add(Scope{ID: "mg/a", Name: "A"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "A\nB", "A\x00", strings.Repeat("a", MaxNameLength+1)} {
		if err := h.Rename("mg/a", bad); ErrorCode(err) != EInvalid {
			t.Errorf("rename to %.20q: %v", bad, err)
		}
	}
	if s, _ := h.Scope("mg/a"); s.Name != "A" {
		t.Errorf("a refused rename changed the name to %q", s.Name)
	}
	conn := Connector{ID: "connectors/c", DisplayName: "c", RoleARN: "arn:aws:iam::012345678901:role/reckon", ReportName: "r"}
	if err := conn.Validate(context.Background(), h.Rows()); err != nil {
		t.Fatal(err)
	}
	for field, set := range map[string]func(*Connector){
		"display name": func(c *Connector) { c.DisplayName = "c\x1b]0;pwned\x07" },
		"report name":  func(c *Connector) { c.ReportName = "r\n" },
	} {
		c := conn
		set(&c)
		if err := c.Validate(context.Background(), h.Rows()); ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), field) {
			t.Errorf("a connector %s with a control character: %v", field, err)
		}
	}
}

// FuzzValidName checks that no name CheckName accepts holds a control
// character or exceeds the limit, and that CleanName's output is always
// accepted.
//
//	go test ./internal/cost -run '^$' -fuzz FuzzValidName -fuzztime 10m
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"Production", "", "a\nb", "\x1b[31m", "\x00", "\u009b", "\u202e", "\xff", "👩‍💻",
		strings.Repeat("a", MaxNameLength), strings.Repeat("é", MaxNameLength+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := CheckName("the name", s); err == nil {
			checkAccepted(t, s)
		} else if ErrorCode(err) != EInvalid || len(err.Error()) > 300 {
			t.Fatalf("CheckName(%q) = %v", s, err)
		}
		clean := CleanName(s)
		if err := CheckName("the name", clean); err != nil {
			t.Fatalf("CleanName(%q) = %q, refused: %v", s, clean, err)
		}
		checkAccepted(t, clean)
		if q := Quote(s); len(q) > 16*MaxQuoted {
			t.Fatalf("Quote(%q) has %d bytes", s, len(q))
		}
	})
}

func checkAccepted(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxNameLength {
		t.Fatalf("accepted %q: not UTF-8 or longer than %d", s, MaxNameLength)
	}
	for _, r := range s {
		if r < 0x20 || 0x7f <= r && r <= 0x9f || r == 0x2028 || r == 0x2029 || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069 {
			t.Fatalf("accepted %q, which holds %U", s, r)
		}
	}
}

// folding is a ScopeWriter that finds groups by their id in any case
// itself, as a catalog with an index would.
type folding struct {
	ScopeWriter
	calls int
}

func (f *folding) GroupFold(ctx context.Context, id ScopeID) (ScopeID, bool, error) {
	f.calls++
	below, err := f.Descendants(ctx, RootGroup)
	for _, s := range below {
		if strings.EqualFold(string(s.ID), string(id)) {
			return s.ID, true, err
		}
	}
	return "", false, err
}

func TestACatalogThatFoldsGroupIDsIsAsked(t *testing.T) {
	h := NewHierarchy()
	f := &folding{ScopeWriter: h.Rows()}
	ctx := context.Background()
	if err := AddScope(ctx, f, Scope{ID: "mg/Prod"}); err != nil {
		t.Fatal(err)
	}
	err := AddScope(ctx, f, Scope{ID: "mg/pROD"})
	if ErrorCode(err) != EConflict || !strings.Contains(err.Error(), "mg/Prod") || f.calls != 2 {
		t.Errorf("second group: %v after %d look-ups, want a Conflict naming mg/Prod after 2", err, f.calls)
	}
}
