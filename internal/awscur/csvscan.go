package awscur

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// scanner splits RFC 4180 CSV into records without allocating per field.
// The fields of a record alias the scanner's buffer and are valid until the
// next call to next. encoding/csv allocates a string per field, which costs
// more than the rest of parsing a CUR row put together.
type scanner struct {
	r        *bufio.Reader
	rec      []byte   // the current record, unescaped in place
	fields   [][]byte // slices of rec
	line     int      // line number of the first line of the current record
	nextLine int      // line number the next record starts on
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 1<<20), nextLine: 1}
}

// errQuote is a malformed quoted field.
var errQuote = errors.New("a quoted field is not closed, or a quote appears inside an unquoted field")

// next reads the next record. It returns io.EOF after the last one. Blank
// lines are skipped.
func (s *scanner) next() ([][]byte, error) {
	for {
		s.line = s.nextLine
		s.rec = s.rec[:0]
		if err := s.readLine(); err != nil {
			return nil, err
		}
		if len(s.rec) == 0 {
			continue
		}
		if bytes.IndexByte(s.rec, '"') < 0 {
			s.splitPlain()
			return s.fields, nil
		}
		if err := s.splitQuoted(); err != nil {
			return nil, err
		}
		return s.fields, nil
	}
}

// readLine appends one physical line to rec without its line ending. It
// returns io.EOF only when the input ended before any byte of the line: rec
// may already hold earlier lines of a multi-line record, so their presence
// says nothing about this read.
func (s *scanner) readLine() error {
	start := len(s.rec)
	for {
		chunk, err := s.r.ReadSlice('\n')
		s.rec = append(s.rec, chunk...)
		switch {
		case err == nil:
			s.nextLine++
			s.rec = s.rec[:len(s.rec)-1]
			if n := len(s.rec); n > start && s.rec[n-1] == '\r' {
				s.rec = s.rec[:n-1]
			}
			return nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(s.rec) > start {
				s.nextLine++
				return nil
			}
			return io.EOF
		default:
			return err
		}
	}
}

func (s *scanner) splitPlain() {
	s.fields = s.fields[:0]
	rec := s.rec
	for {
		i := bytes.IndexByte(rec, ',')
		if i < 0 {
			s.fields = append(s.fields, rec)
			return
		}
		s.fields = append(s.fields, rec[:i:i])
		rec = rec[i+1:]
	}
}

// splitQuoted handles records with quotes, reading further lines while a
// quoted field spans a line break. Unescaping happens in place: the output
// never outruns the input.
func (s *scanner) splitQuoted() error {
	var q quoteState
	for q.open(s.rec) {
		s.rec = append(s.rec, '\n')
		if err := s.readLine(); err != nil {
			if errors.Is(err, io.EOF) {
				return errQuote // the input ends inside a quoted field
			}
			return err
		}
	}
	s.fields = s.fields[:0]
	rec := s.rec
	w, i := 0, 0
	for {
		start := w
		if i < len(rec) && rec[i] == '"' {
			i++
			for {
				if i >= len(rec) {
					return errQuote
				}
				c := rec[i]
				if c == '"' {
					if i+1 < len(rec) && rec[i+1] == '"' {
						rec[w] = '"'
						w++
						i += 2
						continue
					}
					i++
					break
				}
				rec[w] = c
				w++
				i++
			}
			if i < len(rec) && rec[i] != ',' {
				return errQuote
			}
		} else {
			for i < len(rec) && rec[i] != ',' {
				if rec[i] == '"' {
					return errQuote
				}
				rec[w] = rec[i]
				w++
				i++
			}
		}
		s.fields = append(s.fields, rec[start:w:w])
		if i >= len(rec) {
			return nil
		}
		i++ // the comma
	}
}

// quoteState follows a record's quoting across the physical lines it spans,
// so each byte is looked at once however many lines a quoted field has.
type quoteState struct {
	pos   int // bytes of the record already scanned
	state int
}

const (
	qFieldStart = iota
	qUnquoted
	qQuoted
	qQuoteInQuoted // a quote inside a quoted field: it closes the field or escapes another
	qMalformed
)

// open reports whether rec ends inside a quoted field, so the record goes on
// on the next line. A malformed record is not open: splitQuoted reports it at
// once instead of reading the rest of the file in search of a closing quote.
func (q *quoteState) open(rec []byte) bool {
	for ; q.pos < len(rec) && q.state != qMalformed; q.pos++ {
		c := rec[q.pos]
		switch q.state {
		case qFieldStart:
			switch c {
			case '"':
				q.state = qQuoted
			case ',':
			default:
				q.state = qUnquoted
			}
		case qUnquoted:
			switch c {
			case ',':
				q.state = qFieldStart
			case '"':
				q.state = qMalformed
			}
		case qQuoted:
			if c == '"' {
				q.state = qQuoteInQuoted
			}
		case qQuoteInQuoted:
			switch c {
			case '"':
				q.state = qQuoted
			case ',':
				q.state = qFieldStart
			default:
				q.state = qMalformed
			}
		}
	}
	return q.state == qQuoted
}

// position names where the current record is, for error messages.
func (s *scanner) position() string {
	return fmt.Sprintf("line %d", s.line)
}
