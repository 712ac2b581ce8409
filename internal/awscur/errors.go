package awscur

import (
	"errors"
	"strconv"
	"time"

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

// Warning is a defect Reckon worked around: the data loaded, but the user
// should know.
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

// errBeforeCURs refuses a time before 1970: no CUR holds one, and in the
// first month of year 1 the billing period derived from it would be the
// zero time, which stands for "no date" everywhere after the reader (a
// FuzzReader crasher, kept as a seed).
var errBeforeCURs = errors.New("before 1970, which no CUR holds")

// checkEra refuses a time before 1970 (errBeforeCURs).
func checkEra(ts ...time.Time) error {
	for _, t := range ts {
		if t.Year() < 1970 {
			return errBeforeCURs
		}
	}
	return nil
}

func (r *Reader) csvError(err error) error {
	pe := &ParseError{File: r.file, Line: r.sc.Line()}
	var (
		long    *csvscan.FieldTooLongError
		badText *csvscan.UTF8Error
		inflate *InflateError
	)
	switch {
	case errors.Is(err, csvscan.ErrQuote):
		pe.Problem = "malformed CSV: " + err.Error()
	case errors.As(err, &long):
		pe.Column, pe.Problem = r.columnName(long.Index), err.Error()
	case errors.As(err, &badText):
		pe.Column, pe.Problem = r.columnName(badText.Index), err.Error()
	case errors.Is(err, csvscan.ErrRecordTooLong), errors.Is(err, csvscan.ErrTooManyFields), errors.As(err, &inflate):
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
