package awscur

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/klauspost/pgzip"
)

// ErrZip is returned for ZIP-compressed reports, which Reckon cannot stream.
var ErrZip = errors.New("the report is ZIP-compressed: set the report's compression to GZIP (Reckon reads GZIP or plain CSV)")

// MaxInflation bounds how many times its compressed size a gzip report may
// inflate to, plus InflationSlack. CUR manifests declare no file sizes, so
// the bound is relative to the file as stored: AWS's gzip CURs inflate 5 to
// 20 times (Reckon's generated ones 5.3), while a gzip of one repeated byte
// inflates a thousand times and would keep a load busy for nothing.
const MaxInflation = 100

// InflationSlack is added to the bound so that small files, whose header
// alone may compress well, are never refused.
const InflationSlack = 16 << 20

// InflateError is a compressed file that inflates past its bound.
type InflateError struct {
	Stored int64 // the compressed size
	Limit  int64 // the most it may inflate to
}

// Error says how far the file may inflate and why it was refused.
func (e *InflateError) Error() string {
	return fmt.Sprintf("the file inflates to more than %d bytes, over %d times its compressed size of %d bytes; no CUR compresses that well, so the file is damaged or not a CUR",
		e.Limit, MaxInflation, e.Stored)
}

// Decompress returns the CSV text of a report file. GZIP is detected by its
// magic bytes rather than the file name, and inflated ahead of the reader on
// another goroutine (pgzip), so parsing never waits on decompression.
func Decompress(r io.Reader) (io.ReadCloser, error) {
	return DecompressSized(r, 0)
}

// DecompressSized is Decompress for a file of stored bytes as stored
// (compressed): a gzip file that inflates to more than MaxInflation times
// that, plus InflationSlack, fails with an *InflateError. A stored size of
// 0 means unknown: no bound.
func DecompressSized(r io.Reader, stored int64) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := pgzip.NewReaderN(br, 1<<20, 8)
		if err != nil {
			return nil, err
		}
		if stored <= 0 || stored > (math.MaxInt64-InflationSlack)/MaxInflation {
			return zr, nil
		}
		return &inflateLimit{r: zr, left: stored*MaxInflation + InflationSlack, err: &InflateError{Stored: stored, Limit: stored*MaxInflation + InflationSlack}}, nil
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		return nil, ErrZip
	}
	return io.NopCloser(br), nil
}

// inflateLimit fails once more than left bytes have been read through it.
type inflateLimit struct {
	r    io.ReadCloser
	left int64
	err  *InflateError
}

func (l *inflateLimit) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, l.err
	}
	return n, err
}

func (l *inflateLimit) Close() error { return l.r.Close() }
