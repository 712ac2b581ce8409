// Package focussource is FOCUS files from any provider as an ingest source:
// a single FOCUS CSV file (plain or gzip) or Parquet file, or a folder of
// them, such as the
// data folder of an AWS Data Exports "FOCUS 1.0 with AWS columns" export
// (one BILLING_PERIOD=YYYY-MM folder per month) or FOCUS files saved by hand.
//
// Each folder that holds FOCUS files is one delivery: its files are read
// together, their rows say which billing periods they replace, and a new
// version of the folder (a restated month rewritten in place) replaces the
// periods the old one held. A FOCUS file may hold several providers and
// billing accounts (the FOCUS sample data does), so a delivery names no
// billing account (ingest.Delivery.Mixed): it replaces its own source's
// versions only, and the one-truth check against a CUR of the same payer
// does not apply to it.
//
// Remote is the same over a Bucket (a Blob Storage container through
// azsource.Blob): the files a listing gives, grouped by folder, collected
// by a FOCUS source (a connector of kind focus).
package focussource

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zeebo/xxh3"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/focusfile"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Format reads FOCUS files on disk. It is an ingest.Format.
type Format struct{}

// Open reads a FOCUS file's rows: gzip is detected by its magic bytes and
// inflated on another goroutine, bounded as CUR files are; a Parquet file
// (its magic bytes too) is read through DuckDB (parquet.go).
func (Format) Open(r io.Reader, name string, size int64) (ingest.RowReader, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(parquetMagic)); isParquet(head) {
		return openParquet(br, name)
	}
	zr, err := awscur.DecompressSized(br, size)
	if err != nil {
		return nil, &focusfile.ParseError{File: name, Problem: err.Error()}
	}
	fr, err := focusfile.NewReader(zr, name)
	if err != nil {
		zr.Close()
		return nil, err
	}
	return &rows{Reader: fr, zr: zr}, nil
}

// rows is a focusfile.Reader as an ingest.RowReader.
type rows struct {
	*focusfile.Reader
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

// File returns the delivery of one FOCUS file. Its source is named after
// the first row's provider and billing account, so that a later file of the
// same account replaces the billing periods this one holds; its version is
// the XXH3-128 hash of its content.
func (f Format) File(path string) (*ingest.Delivery, error) {
	return f.delivery([]string{path}, "", path)
}

// Find returns one delivery for each folder under root that holds FOCUS
// files (.csv, .csv.gz or .parquet), its files in name order; other files (an AWS
// Data Exports manifest) are left alone. A folder holding none fails,
// saying what was expected.
func (f Format) Find(root string) ([]*ingest.Delivery, error) {
	byDir := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && isDataFile(d.Name()) {
			dir := filepath.Dir(path)
			byDir[dir] = append(byDir[dir], path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", root, err)
	}
	dirs := make([]string, 0, len(byDir))
	for dir := range byDir {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	var out []*ingest.Delivery
	for _, dir := range dirs {
		files := byDir[dir]
		slices.Sort(files)
		rel, err := filepath.Rel(filepath.Dir(filepath.Clean(root)), dir)
		if err != nil {
			return nil, err
		}
		d, err := f.delivery(files, "focus/"+filepath.ToSlash(rel), dir)
		if err != nil {
			return nil, err
		}
		d.Root = root
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no FOCUS files: expected .csv or .csv.gz files whose header has the FOCUS columns "+
			"(BilledCost, BillingPeriodStart, ChargePeriodStart…)", root)
	}
	return out, nil
}

func isDataFile(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, ".csv") || strings.HasSuffix(lower, ".csv.gz") || strings.HasSuffix(lower, ".parquet")
}

// delivery describes files read as one: the version hashes their names and
// contents; the first row gives the billing period (and, for a single file,
// the source's name).
func (f Format) delivery(files []string, source, origin string) (*ingest.Delivery, error) {
	version, err := filesVersion(files)
	if err != nil {
		return nil, err
	}
	first, err := firstRow(f, files[0])
	if err != nil {
		return nil, err
	}
	if source == "" {
		source = "focus/" + first.provider + "/" + first.account
	}
	return &ingest.Delivery{Source: source, Mixed: true, Period: first.period, FromRows: true,
		Version: version, Origin: origin, Files: files}, nil
}

type peeked struct {
	provider, account string
	period            ingest.Period
}

func firstRow(f Format, path string) (peeked, error) {
	file, err := os.Open(path)
	if err != nil {
		return peeked{}, fmt.Errorf("open FOCUS file: %w", err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return peeked{}, fmt.Errorf("open FOCUS file: %w", err)
	}
	r, err := f.Open(file, path, st.Size())
	if err != nil {
		return peeked{}, err
	}
	defer r.Close()
	row, err := r.Next()
	if errors.Is(err, io.EOF) {
		return peeked{}, &focusfile.ParseError{File: path, Problem: "the file has a header but no rows, so its billing period is unknown"}
	}
	if err != nil {
		return peeked{}, err
	}
	return peeked{provider: sourceSegment(row.ProviderName), account: sourceSegment(row.BillingAccountID),
		period: ingest.Period{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd}}, nil
}

// sourceSegment makes a provider's name or account ID one segment of a
// source name: IDs such as Microsoft's /providers/Microsoft.Billing/… hold
// slashes.
func sourceSegment(s string) string {
	s = strings.Trim(strings.ReplaceAll(s, "/", "_"), "_")
	if s == "" {
		return "unknown"
	}
	return s
}

// filesVersion hashes the files' names and contents, so that loading the
// same files again does nothing and any change is a new version.
func filesVersion(files []string) (string, error) {
	h := xxh3.New()
	for _, path := range files {
		fmt.Fprintf(h, "%s\x00", filepath.Base(path))
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("open FOCUS file: %w", err)
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("read %s: %w", path, err)
		}
	}
	sum := h.Sum128().Bytes()
	return "xxh3:" + hex.EncodeToString(sum[:]), nil
}
