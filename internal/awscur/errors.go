package awscur

import (
	"errors"
	"strconv"
	"time"

	"github.com/reckon-finops/reckon/internal/csvscan"
)

// ParseError is bad input: it names the file, the line, the column and the
// problem, so the user can find and fix it.
type ParseError = csvscan.ParseError

// Warning is a defect worked around: the data loaded, but the user should
// know.
type Warning = csvscan.Warning

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
	if inflate := (*InflateError)(nil); errors.As(err, &inflate) {
		pe.Problem = err.Error()
		return pe
	}
	i, problem := csvscan.Describe(err)
	pe.Column, pe.Problem = r.columnName(i), problem
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
