package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/cost"
)

// fileRows reads the rows of several CUR files in turn, as one RowSource.
// When period is set, every row must belong to it.
type fileRows struct {
	paths    []string
	period   *awscur.Period
	progress Progress
	i        int
	f        *os.File
	zr       io.ReadCloser
	r        *awscur.Reader
	counted  *countingReader
	done     int64 // bytes of files finished
	rows     int64
	currency string
	warnings []awscur.Warning
}

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
			return nil, &awscur.ParseError{File: s.paths[s.i], Line: s.r.Line(), Column: "bill/BillingPeriodStartDate",
				Problem: fmt.Sprintf("the row belongs to billing period %s, but its manifest is for %s", row.BillingPeriodStart.Format(time.DateOnly), s.period.Start.Format(time.DateOnly))}
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
	zr, err := awscur.Decompress(s.counted)
	if err != nil {
		f.Close()
		s.f = nil
		return &awscur.ParseError{File: path, Problem: err.Error()}
	}
	s.zr = zr
	r, err := awscur.NewReader(zr, path)
	if err != nil {
		s.close()
		return err
	}
	s.r = r
	return nil
}

func (s *fileRows) close() {
	if s.zr != nil {
		s.zr.Close()
		s.zr = nil
	}
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	s.r = nil
}

// countingReader counts the bytes read through it, for progress. The count
// is atomic because pgzip reads ahead on its own goroutine.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
