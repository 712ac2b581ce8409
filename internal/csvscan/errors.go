package csvscan

import (
	"errors"
	"strconv"
)

// ParseError is bad input: it names the file, the line, the column and the
// problem, so the user can find and fix it. The cost-file readers return it
// (awscur and focusfile under their own names).
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

// Warning is a defect a reader worked around, or data not kept: the rows
// loaded, but the user should know.
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

// Describe says what a scanner error means to a user, and which cell of the
// current record it is about: its 0-based index, or -1 for none.
func Describe(err error) (index int, problem string) {
	var (
		long    *FieldTooLongError
		badText *UTF8Error
	)
	switch {
	case errors.Is(err, ErrQuote):
		return -1, "malformed CSV: " + err.Error()
	case errors.As(err, &long):
		return long.Index, err.Error()
	case errors.As(err, &badText):
		return badText.Index, err.Error()
	case errors.Is(err, ErrRecordTooLong), errors.Is(err, ErrTooManyFields):
		return -1, err.Error()
	}
	return -1, "read: " + err.Error()
}
