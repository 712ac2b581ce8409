package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// fileRows reads the rows of several files in turn, as one RowSource.
// When period is set, every row must belong to it.
type fileRows struct {
	opener Opener
	paths  []string
	// names are the files as the delivery names them (d.Files), given to the
	// Opener and in messages: for a Remote's delivery, its keys rather than
	// the temporary paths they were downloaded to. nil means paths.
	names    []string
	root     string // when set, paths are opened through os.Root
	period   *Period
	progress Progress
	i        int
	f        *os.File
	r        RowReader
	counted  *countingReader
	done     int64 // bytes of files finished
	rows     int64
	currency string
	warnings []string
	outside  map[int64]*outsideRows // by billing period start (Unix seconds)
}

// Next returns the next row of the files.
func (s *fileRows) Next() (*cost.Row, error) {
	for {
		if s.r == nil {
			if s.i >= len(s.paths) {
				return nil, io.EOF
			}
			if err := s.open(s.paths[s.i]); err != nil {
				return nil, err
			}
		}
		row, err := s.r.Next()
		if errors.Is(err, io.EOF) {
			s.warnings = append(s.warnings, s.r.Warnings()...)
			s.done += s.counted.n.Load()
			s.close()
			s.i++
			continue
		}
		if err != nil {
			return nil, err
		}
		if s.period != nil && !row.BillingPeriodStart.Equal(s.period.Start) {
			return nil, cost.Errorf(cost.EInvalid, "%s: line %d: the row belongs to billing period %s, but its delivery is for %s",
				s.name(s.i), s.r.Line(), row.BillingPeriodStart.Format(time.DateOnly), s.period.Start.Format(time.DateOnly))
		}
		if outsidePeriod(row) {
			s.flagOutside(row)
		}
		s.rows++
		if s.rows&0xfff == 0 {
			s.progress.Update(s.done+s.counted.n.Load(), s.rows)
		}
		if s.currency == "" {
			s.currency = strings.Clone(row.BillingCurrency)
		}
		return row, nil
	}
}

func (s *fileRows) open(path string) error {
	f, err := s.openFile(path)
	if err != nil {
		return fmt.Errorf("open report file: %w", err)
	}
	s.f = f
	st, err := f.Stat()
	if err != nil {
		s.close()
		return fmt.Errorf("open report file: %w", err)
	}
	s.counted = &countingReader{r: f}
	r, err := s.opener.Open(s.counted, s.name(s.i), st.Size())
	if err != nil {
		s.close()
		return err
	}
	s.r = r
	return nil
}

// openFile opens path, through os.Root when the files have a root, so that
// a symbolic link swapped in since they were found cannot lead out of it.
func (s *fileRows) openFile(path string) (*os.File, error) {
	if s.root == "" {
		return os.Open(path)
	}
	rel, err := filepath.Rel(s.root, path)
	if err != nil {
		return nil, err
	}
	return os.OpenInRoot(s.root, rel)
}

func (s *fileRows) close() {
	if s.r != nil {
		s.r.Close()
		s.r = nil
	}
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// countingReader counts the bytes read through it, for progress. The count
// is atomic because a decompressor may read ahead on its own goroutine.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Where names the file and line of the row Next returned last, for the
// store's messages about a row (cost.RowLocator).
func (s *fileRows) Where() string {
	if s.r == nil || s.i >= len(s.paths) {
		return ""
	}
	return fmt.Sprintf("%s: line %d", s.name(s.i), s.r.Line())
}

// name is how the delivery names its i-th file.
func (s *fileRows) name(i int) string {
	if i < len(s.names) {
		return s.names[i]
	}
	return s.paths[i]
}
