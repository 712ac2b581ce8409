package focusfile

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/reckon-finops/reckon/internal/csvscan"
)

// ParseError is bad input: it names the file, the line, the column and the
// problem, so the user can find and fix it.
type ParseError struct {
	File    string
	Line    int    // 1-based line in the file; 0 when not tied to a line
	Column  string // the header name as written in the file; "" when not tied to a column
	Problem string
}

// Error reads "file: line N, column C: problem", leaving out what is unknown.
func (e *ParseError) Error() string {
	msg := e.File
	if e.Line > 0 {
		msg += ": line " + strconv.Itoa(e.Line)
	}
	if e.Column != "" {
		msg += ", column " + e.Column
	}
	return msg + ": " + e.Problem
}

// Warning is a defect worked around, or data not kept: the rows loaded,
// but the user should know.
type Warning struct {
	File    string
	Line    int
	Column  string
	Message string
}

// String reads like a ParseError's message.
func (w Warning) String() string {
	return (&ParseError{File: w.File, Line: w.Line, Column: w.Column, Problem: w.Message}).Error()
}

// errZeroTime refuses 0001-01-01T00:00:00Z, the zero time, which stands
// for "no date" everywhere after the reader.
var errZeroTime = errors.New("0001-01-01T00:00:00Z, which no FOCUS file holds (Reckon reads it as no date)")

// utf8Error is a cell that is not valid UTF-8: index is its 0-based
// position in the record, offset that of the first bad byte in it.
type utf8Error struct {
	index, offset int
	b             byte
}

func (e *utf8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8: byte 0x%02x at byte %d of the cell; FOCUS files are UTF-8, so the file is damaged or was re-encoded (e.g. saved as Latin-1)", e.b, e.offset+1)
}

// checkUTF8 refuses a record that is not UTF-8 rather than store bytes no
// query could compare or print; the scanner checked each line as it read it.
func (r *Reader) checkUTF8() error {
	if !r.sc.BadUTF8() {
		return nil
	}
	i, off := r.sc.BadField()
	if i < 0 {
		return &utf8Error{index: -1}
	}
	return &utf8Error{index: i, offset: off, b: r.sc.Fields()[i][off]}
}

func (r *Reader) csvError(err error) error {
	pe := &ParseError{File: r.file, Line: r.sc.Line()}
	var (
		long    *csvscan.FieldTooLongError
		badText *utf8Error
	)
	switch {
	case errors.Is(err, csvscan.ErrQuote):
		pe.Problem = "malformed CSV: " + err.Error()
	case errors.As(err, &long):
		pe.Column, pe.Problem = r.columnName(long.Index), err.Error()
	case errors.As(err, &badText):
		pe.Column, pe.Problem = r.columnName(badText.index), err.Error()
	case errors.Is(err, csvscan.ErrRecordTooLong), errors.Is(err, csvscan.ErrTooManyFields):
		pe.Problem = err.Error()
	default:
		pe.Problem = "read: " + err.Error()
	}
	return pe
}

// columnName names the cell at index i of the current record: its header
// name, or its position where there is no header (yet) or it is past it.
func (r *Reader) columnName(i int) string {
	switch {
	case i < 0:
		return ""
	case r.h != nil && i < len(r.h.names):
		return r.h.names[i]
	}
	return "#" + strconv.Itoa(i+1)
}
