package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// downloadPrefix names the folders a collection downloads a delivery's
// files into, under the Loader's TempDir; uploadPrefix those an upload to
// the server is written into (NewUploadDir).
const (
	downloadPrefix = "collect-"
	uploadPrefix   = "upload-"
)

// downloads are the download folders of collections running in this
// process, by name (unique within a folder, and random, so that the same
// folder named by another path is still found), which RemoveDownloads
// keeps. The lock spans a folder's creation and registration, so a sweep
// never sees one unregistered.
var downloads struct {
	sync.Mutex
	active map[string]bool
}

// RemoveDownloads removes the download folders that collections, and the
// upload folders that uploads, left in dir, a Loader's TempDir, when a kill
// stopped them before they removed their own (a delivery's files are tens
// of MB each, an upload up to the server's limit). Folders of collections
// and uploads running in this process are kept. dir must be this process's
// own: a data folder's tmp/, which the store's lock keeps to one process.
// Collect calls it before and after each collection; the commands that
// open a data folder call it at start. A dir that does not exist is fine.
func RemoveDownloads(dir string) error {
	downloads.Lock()
	defer downloads.Unlock()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list leftover downloads: %w", err)
	}
	var errs []error
	for _, e := range entries {
		ours := strings.HasPrefix(e.Name(), downloadPrefix) || strings.HasPrefix(e.Name(), uploadPrefix)
		if !ours || downloads.active[e.Name()] {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("remove leftover download %s: %w", path, err))
		}
	}
	return errors.Join(errs...)
}

// newDownloadDir creates a delivery's download folder in dir ("" for the
// system's temporary folder) and marks it in use.
func newDownloadDir(dir string) (string, error) {
	return newTempDir(dir, downloadPrefix)
}

// NewUploadDir creates a folder in dir, a data folder's tmp/, for the files
// of one upload, and marks it in use so that no sweep removes it while the
// upload is written and loaded. Remove it with RemoveUploadDir.
func NewUploadDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("ingest: an upload needs a folder to be written to")
	}
	return newTempDir(dir, uploadPrefix)
}

// RemoveUploadDir removes a folder NewUploadDir made, and all it holds.
func RemoveUploadDir(tmp string) error { return doneDownloadDir(tmp) }

func newTempDir(dir, prefix string) (string, error) {
	downloads.Lock()
	defer downloads.Unlock()
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("create download folder: %w", err)
		}
	}
	tmp, err := os.MkdirTemp(dir, prefix)
	if err != nil {
		return "", fmt.Errorf("create download folder: %w", err)
	}
	if downloads.active == nil {
		downloads.active = map[string]bool{}
	}
	downloads.active[filepath.Base(tmp)] = true
	return tmp, nil
}

// doneDownloadDir removes a folder newTempDir made.
func doneDownloadDir(tmp string) error {
	downloads.Lock()
	defer downloads.Unlock()
	delete(downloads.active, filepath.Base(tmp))
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("remove temporary folder: %w", err)
	}
	return nil
}
