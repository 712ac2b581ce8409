// Package csvscan splits RFC 4180 CSV into records without allocating per
// field, within limits that a small hostile file cannot push past: the cost
// file readers (awscur, azexport, focusfile) share it.
package csvscan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf8"
)

// Limits on one record, far above anything a cloud's cost file holds (the
// longest cells, descriptions and JSON maps, are a few KB; rows have a few
// dozen to a few hundred columns), so that a small hostile file cannot make
// the scanner hold gigabytes: a line without end, or a quote never closed,
// stops at MaxRecordBytes.
const (
	// MaxFieldBytes bounds one cell (after unquoting).
	MaxFieldBytes = 1 << 20
	// MaxRecordBytes bounds one record as written: all its lines, quotes
	// included.
	MaxRecordBytes = 4 << 20
	// MaxFields bounds the cells of one record, the header's included.
	MaxFields = 1 << 16
)

// Scanner splits RFC 4180 CSV into records without allocating per field.
// The fields of a record alias the scanner's buffers and are valid until the
// next call to Next. encoding/csv allocates a string per field, which costs
// more than the rest of parsing a cost row put together.
//
// A record that fits on one line is split where bufio holds it, without
// copying; only a record spanning lines (a quoted line break) or longer than
// the buffer is copied into own.
type Scanner struct {
	r        *bufio.Reader
	rec      []byte   // the current record, unescaped in place; may alias r's buffer
	aliased  bool     // rec aliases r's buffer, which the next read overwrites
	own      []byte   // rec's storage when it cannot alias
	fields   [][]byte // slices of rec
	bounds   []int    // start and end offsets of the fields
	line     int      // line number of the first line of the current record
	nextLine int      // line number the next record starts on
	badUTF8  bool     // a line of the current record is not valid UTF-8
	err      error    // a record too long: the input cannot be read further
}

// New returns a scanner of r, read through a 64 KiB buffer: awscur's
// BenchmarkReader runs no faster with 1 MiB, and a longer line is simply
// read in pieces.
func New(r io.Reader) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, 1<<16), nextLine: 1}
}

// Line is the line number the current record starts on.
func (s *Scanner) Line() int { return s.line }

// BadUTF8 reports whether a line of the current record is not valid
// UTF-8; BadField says where.
func (s *Scanner) BadUTF8() bool { return s.badUTF8 }

// Fields are the current record's fields, as Next returned them.
func (s *Scanner) Fields() [][]byte { return s.fields }

// ErrQuote is a malformed quoted field.
var ErrQuote = errors.New("a quoted field is not closed, or a quote appears inside an unquoted field")

// ErrRecordTooLong stops the scanner for good: the rest of the record is
// unread, so nothing after it can be split reliably.
var ErrRecordTooLong = fmt.Errorf("the record is longer than %d bytes (4 MiB), which no cost file's row comes near: the file is damaged, or a quote is never closed", MaxRecordBytes)

// ErrTooManyFields is a record of more than MaxFields cells.
var ErrTooManyFields = fmt.Errorf("the record has more than %d cells, which no cost file comes near", MaxFields)

// FieldTooLongError is a cell longer than MaxFieldBytes; Index is its
// 0-based position in the record.
type FieldTooLongError struct{ Index, Size int }

// Error says how long the cell is and what the limit is.
func (e *FieldTooLongError) Error() string {
	return fmt.Sprintf("the cell is %d bytes long, over the limit of %d (1 MiB), which no cost file's cell comes near", e.Size, MaxFieldBytes)
}

// Next reads the next record. It returns io.EOF after the last one. Blank
// lines are skipped. Whether the record is valid UTF-8 is BadUTF8 (the
// reader reports it; encoding/csv, which FuzzScanner compares with, does not
// check).
func (s *Scanner) Next() ([][]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		s.line = s.nextLine
		s.rec, s.aliased, s.badUTF8 = nil, false, false
		if err := s.readLine(); err != nil {
			if errors.Is(err, ErrRecordTooLong) {
				s.err = err
			}
			return nil, err
		}
		if len(s.rec) == 0 {
			continue
		}
		var err error
		// Every quoted field closes on this line: split it in one pass. A
		// record past the buffer that may have too many cells is split
		// field by field instead, which counts them as it goes.
		if bytes.Count(s.rec, quote)%2 == 0 && (len(s.rec) < 1<<16 || bytes.Count(s.rec, comma) < MaxFields) {
			err = s.splitLine()
		} else {
			err = s.split()
		}
		if errors.Is(err, ErrRecordTooLong) {
			s.err = err
		}
		if err == nil && len(s.rec) > MaxFieldBytes {
			err = s.checkFieldSizes()
		}
		if err != nil {
			return nil, err
		}
		return s.fields, nil
	}
}

// checkFieldSizes finds a cell longer than MaxFieldBytes; only a record
// longer than that can hold one.
func (s *Scanner) checkFieldSizes() error {
	for i, f := range s.fields {
		if len(f) > MaxFieldBytes {
			return &FieldTooLongError{Index: i, Size: len(f)}
		}
	}
	return nil
}

// BadField returns the index of the first cell of the record that is not
// valid UTF-8, and the offset of the bad byte in it; -1 if none is (the
// line held the bad bytes but no cell does, which cannot happen).
func (s *Scanner) BadField() (index, offset int) {
	for i, f := range s.fields {
		if !utf8.Valid(f) {
			for off := 0; off < len(f); {
				r, size := utf8.DecodeRune(f[off:])
				if r == utf8.RuneError && size <= 1 {
					return i, off
				}
				off += size
			}
			return i, 0
		}
	}
	return -1, 0
}

// readLine appends one physical line to rec without its line ending. It
// returns io.EOF only when the input ended before any byte of the line: rec
// may already hold earlier lines of a multi-line record, so their presence
// says nothing about this read.
func (s *Scanner) readLine() error {
	start := len(s.rec) // where this line starts in rec
	if s.rec == nil {
		// The first line of a record: alias it in place when it is whole.
		chunk, err := s.r.ReadSlice('\n')
		if err == nil {
			s.nextLine++
			line := chunk[:len(chunk)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			s.rec, s.aliased = line[:len(line):len(line)], true
			if !utf8.Valid(line) {
				s.badUTF8 = true
			}
			return nil
		}
		s.rec = append(s.own[:0], chunk...)
		if done, err := s.endLine(0, err); done {
			return err
		}
	}
	if s.aliased {
		// Keep the record before the buffer moves under it.
		s.rec, s.aliased = append(s.own[:0], s.rec...), false
	}
	for {
		chunk, err := s.r.ReadSlice('\n')
		s.rec = append(s.rec, chunk...)
		done, err := s.endLine(start, err)
		if len(s.rec) > MaxRecordBytes {
			s.own = s.rec[:0]
			return ErrRecordTooLong
		}
		if done {
			return err
		}
	}
}

// endLine finishes a line that rec holds from start, given how the last read
// ended; it reports false when the line goes on past the buffer.
func (s *Scanner) endLine(start int, err error) (bool, error) {
	defer func() { s.own = s.rec[:0] }()
	if err == nil || errors.Is(err, io.EOF) {
		if !utf8.Valid(s.rec[start:]) {
			s.badUTF8 = true
		}
	}
	switch {
	case err == nil:
		s.nextLine++
		s.rec = s.rec[:len(s.rec)-1]
		if n := len(s.rec); n > start && s.rec[n-1] == '\r' {
			s.rec = s.rec[:n-1]
		}
		return true, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return false, nil
	case errors.Is(err, io.EOF):
		if len(s.rec) > start {
			s.nextLine++
			if n := len(s.rec); s.rec[n-1] == '\r' {
				s.rec = s.rec[:n-1] // a CRLF file cut after its last \r, as encoding/csv reads it
			}
			return true, nil
		}
		return true, io.EOF
	}
	return true, err
}

var (
	quote = []byte{'"'}
	comma = []byte{','}
)

// splitLine splits a record whose quoted fields all close on its line (an
// even number of quotes), the usual case. It walks the record a word at a
// time, taking each comma or quote from the word's mask, so a field costs a
// few instructions rather than a search of its own.
func (s *Scanner) splitLine() error {
	rec := s.rec
	n := len(rec)
	fields := s.fields[:0]
	start, p := 0, 0
	m := delimiterMask(rec, p)
	for {
		for m == 0 {
			if p += 8; p >= n {
				s.fields = append(fields, rec[start:n:n])
				return nil
			}
			m = delimiterMask(rec, p)
		}
		j := p + bits.TrailingZeros64(m)/8
		m &= m - 1
		if rec[j] == ',' {
			fields = append(fields, rec[start:j:j])
			start = j + 1
			continue
		}
		if j != start {
			return ErrQuote // a quote inside an unquoted field
		}
		end, next, ok := unquoteInPlace(rec, j+1)
		if !ok {
			return ErrQuote
		}
		fields = append(fields, rec[j+1:end:end])
		if next == n {
			s.fields = fields
			return nil
		}
		if rec[next] != ',' {
			return ErrQuote // text after the closing quote
		}
		start, p = next+1, next+1
		if p >= n {
			s.fields = append(fields, rec[n:n])
			return nil
		}
		m = delimiterMask(rec, p)
	}
}

// delimiterMask has the high bit set in each byte of b[p:p+8] that is a
// comma or a quote (bytes past the end of b count as neither).
func delimiterMask(b []byte, p int) uint64 {
	if p+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[p:])
		return zeroBytes(w^commas) | zeroBytes(w^quotes)
	}
	var m uint64
	for k := p; k < len(b); k++ {
		if b[k] == ',' || b[k] == '"' {
			m |= 0x80 << (8 * (k - p))
		}
	}
	return m
}

// unquoteInPlace reads the quoted field whose content starts at i and ends
// on this line: it unescapes "" to " in place and returns the end of the
// content and the index just past the closing quote.
func unquoteInPlace(rec []byte, i int) (end, next int, ok bool) {
	w := i
	for {
		k := bytes.IndexByte(rec[i:], '"')
		if k < 0 {
			return 0, 0, false
		}
		if w != i {
			copy(rec[w:], rec[i:i+k])
		}
		w += k
		i += k + 1
		if i < len(rec) && rec[i] == '"' {
			rec[w] = '"'
			w++
			i++
			continue
		}
		return w, i, true
	}
}

// split splits the record in one pass, reading further lines while a quoted
// field spans a line break. Unquoted fields alias the record where they
// stand; a quoted field is unescaped within its own span. Fields are kept as
// offsets until the record is complete, because reading another line may
// move the record.
func (s *Scanner) split() error {
	s.bounds = s.bounds[:0]
	i := 0
	for {
		var start, end int
		if i < len(s.rec) && s.rec[i] == '"' {
			var err error
			if start, end, i, err = s.quotedField(i + 1); err != nil {
				return err
			}
			if i < len(s.rec) && s.rec[i] != ',' {
				return ErrQuote // text after the closing quote
			}
		} else {
			start = i
			i = delimiter(s.rec, i)
			if i < len(s.rec) && s.rec[i] == '"' {
				return ErrQuote // a quote inside an unquoted field
			}
			end = i
		}
		s.bounds = append(s.bounds, start, end)
		if len(s.bounds) > 2*MaxFields {
			return ErrTooManyFields
		}
		if i >= len(s.rec) {
			break
		}
		i++ // the comma
	}
	s.fields = s.fields[:0]
	for k := 0; k < len(s.bounds); k += 2 {
		a, b := s.bounds[k], s.bounds[k+1]
		s.fields = append(s.fields, s.rec[a:b:b])
	}
	return nil
}

// Word-at-a-time search: eight bytes are tested for a comma or a quote with
// a few integer operations, faster than a call per field to bytes.IndexByte
// for the short fields CURs are made of.
const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	lows   = 0x7f7f7f7f7f7f7f7f
	commas = ones * ','
	quotes = ones * '"'
)

// zeroBytes has the high bit set in exactly the bytes of x that are zero.
func zeroBytes(x uint64) uint64 {
	return ^(((x & lows) + lows) | x | lows)
}

// delimiter returns the index of the first comma or quote in b at or after
// i, or len(b).
func delimiter(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if m := zeroBytes(w^commas) | zeroBytes(w^quotes); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == ',' || b[i] == '"' {
			return i
		}
	}
	return len(b)
}

// quotedField reads the quoted field whose content starts at i. It returns
// the span of the unescaped content and the index just past the closing
// quote. The content is unescaped in place ("" becomes "), which never
// outruns the input; a line break inside the field is kept as \n.
func (s *Scanner) quotedField(i int) (start, end, next int, err error) {
	start, w := i, i
	for {
		j := bytes.IndexByte(s.rec[i:], '"')
		if j < 0 { // the field goes on on the next line
			w += copy(s.rec[w:], s.rec[i:])
			s.rec = append(s.rec[:w], '\n')
			w++
			if err := s.readLine(); err != nil {
				if errors.Is(err, io.EOF) {
					return 0, 0, 0, ErrQuote // the input ends inside the field
				}
				return 0, 0, 0, err
			}
			i = w
			continue
		}
		if w != i {
			copy(s.rec[w:], s.rec[i:i+j])
		}
		w += j
		i += j + 1
		if i < len(s.rec) && s.rec[i] == '"' {
			s.rec[w] = '"'
			w++
			i++
			continue
		}
		return start, w, i, nil
	}
}

// UTF8Error is a cell that is not valid UTF-8: Index is its 0-based
// position in the record (-1 when the bad byte is between cells), Offset
// that of the first bad byte in it.
type UTF8Error struct {
	Index, Offset int
	Byte          byte
}

// Error says which byte of the cell is bad.
func (e *UTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8: byte 0x%02x at byte %d of the cell; cost files are written in UTF-8, "+
		"so the file is damaged or was re-encoded (e.g. saved as Latin-1)", e.Byte, e.Offset+1)
}

// CheckUTF8 returns a *UTF8Error when the current record is not valid
// UTF-8, else nil: a reader refuses it rather than store bytes no query
// could compare or print.
func (s *Scanner) CheckUTF8() error {
	if !s.badUTF8 {
		return nil
	}
	i, off := s.BadField()
	if i < 0 {
		return &UTF8Error{Index: -1}
	}
	return &UTF8Error{Index: i, Offset: off, Byte: s.fields[i][off]}
}

// Header reads the first record as a header: its cells, checked as UTF-8,
// as strings that own their memory. An empty input is io.EOF; other errors
// are the scanner's, for the reader to describe.
func (s *Scanner) Header() ([]string, error) {
	cells, err := s.Next()
	if err == nil {
		err = s.CheckUTF8()
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cells))
	for i, c := range cells {
		names[i] = string(c)
	}
	return names, nil
}
