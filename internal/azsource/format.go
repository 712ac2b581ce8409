package azsource

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/zeebo/xxh3"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/azexport"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Format reads Azure cost exports on disk: a folder as downloaded from the
// export's container (the whole container or any prefix within it), or a
// single cost details or FOCUS .csv or .csv.gz file. It is an
// ingest.Format; make one with NewFormat.
type Format struct {
	opts Options
	reg  registry
}

// NewFormat returns a Format.
func NewFormat(opts Options) *Format {
	return &Format{opts: opts}
}

// Open reads the rows of a file of a delivery Find or File returned.
func (f *Format) Open(r io.Reader, name string, size int64) (ingest.RowReader, error) {
	return f.reg.open(r, name, size)
}

// Find walks root and returns one delivery per scope (or older export) and
// month: the current run of its actual and amortized exports together, or
// of its FocusCost export.
func (f *Format) Find(root string) ([]*ingest.Delivery, error) {
	dir, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	defer dir.Close()
	var objs []object
	err = fs.WalkDir(dir.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		objs = append(objs, object{Name: name, Size: info.Size(), Modified: info.ModTime().UTC()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	read := func(o object) ([]byte, error) {
		data, err := readLimited(dir, o.Name)
		if err != nil {
			return nil, fmt.Errorf("read manifest %s: %w", filepath.Join(root, o.Name), err)
		}
		return data, nil
	}
	local := func(name string) string { return filepath.Join(root, filepath.FromSlash(name)) }
	gs, err := plan(objs, read, f.opts, local)
	if errors.Is(err, errNoExports) {
		return nil, fmt.Errorf("no Azure cost exports under %s: %s; to load a single file, name the .csv or .csv.gz", root, expected)
	}
	if err != nil {
		return nil, err
	}
	if err := checkFiles(gs, objs, root, local); err != nil {
		return nil, err
	}
	ds := f.reg.register(gs, local)
	for _, d := range ds {
		d.Root = root // every file is read through os.Root: no link leads out
	}
	return ds, nil
}

// readLimited reads a manifest through dir, refusing one past maxManifest.
func readLimited(dir *os.Root, name string) ([]byte, error) {
	file, err := dir.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxManifest+1))
	if err != nil {
		return nil, err
	}
	return data, nil
}

// File describes one export file: a cost details file is read as actual
// cost, a file whose header has FOCUS's BilledCost and ChargePeriodStart as
// FOCUS. Its source is the billing account of its first row, so that a
// later file of the same account and month replaces it; its version is the
// XXH3-128 of its content, so loading it again does nothing.
func (f *Format) File(path string) (*ingest.Delivery, error) {
	version, focus, err := scanFile(path)
	if err != nil {
		return nil, err
	}
	fi := singleFile(path)
	if focus {
		fi.run.dataset = FocusCost
	}
	f.reg.mu.Lock()
	if f.reg.files == nil {
		f.reg.files = map[string]*fileInfo{}
	}
	f.reg.files[path] = fi
	f.reg.mu.Unlock()
	account, period, err := f.firstRow(path)
	if err != nil {
		return nil, err
	}
	return &ingest.Delivery{Source: "azure-export/" + account, BillingAccount: account, Period: period, FromRows: true,
		Version: version, Origin: path, Files: []string{path}}, nil
}

// scanFile hashes the file and reads whether its header is FOCUS's.
func scanFile(path string) (version string, focus bool, err error) {
	file, err := os.Open(path)
	if err != nil {
		return "", false, fmt.Errorf("open export file: %w", err)
	}
	defer file.Close()
	h := xxh3.New()
	if _, err := io.Copy(h, file); err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	sum := h.Sum128().Bytes()
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	zr, err := awscur.DecompressSized(file, 0)
	if err != nil {
		return "", false, &azexport.ParseError{File: path, Problem: err.Error()}
	}
	defer zr.Close()
	line, _ := bufio.NewReaderSize(io.LimitReader(zr, 1<<16), 1<<16).ReadSlice('\n')
	header := strings.ToLower(string(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))))
	focus = strings.Contains(header, "billedcost") && strings.Contains(header, "chargeperiodstart")
	return "xxh3:" + hex.EncodeToString(sum[:]), focus, nil
}

// firstRow reads the billing account and period of the file's first row.
func (f *Format) firstRow(path string) (string, ingest.Period, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", ingest.Period{}, fmt.Errorf("open export file: %w", err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return "", ingest.Period{}, fmt.Errorf("open export file: %w", err)
	}
	r, err := f.Open(file, path, st.Size())
	if err != nil {
		return "", ingest.Period{}, err
	}
	defer r.Close()
	row, err := r.Next()
	if errors.Is(err, io.EOF) {
		return "", ingest.Period{}, &azexport.ParseError{File: path, Problem: "the file has a header but no rows, so its billing account and month are unknown; load the export's folder instead"}
	}
	if err != nil {
		return "", ingest.Period{}, err
	}
	return strings.Clone(row.BillingAccountID), ingest.Period{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd}, nil
}
