package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// fileRows reads the rows of several files in turn, as one RowSource.
// When period is set, every row must belong to it.
type fileRows struct {
	opener   Opener
	paths    []string
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
				s.paths[s.i], s.r.Line(), row.BillingPeriodStart.Format(time.DateOnly), s.period.Start.Format(time.DateOnly))
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
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open report file: %w", err)
	}
	s.f = f
	s.counted = &countingReader{r: f}
	r, err := s.opener.Open(s.counted, path)
	if err != nil {
		s.close()
		return err
	}
	s.r = r
	return nil
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
