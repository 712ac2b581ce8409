package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// TotalsFile is the name of the expected totals WriteBucket puts at the
// bucket root, outside the report prefix.
const TotalsFile = "expected-totals.json"

// WriteBucket lays the report out under dir (the bucket root) exactly as AWS
// does in S3:
//
//	<prefix>/<report>/<YYYYMMDD>-<YYYYMMDD>/<report>-Manifest.json   current manifest
//	CREATE_NEW_REPORT: <range>/<assemblyId>/<report>-Manifest.json and <report>-<n>.csv.gz
//	OVERWRITE_REPORT:  <range>/<report>-<n>.csv.gz
//
// With CREATE_NEW_REPORT every delivery keeps its own assembly folder and the
// period-level manifest points at the newest; with OVERWRITE_REPORT only the
// newest exists. It also writes dir/expected-totals.json, the totals of the
// newest deliveries, and returns them.
func WriteBucket(dir string, o Options) (*Totals, error) {
	g, err := newGen(o)
	if err != nil {
		return nil, err
	}
	t := g.newTally()
	base := path.Join(strings.Trim(g.o.Prefix, "/"), g.o.ReportName)
	for _, p := range g.periods {
		first := 0
		if g.o.Versioning == OverwriteReport {
			first = g.o.Versions - 1
		}
		var current []byte
		for v := first; v < g.o.Versions; v++ {
			var count *tally
			if v == g.o.Versions-1 {
				count = t
			}
			if current, err = g.writeAssembly(dir, base, g.delivery(p, v), count); err != nil {
				return nil, err
			}
		}
		key := path.Join(base, p.rangeKey, g.o.ReportName+"-Manifest.json")
		if err := writeObject(dir, key, current); err != nil {
			return nil, err
		}
	}
	totals := g.totals(t)
	b, err := json.MarshalIndent(totals, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode totals: %w", err)
	}
	if err := writeObject(dir, TotalsFile, append(b, '\n')); err != nil {
		return nil, err
	}
	return totals, nil
}

// writeAssembly writes the data files of one delivery and, for
// CREATE_NEW_REPORT, its immutable manifest copy; it returns the manifest.
func (g *gen) writeAssembly(dir, base string, dl *delivery, t *tally) ([]byte, error) {
	r := newRand(uint64(g.o.Seed), uint64(dl.p.idx), uint64(dl.v), 3)
	assembly := uuid(r)
	folder := path.Join(base, dl.p.rangeKey)
	if g.o.Versioning == CreateNewReport {
		folder = path.Join(folder, assembly)
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(folder)), 0o755); err != nil {
		return nil, fmt.Errorf("create report folder: %w", err)
	}
	var keys []string
	var files []*os.File
	var zips []*gzip.Writer
	var outs []*csvOut
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for i := range g.o.FilesPerVersion {
		key := path.Join(folder, g.o.ReportName+"-"+strconv.Itoa(i+1)+".csv.gz")
		f, err := os.Create(filepath.Join(dir, filepath.FromSlash(key)))
		if err != nil {
			return nil, fmt.Errorf("create data file: %w", err)
		}
		z := gzip.NewWriter(f)
		out := newCSVOut(z, g.cols)
		out.header()
		keys, files, zips, outs = append(keys, key), append(files, f), append(zips, z), append(outs, out)
	}
	if err := g.writeDelivery(dl, outs, t); err != nil {
		return nil, fmt.Errorf("write %s: %w", folder, err)
	}
	for i, out := range outs {
		err := out.flush()
		if err == nil {
			err = zips[i].Close()
		}
		if err == nil {
			err = files[i].Close()
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", keys[i], err)
		}
	}
	files = nil
	m, err := g.manifest(assembly, dl.p, keys)
	if err != nil {
		return nil, err
	}
	if g.o.Versioning == CreateNewReport {
		if err := writeObject(dir, path.Join(folder, g.o.ReportName+"-Manifest.json"), m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

type manifestColumn struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Type     string `json:"type,omitempty"`
}

type manifestPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type artifact struct {
	ArtifactType string `json:"artifactType"`
	Name         string `json:"name"`
}

// manifest has the field order and shape of real CUR 1.0 manifests.
type manifest struct {
	AssemblyID             string           `json:"assemblyId"`
	Account                string           `json:"account"`
	Columns                []manifestColumn `json:"columns"`
	Charset                string           `json:"charset"`
	Compression            string           `json:"compression"`
	ContentType            string           `json:"contentType"`
	ReportID               string           `json:"reportId"`
	ReportName             string           `json:"reportName"`
	BillingPeriod          manifestPeriod   `json:"billingPeriod"`
	Bucket                 string           `json:"bucket"`
	ReportKeys             []string         `json:"reportKeys"`
	AdditionalArtifactKeys []artifact       `json:"additionalArtifactKeys"`
}

func (g *gen) manifest(assembly string, p *period, keys []string) ([]byte, error) {
	id := sha256.Sum256([]byte(strconv.FormatInt(g.o.Seed, 10) + "/" + g.o.Payer + "/" + g.o.Bucket + "/" + g.o.ReportName))
	m := manifest{
		AssemblyID: assembly, Account: g.o.Payer, Charset: "UTF-8", Compression: "GZIP",
		ContentType: "text/csv", ReportID: hex.EncodeToString(id[:]), ReportName: g.o.ReportName,
		BillingPeriod: manifestPeriod{
			Start: p.start.Format("20060102T150405.000Z"),
			End:   p.end.Format("20060102T150405.000Z"),
		},
		Bucket: g.o.Bucket, ReportKeys: keys, AdditionalArtifactKeys: []artifact{},
	}
	for _, c := range g.cols {
		cat, name, _ := strings.Cut(columns[c].name, "/")
		m.Columns = append(m.Columns, manifestColumn{cat, name, columns[c].typ})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// writeObject writes an object at key (slash-separated) under dir.
func writeObject(dir, key string, b []byte) error {
	p := filepath.Join(dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}
