package focusfile

import (
	"errors"
	"strconv"

	"github.com/reckon-finops/reckon/internal/csvscan"
)

// ParseError is bad input: it names the file, the line, the column and the
// problem, so the user can find and fix it.
type ParseError = csvscan.ParseError

// Warning is a defect worked around: the data loaded, but the user should
// know.
type Warning = csvscan.Warning

// errZeroTime refuses 0001-01-01T00:00:00Z, the zero time, which stands
// for "no date" everywhere after the reader.
var errZeroTime = errors.New("0001-01-01T00:00:00Z, which no FOCUS file holds (Reckon reads it as no date)")

func (r *Reader) csvError(err error) error {
	i, problem := csvscan.Describe(err)
	return &ParseError{File: r.file, Line: r.sc.Line(), Column: r.columnName(i), Problem: problem}
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
