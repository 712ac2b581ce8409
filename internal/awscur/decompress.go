package awscur

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/klauspost/pgzip"
)

// ErrZip is returned for ZIP-compressed reports, which Reckon cannot stream.
var ErrZip = errors.New("the report is ZIP-compressed: set the report's compression to GZIP (Reckon reads GZIP or plain CSV)")

// Decompress returns the CSV text of a report file. GZIP is detected by its
// magic bytes rather than the file name, and inflated ahead of the reader on
// another goroutine (pgzip), so parsing never waits on decompression.
func Decompress(r io.Reader) (io.ReadCloser, error) {
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
		return zr, nil
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		return nil, ErrZip
	}
	return io.NopCloser(br), nil
}
