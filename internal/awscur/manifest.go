package awscur

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/isotime"
)

// Manifest is a CUR report manifest: which files make up one billing
// period's current version. It covers the CUR 1.0 shape (reportKeys) and the
// Data Exports shape of CUR 2.0 (dataFiles, executionId).
type Manifest struct {
	AssemblyID             string           `json:"assemblyId"`
	Account                string           `json:"account"`
	Columns                []ManifestColumn `json:"columns"`
	Charset                string           `json:"charset"`
	Compression            string           `json:"compression"`
	ContentType            string           `json:"contentType"`
	ReportID               string           `json:"reportId"`
	ReportName             string           `json:"reportName"`
	Bucket                 string           `json:"bucket"`
	ReportKeys             []string         `json:"reportKeys"`
	AdditionalArtifactKeys []Artifact       `json:"additionalArtifactKeys"`

	// CUR 2.0 (Data Exports) fields.
	ExecutionID string   `json:"executionId"`
	ExportName  string   `json:"exportName"`
	DataFiles   []string `json:"dataFiles"`

	// BillingPeriod is [Start, End), parsed from either shape.
	BillingPeriod Period `json:"-"`

	// Checksum is the SHA-256 of the manifest as read, hex.
	Checksum string `json:"-"`
}

// ManifestColumn is one column in the manifest; Type is often absent.
type ManifestColumn struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Type     string `json:"type,omitempty"`
}

// Artifact is an additional artifact (Redshift or QuickSight files).
type Artifact struct {
	ArtifactType string `json:"artifactType"`
	Name         string `json:"name"`
}

// UnmarshalJSON reads an artifact as AWS writes it, an object, and also as
// a bare key string: Reckon never uses artifacts, so their shape must not
// make a manifest unreadable.
func (a *Artifact) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		*a = Artifact{}
		return json.Unmarshal(data, &a.Name)
	}
	type plain Artifact // without this method
	return json.Unmarshal(data, (*plain)(a))
}

// Period is a billing period, start inclusive and end exclusive, in UTC.
type Period struct {
	Start, End time.Time
}

// String formats the period as AWS names its folders: 20231101-20231201.
func (p Period) String() string {
	return p.Start.Format("20060102") + "-" + p.End.Format("20060102")
}

// ParseManifest reads a manifest. The name labels errors.
func ParseManifest(data []byte, name string) (*Manifest, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var raw struct {
		Manifest
		BillingPeriod *struct {
			Start string `json:"start"`
			End   string `json:"end"`
		} `json:"billingPeriod"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &ParseError{File: name, Problem: "not a CUR manifest: " + err.Error()}
	}
	m := raw.Manifest
	sum := sha256.Sum256(data)
	m.Checksum = hex.EncodeToString(sum[:])
	if raw.BillingPeriod == nil {
		return nil, &ParseError{File: name, Column: "billingPeriod", Problem: "the manifest has no billingPeriod"}
	}
	var err error
	if m.BillingPeriod.Start, err = isotime.Parse([]byte(strings.TrimSpace(raw.BillingPeriod.Start))); err != nil {
		return nil, &ParseError{File: name, Column: "billingPeriod.start", Problem: fmt.Sprintf("%q is %v", raw.BillingPeriod.Start, err)}
	}
	if m.BillingPeriod.End, err = isotime.Parse([]byte(strings.TrimSpace(raw.BillingPeriod.End))); err != nil {
		return nil, &ParseError{File: name, Column: "billingPeriod.end", Problem: fmt.Sprintf("%q is %v", raw.BillingPeriod.End, err)}
	}
	if !m.BillingPeriod.Start.Before(m.BillingPeriod.End) {
		return nil, &ParseError{File: name, Column: "billingPeriod", Problem: "the billing period ends before it starts"}
	}
	return &m, nil
}

// Keys returns the data files of the version: reportKeys, or for CUR 2.0 the
// dataFiles with any s3://bucket/ prefix removed.
func (m *Manifest) Keys() []string {
	objects := m.Objects()
	keys := make([]string, len(objects))
	for i, o := range objects {
		keys[i] = o.Key
	}
	return keys
}

// Object is a data file a manifest names.
type Object struct {
	// Bucket is the bucket a CUR 2.0 dataFiles URL names; "" for
	// reportKeys, which are keys in the report's own bucket.
	Bucket string
	Key    string
}

// Objects returns the data files of the version with the bucket each names,
// so that a caller can refuse one outside the report's bucket.
func (m *Manifest) Objects() []Object {
	out := make([]Object, 0, max(len(m.ReportKeys), len(m.DataFiles)))
	if len(m.ReportKeys) > 0 {
		for _, k := range m.ReportKeys {
			out = append(out, Object{Key: k})
		}
		return out
	}
	for _, f := range m.DataFiles {
		o := Object{Key: f}
		if rest, ok := strings.CutPrefix(f, "s3://"); ok {
			if bucket, key, ok := strings.Cut(rest, "/"); ok {
				o = Object{Bucket: bucket, Key: key}
			}
		}
		out = append(out, o)
	}
	return out
}

// Name is the report's name (CUR 1.0) or the export's (CUR 2.0).
func (m *Manifest) Name() string {
	if m.ReportName != "" {
		return m.ReportName
	}
	return m.ExportName
}

// Version identifies the delivery: the assembly ID, or the CUR 2.0 execution
// ID. In OVERWRITE_REPORT mode, where files are replaced in place, callers
// use the checksum of the manifest instead (see Checksum).
func (m *Manifest) Version() string {
	if m.AssemblyID != "" {
		return m.AssemblyID
	}
	if m.ExecutionID != "" {
		return m.ExecutionID
	}
	return "sha256:" + m.Checksum
}
