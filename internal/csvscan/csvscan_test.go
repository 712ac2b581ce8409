package csvscan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestScannerAgreesWithEncodingCSV covers the inputs where a hand-written
// CSV splitter usually goes wrong; FuzzScanner explores the rest.
func TestScannerAgreesWithEncodingCSV(t *testing.T) {
	long := strings.Repeat("x", 200_000) // longer than the scanner's buffer
	tests := []struct{ name, in string }{
		{"plain fields", "a,b,c\n1,2,3\n"},
		{"empty fields and a trailing comma", ",,\na,,\n"},
		{"a quoted comma", `a,"b,c",d` + "\n"},
		{"doubled quotes inside a quoted field", `"say ""hi""",x` + "\n"},
		{"a field that is only a doubled quote", `"""",""` + "\n"},
		{"a quoted field spanning lines", "a,\"line 1\nline 2\n\nline 4\",b\nc,d\n"},
		{"CRLF line ends, also inside a quoted field", "a,\"x\r\ny\"\r\nb,c\r\n"},
		{"a bare CR inside a field", "a\rb,c\n"},
		{"blank lines between records", "a,b\n\n\r\n\nc,d\n"},
		{"no newline at the end", "a,b\nc,d"},
		{"CR before the end of the input", "a,b\r\nc,d\r"},
		{"a line longer than the buffer", "a," + long + "\nb,c\n"},
		{"a quoted field longer than the buffer, across lines", "a,\"" + long + "\n" + long + "\",b\nc,d\n"},
		{"quoted and unquoted fields after a long quoted one", "\"" + long + "\",\"Amazon Web Services, Inc.\",x,\"\"\n"},
		{"UTF-8 text", "Red Hat® Enterprise Linux®,\"Red Hat, Inc.\"\n"},
		{"a last line of exactly the buffer's size, without newline", "a,b\n" + strings.Repeat("x", 1<<16)},
		{"a CR ending a line at the buffer's edge", "a,b\n" + strings.Repeat("x", 1<<16-1) + "\r\nc\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := stdlibRecords([]byte(tt.in))
			if err != nil {
				t.Fatalf("encoding/csv: %v", err)
			}
			got, err := scannerRecords([]byte(tt.in))
			if err != nil {
				t.Fatalf("scanner: %v", err)
			}
			if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
				t.Errorf("scanner %s\nencoding/csv %s", short(got), short(want))
			}
		})
	}
}

// short renders records for a failure message, eliding long fields.
func short(recs [][]string) string {
	var b strings.Builder
	for _, r := range recs {
		cells := make([]string, len(r))
		for i, f := range r {
			cells[i] = f
			if len(f) > 40 {
				cells[i] = fmt.Sprintf("%.20s…(%d bytes)", f, len(f))
			}
		}
		b.WriteString("\n  " + strings.Join(cells, " | "))
	}
	return b.String()
}

func TestScannerLineNumbers(t *testing.T) {
	in := "h1,h2\n\"a\nb\",c\n\nd,e\r\nf,\"g\r\n\r\nh\"\ni,j"
	s := New(strings.NewReader(in))
	var got []int
	for {
		if _, err := s.Next(); err != nil {
			break
		}
		got = append(got, s.Line())
	}
	if want := []int{1, 2, 5, 6, 9}; !slices.Equal(got, want) {
		t.Errorf("records start on lines %v, want %v", got, want)
	}
}

func TestCheckUTF8NamesTheCellAndTheByte(t *testing.T) {
	s := New(strings.NewReader("a,b\nok,caf\xe9 au lait\n"))
	for range 2 {
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	var e *UTF8Error
	if err := s.CheckUTF8(); !errors.As(err, &e) || e.Index != 1 || e.Offset != 3 || e.Byte != 0xe9 ||
		!strings.Contains(err.Error(), "byte 0xe9 at byte 4 of the cell") {
		t.Fatalf("%v (%+v)", err, e)
	}
}
