package awscur

import (
	"bufio"
	"bytes"
	"errors"
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
	bounds   []int    // start and end offsets of the fields of a quoted record
	line     int      // line number of the first line of the current record
	nextLine int      // line number the next record starts on
}

// newScanner reads r through a 64 KiB buffer: BenchmarkReader runs no faster
// with 1 MiB, and a longer line is simply read in pieces.
func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 1<<16), nextLine: 1}
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
				if n := len(s.rec); s.rec[n-1] == '\r' {
					s.rec = s.rec[:n-1] // a CRLF file cut after its last \r, as encoding/csv reads it
				}
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

// splitQuoted splits a record that has quotes, in one pass, reading further
// lines while a quoted field spans a line break. Most fields of a real CUR
// row are unquoted even when the row has quotes ("Amazon Web Services,
// Inc." is in every modern row), so fields alias the record where they
// stand; only a field with doubled quotes is unescaped, within its own span.
// Fields are kept as offsets until the record is complete, because reading
// another line may move the record.
func (s *scanner) splitQuoted() error {
	s.bounds = s.bounds[:0]
	i := 0
	quote := bytes.IndexByte(s.rec, '"') // the first quote at or after i, -1 if none
	for {
		var start, end int
		if i == quote {
			var err error
			if start, end, i, err = s.quotedField(i + 1); err != nil {
				return err
			}
			if i < len(s.rec) && s.rec[i] != ',' {
				return errQuote // text after the closing quote
			}
			quote = indexFrom(s.rec, i, '"')
		} else {
			start, end = i, len(s.rec)
			if j := bytes.IndexByte(s.rec[i:], ','); j >= 0 {
				end = i + j
			}
			if quote >= 0 && quote < end {
				return errQuote // a quote inside an unquoted field
			}
			i = end
		}
		s.bounds = append(s.bounds, start, end)
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

// quotedField reads the quoted field whose content starts at i. It returns
// the span of the unescaped content and the index just past the closing
// quote. The content is unescaped in place ("" becomes "), which never
// outruns the input; a line break inside the field is kept as \n.
func (s *scanner) quotedField(i int) (start, end, next int, err error) {
	start, w := i, i
	for {
		j := bytes.IndexByte(s.rec[i:], '"')
		if j < 0 { // the field goes on on the next line
			w += copy(s.rec[w:], s.rec[i:])
			s.rec = append(s.rec[:w], '\n')
			w++
			if err := s.readLine(); err != nil {
				if errors.Is(err, io.EOF) {
					return 0, 0, 0, errQuote // the input ends inside the field
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

// indexFrom is the index of the first c in b at or after i, or -1.
func indexFrom(b []byte, i int, c byte) int {
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return -1
}
