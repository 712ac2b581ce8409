package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestServeRemovesLeftoverDownloadsAtStart: a collection killed with
// SIGKILL left its download folder in tmp/; the next start removes it
// (issue 8 §7).
func TestServeRemovesLeftoverDownloadsAtStart(t *testing.T) {
	data := t.TempDir()
	left := filepath.Join(data, "tmp", "collect-12345")
	if err := os.MkdirAll(left, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "0-report-1.csv.gz"), make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, stop := startServe(t, data, nil)
	defer stop()
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("the leftover download is still there (%v)", err)
	}
}
