package api

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
)

// The bounds of an uploaded folder: a CUR bucket of ten years of daily
// versions holds a few tens of thousands of files, never millions, and
// its paths are a handful of segments deep.
const (
	maxUploadEntries = 100_000
	maxUploadDepth   = 32
	maxNameBytes     = 255 // a segment, as most file systems allow
)

// uploadName checks the name an upload is stored under, which messages
// and reports show: one path segment. A file must be named (readers tell
// a compressed file by it, and errors name it); a folder is "upload"
// unless named.
func uploadName(name string, folder bool) (string, error) {
	if name == "" {
		if folder {
			return "upload", nil
		}
		return "", cost.Errorf(cost.EInvalid, "name the uploaded file with ?name=, e.g. ?name=report.csv.gz: messages name it, and a folder goes as a tar stream (Content-Type: application/x-tar)")
	}
	if problem := segmentProblem(name); problem != "" {
		return "", cost.Errorf(cost.EInvalid, "the name %s is %s: give the file's own name, e.g. report.csv.gz", cost.Quote(name), problem)
	}
	return name, nil
}

// segmentProblem says what makes s unfit as one segment of a path inside
// an upload's folder; "" when it is fit.
func segmentProblem(s string) string {
	switch {
	case s == "":
		return "empty"
	case s == "." || s == "..":
		return "a . or .. segment, which would lead out of the upload's folder"
	case len(s) > maxNameBytes:
		return fmt.Sprintf("longer than %d bytes", maxNameBytes)
	case !utf8.ValidString(s):
		return "not UTF-8"
	case strings.ContainsAny(s, `/\`):
		return "more than one path segment"
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "holding a control character"
		}
	}
	return ""
}

// entryPath returns where a tar entry named name goes, relative to the
// upload's folder, with the OS's separators; "" for the folder itself. A
// name that is absolute, has a "." or ".." segment (past a leading "./",
// which tar -C dir . writes), an empty one, or too many, is refused.
func entryPath(name string) (string, error) {
	rest := strings.TrimSuffix(name, "/")
	for {
		next, ok := strings.CutPrefix(rest, "./")
		if !ok {
			break
		}
		rest = next
	}
	if rest == "" || rest == "." {
		return "", nil
	}
	if strings.HasPrefix(rest, "/") {
		return "", cost.Errorf(cost.EInvalid, "the tar entry %s has an absolute path, which would lead out of the uploaded folder: refused", cost.Quote(name))
	}
	parts := strings.Split(rest, "/")
	if len(parts) > maxUploadDepth {
		return "", cost.Errorf(cost.EInvalid, "the tar entry %s is more than %d folders deep: refused", cost.Quote(name), maxUploadDepth)
	}
	for _, p := range parts {
		if problem := segmentProblem(p); problem != "" {
			return "", cost.Errorf(cost.EInvalid, "the tar entry %s has a segment that is %s: refused", cost.Quote(name), problem)
		}
	}
	return filepath.Join(parts...), nil
}

// untar writes a tar stream of a folder into the new folder root: only
// files and folders, each path inside root (os.Root keeps every write
// there), no entry twice, at most maxUploadEntries, and at most limit
// bytes in all. (The body's own bound does not bound what is written: a
// sparse file's holes are written out whole, a gigabyte from a few bytes,
// so sparse files are refused and what is written counted.)
func untar(r io.Reader, root string, limit int64) error {
	if err := os.Mkdir(root, 0o700); err != nil {
		return fmt.Errorf("create the upload's folder: %w", err)
	}
	rt, err := os.OpenRoot(root)
	if err != nil {
		return fmt.Errorf("open the upload's folder: %w", err)
	}
	defer rt.Close()
	tr := tar.NewReader(r)
	seen := map[string]bool{}
	budget := limit
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bodyError(err, fmt.Sprintf("the upload is not a valid tar stream (at entry %d)", n+1))
		}
		if n >= maxUploadEntries {
			return cost.Errorf(cost.EInvalid, "the tar stream holds more than %d entries: upload the folder in parts", maxUploadEntries)
		}
		rel, err := entryPath(hdr.Name)
		if err != nil {
			return err
		}
		if sparse(hdr) {
			return cost.Errorf(cost.EInvalid, "the tar entry %s is a sparse file: an upload holds only files and folders", cost.Quote(hdr.Name))
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if rel != "" {
				if err := rt.MkdirAll(rel, 0o700); err != nil {
					return entryError(hdr.Name, err)
				}
			}
		case tar.TypeReg:
			if rel == "" || seen[rel] {
				return cost.Errorf(cost.EInvalid, "the tar entry %s is not a new file in the folder: each file may appear once", cost.Quote(hdr.Name))
			}
			seen[rel] = true
			n, err := writeEntry(rt, rel, io.LimitReader(tr, budget+1))
			if budget -= n; budget < 0 {
				return &http.MaxBytesError{Limit: limit}
			}
			if err != nil {
				return entryError(hdr.Name, err)
			}
		case tar.TypeXGlobalHeader:
		default:
			return cost.Errorf(cost.EInvalid, "the tar entry %s is %s: an upload holds only files and folders", cost.Quote(hdr.Name), entryKind(hdr.Typeflag))
		}
	}
	if len(seen) == 0 {
		return cost.Errorf(cost.EInvalid, "the tar stream holds no file")
	}
	return nil
}

// sparse reports whether a tar entry is a sparse file, in any of the
// forms archive/tar expands: GNU's old type, or PAX's GNU.sparse records.
func sparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// writeEntry writes one file of the tar stream, and says how many bytes.
func writeEntry(rt *os.Root, rel string, r io.Reader) (int64, error) {
	if dir := filepath.Dir(rel); dir != "." {
		if err := rt.MkdirAll(dir, 0o700); err != nil {
			return 0, err
		}
	}
	f, err := rt.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// writeFile writes an uploaded file.
func writeFile(r io.Reader, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create the upload's file: %w", err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return bodyError(err, "the upload did not arrive whole")
	}
	if n == 0 {
		return cost.Errorf(cost.EInvalid, "the upload is empty: send the file's content as the request body")
	}
	return nil
}

// entryError explains a failure to write a tar entry: a path that clashes
// with another entry's is the upload's fault; the rest are the body's or
// the server's.
func entryError(name string, err error) error {
	if errors.Is(err, os.ErrExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) {
		return cost.Errorf(cost.EInvalid, "the tar entry %s clashes with another entry of the folder: refused", cost.Quote(name))
	}
	return bodyError(err, fmt.Sprintf("the tar entry %s did not arrive whole", cost.Quote(name)))
}

// bodyError explains a failure while the body was read and written: past
// the size limit (the caller answers 413), a body cut short or not in
// time (the client's), a full disk, or the server's own failure.
func bodyError(err error, what string) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return err
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return cost.Errorf(cost.EUnavailable, "the server's disk is full: nothing was loaded; try again later, or tell the administrator")
	case errors.Is(err, os.ErrDeadlineExceeded):
		return cost.Errorf(eRequestTimeout, "the upload did not arrive in time: nothing was loaded")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, tar.ErrHeader), errors.Is(err, tar.ErrFieldTooLong), errors.Is(err, tar.ErrInsecurePath):
		return cost.Errorf(cost.EInvalid, "%s: %v; nothing was loaded", what, err)
	}
	if _, ok := errors.AsType[*os.PathError](err); ok {
		return err // the server's disk
	}
	return cost.Errorf(cost.EInvalid, "%s: %v; nothing was loaded", what, err)
}

// entryKind names a tar entry type that an upload refuses.
func entryKind(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "a symbolic link"
	case tar.TypeLink:
		return "a hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "a device"
	case tar.TypeFifo:
		return "a named pipe"
	case tar.TypeGNUSparse:
		return "a sparse file"
	}
	return fmt.Sprintf("of type %q", t)
}
