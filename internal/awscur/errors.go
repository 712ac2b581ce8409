package awscur

import (
	"strconv"
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
