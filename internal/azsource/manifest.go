package azsource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/azexport"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// The datasets an export holds (exportConfig.type).
const (
	ActualCost    = "ActualCost"
	AmortizedCost = "AmortizedCost"
	FocusCost     = "FocusCost"
)

// maxManifest bounds a manifest.json: Azure's list a few hundred blobs.
const maxManifest = 4 << 20

// Manifest is the manifest.json Cost Management writes beside the
// partitioned files of one export run.
type Manifest struct {
	ExportName string // exportConfig.exportName
	Dataset    string // exportConfig.type: ActualCost, AmortizedCost or FocusCost
	// Scope is the ARM scope the export belongs to, lower-cased, without
	// the leading slash: "subscriptions/<guid>",
	// "providers/microsoft.billing/billingaccounts/<id>".
	Scope string
	// BillingAccount is the billing account a billing account scope (or a
	// scope below one) names, as written; "" for other scopes.
	BillingAccount string
	RunID          string
	Submitted      time.Time     // runInfo.submittedTime; zero if absent
	Period         ingest.Period // the calendar month of runInfo.startDate
	Rows           int64         // dataRowCount; -1 when absent
	Blobs          []ManifestBlob
}

// ManifestBlob is one data file of a run.
type ManifestBlob struct {
	Name  string // the blob's name in its container
	Bytes int64  // byteCount; -1 when absent
	Rows  int64  // dataRowCount; -1 when absent
}

type manifestJSON struct {
	DataRowCount *int64 `json:"dataRowCount"`
	ExportConfig struct {
		ExportName string `json:"exportName"`
		ResourceID string `json:"resourceId"`
		Type       string `json:"type"`
	} `json:"exportConfig"`
	DeliveryConfig struct {
		FileFormat string `json:"fileFormat"`
	} `json:"deliveryConfig"`
	RunInfo struct {
		RunID         string `json:"runId"`
		SubmittedTime string `json:"submittedTime"`
		StartDate     string `json:"startDate"`
		EndDate       string `json:"endDate"`
	} `json:"runInfo"`
	Blobs []struct {
		BlobName     string `json:"blobName"`
		ByteCount    *int64 `json:"byteCount"`
		DataRowCount *int64 `json:"dataRowCount"`
	} `json:"blobs"`
}

// ParseManifest reads a manifest.json; name labels errors. It refuses what
// Reckon cannot load whole: another file format, a run that is not one
// calendar month, a blob name that is not a clean relative path. A
// manifest of another dataset (a price sheet, reservation details) is
// returned with only ExportName and Dataset: see IsCost.
func ParseManifest(data []byte, name string) (*Manifest, error) {
	bad := func(column, format string, args ...any) error {
		return &azexport.ParseError{File: name, Column: column, Problem: fmt.Sprintf(format, args...)}
	}
	if len(data) > maxManifest {
		return nil, bad("", "the manifest is %d bytes, more than the %d Reckon reads", len(data), maxManifest)
	}
	var j manifestJSON
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	if err := dec.Decode(&j); err != nil {
		return nil, bad("", "not a Cost Management export manifest: %v", err)
	}
	m := &Manifest{ExportName: j.ExportConfig.ExportName, Dataset: j.ExportConfig.Type, RunID: j.RunInfo.RunID, Rows: count(j.DataRowCount)}
	switch strings.ToLower(m.Dataset) {
	case "actualcost", "usage":
		m.Dataset = ActualCost
	case "amortizedcost":
		m.Dataset = AmortizedCost
	case "focuscost":
		m.Dataset = FocusCost
	case "":
		return nil, bad("exportConfig.type", "the manifest names no dataset")
	default:
		return m, nil // another dataset (PriceSheet, ReservationDetails...): IsCost is false
	}
	if f := j.DeliveryConfig.FileFormat; f != "" && !strings.EqualFold(f, "Csv") {
		return nil, bad("deliveryConfig.fileFormat", "the files are %s; Reckon reads CSV exports (gzip-compressed or not): set the export's format to CSV", f)
	}
	if m.ExportName == "" {
		return nil, bad("exportConfig.exportName", "the export has no name")
	}
	scope, ok := exportScope(j.ExportConfig.ResourceID)
	if !ok {
		return nil, bad("exportConfig.resourceId", "%q is not an export's resource ID (<scope>/providers/Microsoft.CostManagement/exports/<name>)", j.ExportConfig.ResourceID)
	}
	m.Scope = scope
	m.BillingAccount = billingAccount(strings.Trim(strings.TrimSpace(j.ExportConfig.ResourceID), "/"))
	if m.RunID == "" || len(m.RunID) > 200 {
		return nil, bad("runInfo.runId", "the run has no ID (or one longer than 200 characters)")
	}
	var err error
	if m.Period, err = runPeriod(j.RunInfo.StartDate, j.RunInfo.EndDate); err != nil {
		return nil, bad("runInfo.startDate", "%v", err)
	}
	if s := j.RunInfo.SubmittedTime; s != "" {
		if m.Submitted, err = parseTime(s); err != nil {
			return nil, bad("runInfo.submittedTime", "%q is not a time", s)
		}
	}
	if len(j.Blobs) == 0 {
		return nil, bad("blobs", "the run lists no blobs")
	}
	for i, b := range j.Blobs {
		if err := cleanBlobName(b.BlobName); err != nil {
			return nil, bad(fmt.Sprintf("blobs[%d].blobName", i), "%v", err)
		}
		m.Blobs = append(m.Blobs, ManifestBlob{Name: b.BlobName, Bytes: count(b.ByteCount), Rows: count(b.DataRowCount)})
	}
	return m, nil
}

func count(p *int64) int64 {
	if p == nil || *p < 0 {
		return -1
	}
	return *p
}

// IsCost reports whether the manifest is of a cost dataset Reckon loads:
// ActualCost, AmortizedCost or FocusCost.
func (m *Manifest) IsCost() bool {
	return m.Dataset == ActualCost || m.Dataset == AmortizedCost || m.Dataset == FocusCost
}

// exportScope returns the scope of an export's resource ID, lower-cased
// (ARM IDs are case-insensitive) and without the leading slash.
func exportScope(id string) (string, bool) {
	const marker = "/providers/microsoft.costmanagement/exports/"
	lower := strings.ToLower(strings.TrimSpace(id))
	i := strings.LastIndex(lower, marker)
	if i <= 0 || strings.Contains(lower[i+len(marker):], "/") || len(lower) > 1000 {
		return "", false
	}
	scope := strings.Trim(lower[:i], "/")
	for _, seg := range strings.Split(scope, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	return scope, scope != ""
}

// runPeriod is the calendar month a run covers. Reckon replaces whole
// billing periods, so a run over parts of two months is refused.
func runPeriod(startText, endText string) (ingest.Period, error) {
	start, err := parseTime(startText)
	if err != nil {
		return ingest.Period{}, fmt.Errorf("%q is not a date", startText)
	}
	month := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	p := ingest.Period{Start: month, End: month.AddDate(0, 1, 0)}
	if endText != "" {
		end, err := parseTime(endText)
		if err != nil {
			return ingest.Period{}, fmt.Errorf("runInfo.endDate %q is not a date", endText)
		}
		if end.Before(start) || !end.Before(p.End) {
			return ingest.Period{}, fmt.Errorf("the run covers %s to %s, not one calendar month; Reckon replaces whole months: "+
				"export month to date, the last month, or a custom range within one month", start.Format(time.DateOnly), end.Format(time.DateOnly))
		}
	}
	return p, nil
}

// parseTime reads the times manifests write: 2024-01-01T00:00:00,
// 2024-02-03T18:33:03.1032074Z, with or without a zone; UTC when none.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Year() < 2000 || t.Year() > 9999 {
				break
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// cleanBlobName refuses a blob name that is not a clean relative path
// ("." or ".." segments, "//", a leading or trailing "/"): Azure writes
// none, and some HTTP layer or file system might resolve one elsewhere.
func cleanBlobName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("the blob has no name")
	case len(name) > 1024:
		return fmt.Errorf("the blob name is longer than Azure's 1,024 characters")
	case strings.ContainsAny(name, "\\\x00"):
		return fmt.Errorf("blob name %q has a backslash or NUL: refused (Azure writes none)", name)
	case path.Clean(name) != name, strings.HasPrefix(name, "/"), strings.HasPrefix(name, "../"), name == "..", name == ".":
		return fmt.Errorf("blob name %q is not a clean relative path: refused (Azure writes none)", name)
	}
	return nil
}
