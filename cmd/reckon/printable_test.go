package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Names stored before the API refused control characters print as escapes,
// one line each, never as what a terminal would act on.
func TestScopeListEscapesControlCharactersInNames(t *testing.T) {
	scopes := []scope{
		{ID: cost.RootGroup, Name: cost.RootGroupName, Role: cost.RoleOwner},
		{ID: "mg/red", Name: "\x1b[31mRed\x1b[0m", Group: cost.RootGroup, Role: cost.RoleOwner},
		{ID: "mg/two", Name: "two\nmg/fake  Fake  Owner\x00", Group: cost.RootGroup, Role: cost.RoleOwner},
		{ID: "mg/rtl", Name: "abc\u202edef\u009b", Group: cost.RootGroup, Role: cost.RoleOwner},
		{ID: "mg/long", Name: strings.Repeat("x", 900<<10), Group: cost.RootGroup, Role: cost.RoleOwner},
		{ID: "mg/fine", Name: "Équipe 👩‍💻 – 財務", Group: cost.RootGroup, Role: cost.RoleOwner},
	}
	var out bytes.Buffer
	if err := printTree(&out, scopes); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{`\x1b[31mRed\x1b[0m`, `two\nmg/fake  Fake  Owner\x00`, `abc\u202edef\u009b`, "Équipe 👩‍💻 – 財務", strings.Repeat("x", cost.MaxNameLength) + "…"} {
		if !strings.Contains(text, want) {
			t.Errorf("the listing lacks %.80s:\n%.2000s", want, text)
		}
	}
	for _, r := range text {
		if r != '\n' && !cost.NameRune(r) {
			t.Errorf("the listing holds %U", r)
		}
	}
	if lines := strings.Count(text, "\n"); lines != len(scopes)+1 {
		t.Errorf("%d lines for %d scopes and a header:\n%.2000s", lines, len(scopes), text)
	}
	if len(text) > 4096 {
		t.Errorf("the listing has %d bytes", len(text))
	}
}
