package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/reckon-finops/reckon/internal/azsource"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/focussource"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// formatOptions are what a format needs that a folder does not say.
type formatOptions struct {
	// amortized names the Azure exports of the older layout (no manifest)
	// that hold amortized cost.
	amortized []string
}

// newFormat returns the format --format names: cur, focus or azure.
func newFormat(name string, o formatOptions) (ingest.Format, bool) {
	switch name {
	case "cur":
		return cursource.Format{}, true
	case "focus":
		return focussource.Format{}, true
	case "azure":
		return azsource.NewFormat(azsource.Options{AmortizedExports: o.amortized}), true
	}
	return nil, false
}

// formatFor returns the format that reads path, a file or a folder, by
// looking at what it holds: a CUR (a manifest, or lineItem/ columns), a
// FOCUS file (BilledCost, ChargePeriodStart…), or an Azure cost export (a
// manifest.json with an exportConfig, or cost details columns). A folder
// is judged by its first manifest, else its first data file.
func formatFor(path string) (ingest.Format, error) {
	return detectFormat(path, formatOptions{})
}

func detectFormat(path string, o formatOptions) (ingest.Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	file := path
	if st.IsDir() {
		if file, err = firstDataFile(path); err != nil {
			return nil, err
		}
		switch {
		case strings.HasSuffix(file, "-Manifest.json"):
			f, _ := newFormat("cur", o)
			return f, nil
		case filepath.Base(file) == "manifest.json":
			f, _ := newFormat("azure", o)
			return f, nil
		}
		if _, _, ok, _ := azsource.OldExportFile(filepath.ToSlash(mustRel(path, file))); ok {
			f, _ := newFormat("azure", o)
			return f, nil
		}
	}
	header, err := readHeader(file)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(header, "PAR1") {
		// Parquet: Reckon reads FOCUS files in Parquet (as AWS Data
		// Exports and Reckon's own export write them).
		f, _ := newFormat("focus", o)
		return f, nil
	}
	kind := headerKind(header)
	if kind == "" {
		return nil, fmt.Errorf("%s: the header is neither a CUR's (lineItem/UnblendedCost…), a FOCUS file's (BilledCost, "+
			"ChargePeriodStart…) nor an Azure cost export's (SubscriptionId, CostInBillingCurrency or PreTaxCost…); "+
			"name the format with --format", file)
	}
	f, _ := newFormat(kind, o)
	return f, nil
}

func mustRel(base, path string) string {
	rel, err := filepath.Rel(base, path)
	if err != nil {
		return path
	}
	return rel
}

// firstDataFile returns the first manifest under dir (a CUR's
// …-Manifest.json or an Azure export's manifest.json with an exportConfig),
// else its first .csv or .csv.gz file, in walk order.
func firstDataFile(dir string) (string, error) {
	var manifest, data string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		name := strings.ToLower(d.Name())
		switch {
		case manifest == "" && (strings.HasSuffix(d.Name(), "-Manifest.json") || d.Name() == "manifest.json" && isAzureManifest(p)):
			manifest = p
			return fs.SkipAll
		case data == "" && (strings.HasSuffix(name, ".csv") || strings.HasSuffix(name, ".csv.gz") || strings.HasSuffix(name, ".parquet")):
			data = p
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read %s: %w", dir, err)
	}
	if manifest != "" {
		return manifest, nil
	}
	if data == "" {
		return "", fmt.Errorf("%s holds no cost files: expected a CUR bucket layout (…-Manifest.json), "+
			"FOCUS files or Azure cost exports (.csv or .csv.gz)", dir)
	}
	return data, nil
}

// isAzureManifest reports whether the file is a Cost Management export's
// manifest: JSON with an exportConfig.
func isAzureManifest(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil || len(data) > 4<<20 {
		return false
	}
	var m struct {
		ExportConfig json.RawMessage `json:"exportConfig"`
	}
	return json.Unmarshal(data, &m) == nil && len(m.ExportConfig) > 0
}

// readHeader returns the first line of a file, inflated if it is gzip.
func readHeader(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return "", fmt.Errorf("%s: not a readable gzip file: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	line, err := bufio.NewReader(io.LimitReader(r, 1<<20)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return line, nil
}

// headerKind names the format a header line belongs to: "cur", "focus",
// "azure", or "" for none of them.
func headerKind(header string) string {
	h := strings.ToLower(strings.TrimPrefix(header, "\ufeff"))
	has := func(names ...string) bool {
		for _, n := range names {
			if !strings.Contains(h, strings.ToLower(n)) {
				return false
			}
		}
		return true
	}
	switch {
	case has("lineItem/") || has("line_item_") || has("identity/LineItemId"):
		return "cur"
	case has("BilledCost", "ChargePeriodStart"):
		return "focus"
	case has("SubscriptionId") || has("SubscriptionGuid") || has("CostInBillingCurrency") || has("PreTaxCost"):
		return "azure"
	}
	return ""
}
