package ingest_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/reckon-finops/reckon/internal/ingest"
)

// TestUploadFoldersAreKeptWhileInUseAndSweptAfter: a server killed during
// an upload leaves its folder in tmp/; the sweep at start (and around each
// collection) removes it, but never the folder of an upload in progress.
func TestUploadFoldersAreKeptWhileInUseAndSweptAfter(t *testing.T) {
	tmp := t.TempDir()
	leftover := filepath.Join(tmp, "upload-1234567")
	if err := os.MkdirAll(filepath.Join(leftover, "bucket"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, leftover, "report.csv.gz", "a killed upload's")
	active, err := ingest.NewUploadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	write(t, active, "report.csv", "an upload in progress")
	if err := ingest.RemoveDownloads(tmp); err != nil {
		t.Fatal(err)
	}
	if names := list(t, tmp); !slices.Equal(names, []string{filepath.Base(active)}) {
		t.Errorf("tmp holds %v after the sweep, want only the upload in progress", names)
	}
	if err := ingest.RemoveUploadDir(active); err != nil {
		t.Fatal(err)
	}
	if names := list(t, tmp); len(names) != 0 {
		t.Errorf("tmp holds %v after the upload, want nothing", names)
	}
	if _, err := ingest.NewUploadDir(""); err == nil {
		t.Error("an upload folder without a data folder was made in the system's temporary folder")
	}
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
