package cursource

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

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
	var out []*ingest.Delivery
	for _, path := range manifests {
		d, err := readDelivery(root, path)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func readDelivery(root, path string) (*ingest.Delivery, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	m, err := awscur.ParseManifest(data, path)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(m.Compression, "ZIP") {
		return nil, &awscur.ParseError{File: path, Column: "compression", Problem: awscur.ErrZip.Error()}
	}
	d := &ingest.Delivery{Source: source(m.Account, m.Name()), Report: m.Name(), BillingAccount: m.Account,
		Period: ingest.Period(m.BillingPeriod), Version: m.Version(), Origin: path}
	dir := filepath.Dir(path)
	overwrite := false // OVERWRITE_REPORT layout: files replaced in place
	var sizes []string
	for _, key := range m.Keys() {
		local, err := resolveKey(root, key)
		if err != nil {
			return nil, &awscur.ParseError{File: path, Column: "reportKeys", Problem: err.Error()}
		}
		if filepath.Dir(local) == dir {
			overwrite = true
		}
		st, err := os.Stat(local)
		if err != nil {
			return nil, err
		}
		sizes = append(sizes, strconv.FormatInt(st.Size(), 10))
		d.Files = append(d.Files, local)
	}
	if overwrite {
		// Files are replaced in place: identify the delivery by what was read.
		sum := sha256.Sum256([]byte(m.Checksum + "|" + strings.Join(sizes, ",")))
		d.Version = "sha256:" + hex.EncodeToString(sum[:])
	}
	return d, nil
}

// resolveKey finds the local file of a bucket key under root, which may be
// the bucket itself or any prefix within it: the longest tail of the key that
// exists under root wins.
func resolveKey(root, key string) (string, error) {
	parts := strings.Split(strings.TrimPrefix(key, "/"), "/")
	for i := range parts {
		candidate := filepath.Join(append([]string{root}, parts[i:]...)...)
		if st, err := os.Stat(candidate); err == nil && !st.IsDir() {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("report file %s is listed in the manifest but missing under %s", key, root)
}
