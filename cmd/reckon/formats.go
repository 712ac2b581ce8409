package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/focussource"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// The formats reckon ingest reads, by the name --format takes.
var formats = map[string]ingest.Format{
	"cur":   cursource.Format{},
	"focus": focussource.Format{},
}

// formatFor returns the format that reads path, a file or a folder, by
// looking at what it holds: a CUR (a manifest, or lineItem/ columns), a
// FOCUS file (BilledCost, ChargePeriodStart…), or an Azure cost export.
// A folder is judged by its first manifest, else its first data file.
func formatFor(path string) (ingest.Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	file := path
	if st.IsDir() {
		if file, err = firstDataFile(path); err != nil {
			return nil, err
		}
		if strings.HasSuffix(file, "-Manifest.json") {
			return cursource.Format{}, nil
		}
	}
	header, err := readHeader(file)
	if err != nil {
		return nil, err
	}
	switch kind := headerKind(header); kind {
	case "":
		return nil, fmt.Errorf("%s: the header is neither a CUR's (lineItem/UnblendedCost…), a FOCUS file's (BilledCost, "+
			"ChargePeriodStart…) nor an Azure cost export's (SubscriptionId, CostInBillingCurrency or PreTaxCost…); "+
			"name the format with --format", file)
	default:
		if f, ok := formats[kind]; ok {
			return f, nil
		}
		return nil, fmt.Errorf("%s is an Azure cost export, which reckon ingest does not read yet", file)
	}
}

// firstDataFile returns the first CUR manifest under dir, else its first
// .csv or .csv.gz file, in walk order.
func firstDataFile(dir string) (string, error) {
	var manifest, data string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		name := strings.ToLower(d.Name())
		switch {
		case manifest == "" && strings.HasSuffix(d.Name(), "-Manifest.json"):
			manifest = p
			return fs.SkipAll
		case data == "" && (strings.HasSuffix(name, ".csv") || strings.HasSuffix(name, ".csv.gz")):
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
