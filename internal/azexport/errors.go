package azexport

import (
	"errors"
	"strconv"

	"github.com/reckon-finops/reckon/internal/csvscan"
)

// ParseError is bad input: it names the file, the line, the column and the
// problem, so that the user can find and fix it.
type ParseError struct {
	File   string
	Line   int    // 1-based line in the file; 0 when not tied to a line
	Column string // the header name as written in the file; "" when not tied to a column
	// Index is the column's 1-based position in the record; 0 when not
	// tied to a column.
	Index   int
	Problem string
}

// Error reads "file: line N, column C (#i): problem", leaving out what is
// unknown.
func (e *ParseError) Error() string {
	msg := e.File
	if e.Line > 0 {
		msg += ": line " + strconv.Itoa(e.Line)
	}
	switch {
	case e.Column != "" && e.Index > 0:
		msg += ", column " + e.Column + " (#" + strconv.Itoa(e.Index) + ")"
	case e.Column != "":
		msg += ", column " + e.Column
	case e.Index > 0:
		msg += ", column #" + strconv.Itoa(e.Index)
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

// csvError turns a scanner error into a ParseError at the current record.
func (r *Reader) csvError(err error) error {
	i, problem := csvscan.Describe(err)
	if errors.Is(err, csvscan.ErrQuote) {
		problem += " (a file cut short ends inside a quoted cell)"
	}
	return &ParseError{File: r.file, Line: r.sc.Line(), Column: r.columnName(i), Index: i + 1, Problem: problem}
}

// columnName names the cell at index i of the current record by its header
// name; "" where there is no header (yet) or i is past it.
func (r *Reader) columnName(i int) string {
	if r.h != nil && i >= 0 && i < len(r.h.names) {
		return r.h.names[i]
	}
	return ""
}
