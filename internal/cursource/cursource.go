// Package cursource is AWS CUR as an ingest source: the bucket layout on
// disk, manifests, single files, and the report in S3 through awsapi; and
// the files of an S3 bucket (S3Files) for a FOCUS source.
package cursource

import (
	"io"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Format reads CUR reports on disk: a folder laid out like a CUR bucket or
// any prefix within one, or a single .csv or .csv.gz file. It is an
// ingest.Format.
type Format struct{}

// Open reads a CUR file's rows: gzip is detected by its magic bytes and
// inflated on another goroutine (to at most awscur.MaxInflation times size),
// and each row aliases the read buffer until the next call, so reading
// allocates nothing per row.
func (Format) Open(r io.Reader, name string, size int64) (ingest.RowReader, error) {
	zr, err := awscur.DecompressSized(r, size)
	if err != nil {
		return nil, &awscur.ParseError{File: name, Problem: err.Error()}
	}
	cr, err := awscur.NewReader(zr, name)
	if err != nil {
		zr.Close()
		return nil, err
	}
	return &rows{Reader: cr, zr: zr}, nil
}

// rows is an awscur.Reader as an ingest.RowReader.
type rows struct {
	*awscur.Reader
	zr io.ReadCloser
}

func (r *rows) Warnings() []string {
	ws := r.Reader.Warnings()
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	return out
}

func (r *rows) Close() error { return r.zr.Close() }

// source names a report in the store. It must never change: the store
// finds the version it holds by it.
func source(account, report string) string {
	if account == "" {
		return "aws-cur/" + report
	}
	return "aws-cur/" + account + "/" + report
}
