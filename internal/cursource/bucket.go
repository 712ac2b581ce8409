package cursource

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/ingest"
)

var (
	// rangeDir is a CUR 1.0 billing-period folder: 20231101-20231201.
	rangeDir = regexp.MustCompile(`^\d{8}-\d{8}$`)
	// periodDir is a CUR 2.0 billing-period folder: BILLING_PERIOD=2023-11.
	periodDir = regexp.MustCompile(`^BILLING_PERIOD=\d{4}-\d{2}$`)
)

// Find walks root, a folder laid out like a CUR bucket or any prefix within
// one, and returns each billing period's current delivery of every report:
// the period-level manifest, never the immutable assembly copies.
func (Format) Find(root string) ([]*ingest.Delivery, error) {
	var manifests []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), "-Manifest.json") {
			return nil
		}
		parent := filepath.Base(filepath.Dir(path))
		if rangeDir.MatchString(parent) || periodDir.MatchString(parent) {
			manifests = append(manifests, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find manifests under %s: %w", root, err)
	}
	if len(manifests) == 0 {
		return nil, fmt.Errorf("no CUR manifests under %s: expected <report>/<YYYYMMDD-YYYYMMDD>/<report>-Manifest.json (CUR) or metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json (Data Exports); to load a single file, name the .csv or .csv.gz", root)
	}
	slices.Sort(manifests)
	// Every file a manifest names is read through root: no key, ".." or
	// symbolic link leads out of the folder the user named.
	dir, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	defer dir.Close()
	var out []*ingest.Delivery
	for _, path := range manifests {
		d, err := readDelivery(dir, root, path)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func readDelivery(dir *os.Root, root, path string) (*ingest.Delivery, error) {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	data, err := dir.ReadFile(rel)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w (Reckon reads only files inside %s and follows no symbolic link out of it)", path, err, root)
	}
	m, err := awscur.ParseManifest(data, path)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(m.Compression, "ZIP") {
		return nil, &awscur.ParseError{File: path, Column: "compression", Problem: awscur.ErrZip.Error()}
	}
	d := &ingest.Delivery{Source: source(m.Account, m.Name()), Report: m.Name(), BillingAccount: m.Account,
		Period: ingest.Period(m.BillingPeriod), Version: m.Version(), Origin: path, Root: root}
	manifestDir := filepath.Dir(path)
	overwrite := false // OVERWRITE_REPORT layout: files replaced in place
	var sizes []string
	for _, key := range m.Keys() {
		local, size, err := resolveKey(dir, root, key)
		if err != nil {
			return nil, &awscur.ParseError{File: path, Column: "reportKeys", Problem: err.Error()}
		}
		if filepath.Dir(local) == manifestDir {
			overwrite = true
		}
		sizes = append(sizes, strconv.FormatInt(size, 10))
		d.Files = append(d.Files, local)
	}
	if overwrite {
		// Files are replaced in place: identify the delivery by what was read.
		sum := sha256.Sum256([]byte(m.Checksum + "|" + strings.Join(sizes, ",")))
		d.Version = "sha256:" + hex.EncodeToString(sum[:])
	}
	return d, nil
}

// resolveKey finds the local file of a bucket key under root (opened as
// dir), which may be the bucket itself or any prefix within it: the longest
// tail of the key that is a file under root wins. A key with a ".." segment
// is refused before anything is looked up, and a tail that leads out of
// root through a symbolic link is refused by dir. It returns the file's
// path and size.
func resolveKey(dir *os.Root, root, key string) (string, int64, error) {
	parts := strings.Split(strings.TrimLeft(key, "/"), "/")
	if slices.Contains(parts, "..") {
		return "", 0, fmt.Errorf("report key %q has a \"..\" segment, which would lead out of %s: refused (AWS never writes one)", key, root)
	}
	for i := range parts {
		rel := filepath.Join(parts[i:]...)
		if rel == "." || rel == "" {
			continue
		}
		st, err := dir.Stat(rel)
		switch {
		case err == nil && st.Mode().IsRegular():
			return filepath.Join(root, rel), st.Size(), nil
		case err == nil, errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			continue
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", 0, fmt.Errorf("report key %q cannot be read inside %s: %v (Reckon reads only files inside the folder it is given, and follows no symbolic link out of it)", key, root, err)
	}
	return "", 0, fmt.Errorf("report file %q is listed in the manifest but missing under %s", key, root)
}
