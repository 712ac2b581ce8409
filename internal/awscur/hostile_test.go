package awscur

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/klauspost/pgzip"

	"github.com/reckon-finops/reckon/internal/csvscan"
)

// endless yields head, then body repeated without end, counting what was
// read: a file of any size that costs the test nothing.
type endless struct {
	head, body []byte
	off        int
	n          atomic.Int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(e.head) > 0 {
			k := copy(p[n:], e.head)
			e.head = e.head[k:]
			n += k
			continue
		}
		k := copy(p[n:], e.body[e.off:])
		e.off = (e.off + k) % len(e.body)
		n += k
	}
	e.n.Add(int64(n))
	return n, nil
}

// gzipped streams the gzip of r, compressed on another goroutine as it is
// read; closing the result stops the compressor.
func gzipped(r io.Reader) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		zw := pgzip.NewWriter(pw)
		_, err := io.Copy(zw, r)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// readToError reads a CUR from r, as ingestion does, and returns the first
// error; it fails the test if the file reads to its end.
func readToError(t *testing.T, r io.Reader, stored int64) error {
	t.Helper()
	plain, err := DecompressSized(r, stored)
	if err != nil {
		return err
	}
	defer plain.Close()
	rd, err := NewReader(plain, "hostile.csv.gz")
	if err != nil {
		return err
	}
	for {
		if _, err := rd.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				t.Fatal("the hostile file read to its end")
			}
			return err
		}
	}
}

// TestHostileFilesStopAtTheSizeLimits feeds the reader files that once
// exhausted memory: each now fails with a ParseError naming the file and
// line after reading a bounded number of bytes.
func TestHostileFilesStopAtTheSizeLimits(t *testing.T) {
	const slack = 2 << 20 // the scanner's and gzip's buffers
	tests := []struct {
		name       string
		head, body string
		line       int
		column     string
		problem    string
		readAtMost int64
	}{
		{"a line of A without end stops at the record limit", legacyHead + "\n", "AAAAAAAAAAAAAAAA", 2, "",
			"longer than 4194304 bytes", csvscan.MaxRecordBytes + slack},
		{"a quote never closed, then lines without end, stops at the record limit", legacyHead + "\n" + `a,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"`,
			"some text that goes on\n", 2, "", "longer than 4194304 bytes", csvscan.MaxRecordBytes + slack},
		{"a header without end stops at the record limit", "", "identity/LineItemId", 1, "",
			"longer than 4194304 bytes", csvscan.MaxRecordBytes + slack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, compressed := range []bool{false, true} {
				src := &endless{head: []byte(tt.head), body: []byte(tt.body)}
				var r io.Reader = src
				if compressed {
					zr := gzipped(src)
					defer zr.Close()
					r = zr
				}
				pe := mustParseError(t, readToError(t, r, 0))
				if pe.File != "hostile.csv.gz" || pe.Line != tt.line || pe.Column != tt.column || !strings.Contains(pe.Problem, tt.problem) {
					t.Errorf("compressed %v: got %q (line %d, column %q), want line %d column %q and %q", compressed, pe, pe.Line, pe.Column, tt.line, tt.column, tt.problem)
				}
				// The compressor and pgzip's read-ahead may run ahead of the
				// reader by their buffers (1 MiB blocks on each core).
				atMost := tt.readAtMost
				if compressed {
					atMost += 32 << 20
				}
				if n := src.n.Load(); n > atMost {
					t.Errorf("compressed %v: read %d bytes before failing, want at most %d", compressed, n, atMost)
				}
			}
		})
	}
}

func TestACellOverTheFieldLimitNamesItsColumn(t *testing.T) {
	big := strings.Repeat("x", csvscan.MaxFieldBytes+1)
	for _, tt := range []struct{ name, csv, column string }{
		{"an unquoted cell", csvLines(legacyHead, goodRow, "b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"+big), "lineItem/LineItemDescription"},
		{"a quoted cell across lines", csvLines(legacyHead, goodRow, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"`+big[:1000]+"\n"+big+`"`), "lineItem/LineItemDescription"},
		{"a cell past the header's columns", csvLines(legacyHead, goodRow, goodRow+","+big), "#8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readCUR(strings.NewReader(tt.csv), "r.csv")
			pe := mustParseError(t, err)
			if pe.Line != 3 || pe.Column != tt.column || !strings.Contains(pe.Problem, "over the limit of 1048576") {
				t.Errorf("got %q, want line 3, column %s, over the limit", pe, tt.column)
			}
		})
	}
	t.Run("a cell at the limit loads", func(t *testing.T) {
		rows, _ := readString(t, csvLines(legacyHead, "b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"+big[:csvscan.MaxFieldBytes]))
		if len(rows) != 1 || len(rows[0].ChargeDescription) != csvscan.MaxFieldBytes {
			t.Fatalf("got %d rows", len(rows))
		}
	})
}

func TestARecordOfTooManyCellsIsRefused(t *testing.T) {
	commas := strings.Repeat(",", csvscan.MaxFields)
	for _, tt := range []struct {
		name, csv string
		line      int
	}{
		{"in a row", csvLines(legacyHead, goodRow+commas), 2},
		{"in a row with a quoted line break", csvLines(legacyHead, goodRow+`,"a`, `b"`+commas), 2},
		{"in the header", csvLines(legacyHead+commas, goodRow), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readCUR(strings.NewReader(tt.csv), "r.csv")
			if pe := mustParseError(t, err); pe.Line != tt.line || !strings.Contains(pe.Problem, "more than 65536 cells") {
				t.Errorf("got %q, want line %d and too many cells", pe, tt.line)
			}
		})
	}
	t.Run("a row of exactly the limit reads", func(t *testing.T) {
		row := goodRow + strings.Repeat(",", csvscan.MaxFields-7)
		if _, _, err := readCUR(strings.NewReader(csvLines(legacyHead, row)), "r.csv"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAGzipThatInflatesPastItsBoundIsRefused: a small gzip of valid rows
// repeated a million times inflates far more than any CUR.
func TestAGzipThatInflatesPastItsBoundIsRefused(t *testing.T) {
	var gz bytes.Buffer
	zw := pgzip.NewWriter(&gz)
	src := &endless{head: []byte(legacyHead + "\n"), body: []byte(goodRow + "\n")}
	if _, err := io.CopyN(zw, src, 64<<20); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	stored := int64(gz.Len())
	limit := stored*MaxInflation + InflationSlack
	if limit >= 64<<20 {
		t.Fatalf("the test file is %d bytes compressed, too large to exceed the bound", stored)
	}
	err := readToError(t, bytes.NewReader(gz.Bytes()), stored)
	pe := mustParseError(t, err)
	var ie *InflateError
	if !errors.As(err, &ie) && !strings.Contains(pe.Problem, "inflates to more than") {
		t.Fatalf("got %v, want the inflation error", err)
	}
	if pe.File != "hostile.csv.gz" || pe.Line < 2 {
		t.Errorf("got %q, want the file and a line", pe)
	}
	t.Run("the same file read with its size unknown loads", func(t *testing.T) {
		plain, err := DecompressSized(bytes.NewReader(gz.Bytes()), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer plain.Close()
		n, err := io.Copy(io.Discard, plain)
		if err != nil || n != 64<<20 {
			t.Fatalf("read %d bytes, %v", n, err)
		}
	})
}

// TestInvalidUTF8IsAnErrorNamingTheCell reproduces the load that failed
// deep in the store with no file, line or column.
func TestInvalidUTF8IsAnErrorNamingTheCell(t *testing.T) {
	tests := []struct {
		name, csv    string
		line         int
		column, byte string
	}{
		{"bytes 0xff 0xfe in a description", csvLines(legacyHead, goodRow, "b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,caf\xff\xfe"),
			3, "lineItem/LineItemDescription", "byte 0xff at byte 4 of the cell"},
		{"a Latin-1 é in a quoted description", csvLines(legacyHead, goodRow, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"caf`+"\xe9"+`, ok"`),
			3, "lineItem/LineItemDescription", "byte 0xe9 at byte 4"},
		{"a bad byte on the second line of a cell", csvLines(legacyHead, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"ok`, "\x80\""),
			2, "lineItem/LineItemDescription", "byte 0x80 at byte 4"},
		{"a bad byte in the account", csvLines(legacyHead, "b,1234567890\xc3,Usage,2023-11-01T00:00:00Z,1,1,x"),
			2, "bill/PayerAccountId", "byte 0xc3 at byte 11"},
		{"a bad byte in the header", csvLines(legacyHead+",resourceTags/user:\xffTeam", goodRow+",a"),
			1, "#8", "byte 0xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readCUR(strings.NewReader(tt.csv), "r.csv")
			pe := mustParseError(t, err)
			if pe.File != "r.csv" || pe.Line != tt.line || pe.Column != tt.column || !strings.Contains(pe.Problem, "invalid UTF-8: "+tt.byte) {
				t.Errorf("got %q, want line %d, column %s, %q", pe, tt.line, tt.column, tt.byte)
			}
		})
	}
	t.Run("UTF-8 text in every cell loads", func(t *testing.T) {
		rows, _ := readString(t, csvLines(legacyHead, "b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,Red Hat® Enterprise Linux® – 日本"))
		if rows[0].ChargeDescription != "Red Hat® Enterprise Linux® – 日本" {
			t.Errorf("description %q", rows[0].ChargeDescription)
		}
	})
}

func TestAnEndBeforeItsStartIsAnError(t *testing.T) {
	head := "bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,identity/TimeInterval,lineItem/UnblendedCost"
	for _, tt := range []struct{ name, row, column string }{
		{"in the end date", "123456789012,Usage,2026-10-02T00:00:00Z,2026-10-01T00:00:00Z,,1", "lineItem/UsageEndDate"},
		{"in the time interval", "123456789012,Usage,,,2026-10-02T00:00:00Z/2026-10-01T00:00:00Z,1", "identity/TimeInterval"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readCUR(strings.NewReader(csvLines(head, tt.row)), "r.csv")
			pe := mustParseError(t, err)
			if pe.Line != 2 || pe.Column != tt.column || !strings.Contains(pe.Problem, "ends (2026-10-01T00:00:00Z) before it starts (2026-10-02T00:00:00Z)") {
				t.Errorf("got %q", pe)
			}
		})
	}
	for _, tt := range []struct{ name, row, column string }{
		{"a start at the zero time", "123456789012,Usage,0001-01-01,,,1", "lineItem/UsageStartDate"},
		{"an interval from the zero time", "123456789012,Usage,,,0001-01-01T00:00:00Z/2026-10-01T00:00:00Z,1", "identity/TimeInterval"},
		// Its billing period would start at the zero time (a FuzzReader crasher).
		{"a start in January of year 1", "123456789012,Usage,0001-01-02,,,1", "lineItem/UsageStartDate"},
		{"a start in 1969", "123456789012,Usage,1969-12-31T23:59:59Z,,,1", "lineItem/UsageStartDate"},
	} {
		t.Run(tt.name+", before any CUR, is an error", func(t *testing.T) {
			_, _, err := readCUR(strings.NewReader(csvLines(head, tt.row)), "r.csv")
			if pe := mustParseError(t, err); pe.Line != 2 || pe.Column != tt.column || !strings.Contains(pe.Problem, "before 1970, which no CUR holds") {
				t.Errorf("got %q", pe)
			}
		})
	}
	t.Run("an end equal to its start loads", func(t *testing.T) {
		readString(t, csvLines(head, "123456789012,Tax,2026-10-01T00:00:00Z,2026-10-01T00:00:00Z,,1"))
	})
}

func TestARecordAtTheLimitReadsAndOneByteMoreDoesNot(t *testing.T) {
	cell := strings.Repeat("c", csvscan.MaxFieldBytes)
	last := strings.Repeat("d", csvscan.MaxRecordBytes-3*csvscan.MaxFieldBytes-3)
	record := cell + "," + cell + "," + cell + "," + last
	if len(record) != csvscan.MaxRecordBytes {
		t.Fatalf("the record is %d bytes", len(record))
	}
	for _, tt := range []struct {
		name, in string
		ok       bool
	}{
		{"a record of exactly the limit", record + "\nnext\n", true},
		{"a quoted record of exactly the limit as written, across lines", `"` + cell[:10] + "\n" + cell[13:] + `",` + record[csvscan.MaxFieldBytes+1:] + "\nnext\n", true},
		{"a record one byte over", record + "d\nnext\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := csvscan.New(strings.NewReader(tt.in))
			fields, err := s.Next()
			if !tt.ok {
				if !errors.Is(err, csvscan.ErrRecordTooLong) {
					t.Fatalf("got %d fields, %v; want the record limit", len(fields), err)
				}
				if _, err := s.Next(); !errors.Is(err, csvscan.ErrRecordTooLong) {
					t.Fatalf("after the limit, next returned %v; the scanner must stop", err)
				}
				return
			}
			if err != nil || len(fields) != 4 || len(fields[3]) != len(last) {
				t.Fatalf("got %d fields, %v", len(fields), err)
			}
			if fields, err := s.Next(); err != nil || string(fields[0]) != "next" {
				t.Fatalf("the next record: %q, %v", fields, err)
			}
		})
	}
}
