package cursource_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/pgzip"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/csvscan"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/synth"
)

// hostileBucket is a loaded bucket b1 beside another, b2, whose files a
// hostile manifest of b1 tries to reach.
type hostileBucket struct {
	root, b1, b2 string
	manifest     string // b1's current manifest of 2026-08
	dataKey      string // its data file's key in b1
	b2File       string // b2's data file
	billed       string // what b1 loaded
}

func newHostileBucket(t *testing.T) *hostileBucket {
	t.Helper()
	h := &hostileBucket{root: t.TempDir()}
	h.b1, h.b2 = filepath.Join(h.root, "b1"), filepath.Join(h.root, "b2")
	want, err := synth.WriteBucket(h.b1, synth.Options{Seed: 61, RowsPerMonth: 200})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.WriteBucket(h.b2, synth.Options{Seed: 62, RowsPerMonth: 300}); err != nil {
		t.Fatal(err)
	}
	h.billed = want.BilledCost
	h.manifest = filepath.Join(h.b1, "reckon-cur", "20260801-20260901", "reckon-cur-Manifest.json")
	h.dataKey = reportKeys(t, h.manifest)[0]
	h.b2File = filepath.Join(h.b2, filepath.FromSlash(reportKeys(t, filepath.Join(h.b2, "reckon-cur", "20260801-20260901", "reckon-cur-Manifest.json"))[0]))
	return h
}

func reportKeys(t *testing.T, manifest string) []string {
	t.Helper()
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := awscur.ParseManifest(data, manifest)
	if err != nil {
		t.Fatal(err)
	}
	return m.Keys()
}

// point makes b1's manifest a new version whose one file is key.
func (h *hostileBucket) point(t *testing.T, version, key string) {
	t.Helper()
	restate(t, h.manifest, func(m map[string]any) {
		m["assemblyId"], m["reportKeys"] = version, []string{key}
	})
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestManifestKeysCannotLeadOutOfTheFolder reproduces the probe: a key with
// ".." opened /etc/passwd and loaded another folder's rows, and symbolic
// links inside the bucket were followed out of it. Each is now refused with
// a message naming the manifest and the key, and the store keeps b1.
func TestManifestKeysCannotLeadOutOfTheFolder(t *testing.T) {
	h := newHostileBucket(t)
	s := openStore(t)
	load(t, s, h.b1)
	period := filepath.Dir(h.manifest)
	b2Rel, err := filepath.Rel(h.b1, h.b2File)
	if err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join("..", "..", b2Rel), filepath.Join(period, "relative-link.csv.gz"))
	symlink(t, "/etc/passwd", filepath.Join(period, "absolute-link.csv.gz"))
	symlink(t, filepath.Join(h.b2, "reckon-cur"), filepath.Join(h.b1, "linked-dir"))
	b2Key, _ := filepath.Rel(h.b2, h.b2File)

	tests := []struct{ name, key, want string }{
		{"a key climbing to /etc/passwd", "../../../../../../../../etc/passwd", `".." segment`},
		{"a key climbing into another folder", "../../../b2/" + filepath.ToSlash(b2Key), `".." segment`},
		{"a key climbing after a real folder", "reckon-cur/../../b2/" + filepath.ToSlash(b2Key), `".." segment`},
		{"a symbolic link to another folder", "reckon-cur/20260801-20260901/relative-link.csv.gz", "no symbolic link out of it"},
		{"an absolute symbolic link", "reckon-cur/20260801-20260901/absolute-link.csv.gz", "no symbolic link out of it"},
		{"a key through a linked folder", "linked-dir/" + strings.TrimPrefix(filepath.ToSlash(b2Key), "reckon-cur/"), "no symbolic link out of it"},
	}
	for i, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			h.point(t, "hostile-"+string(rune('a'+i)), tt.key)
			_, err := loader(s).IngestPath(context.Background(), h.b1)
			var pe *awscur.ParseError
			if !errors.As(err, &pe) || pe.File != h.manifest || pe.Column != "reportKeys" ||
				!strings.Contains(pe.Problem, tt.key) || !strings.Contains(pe.Problem, tt.want) {
				t.Fatalf("error = %v, want a ParseError naming the manifest, the key %q and %q", err, tt.key, tt.want)
			}
			wantBilled(t, s, h.billed)
		})
	}

	t.Run("a manifest that is a symbolic link out of the folder is refused", func(t *testing.T) {
		h.point(t, "v-ok", h.dataKey)
		other := filepath.Join(h.b1, "reckon-cur", "20260901-20261001")
		if err := os.MkdirAll(other, 0o755); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(other, "reckon-cur-Manifest.json")
		symlink(t, filepath.Join(h.b2, "reckon-cur", "20260801-20260901", "reckon-cur-Manifest.json"), link)
		defer os.Remove(link)
		_, err := loader(s).IngestPath(context.Background(), h.b1)
		if err == nil || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), "no symbolic link out of it") {
			t.Fatalf("error = %v, want one naming the manifest link", err)
		}
		wantBilled(t, s, h.billed)
	})

	t.Run("a symbolic link that stays inside the folder loads", func(t *testing.T) {
		symlink(t, filepath.Base(filepath.Dir(filepath.FromSlash(h.dataKey)))+"/"+filepath.Base(h.dataKey), filepath.Join(period, "inside-link.csv.gz"))
		h.point(t, "v-inside-link", "reckon-cur/20260801-20260901/inside-link.csv.gz")
		reports := load(t, s, h.b1)
		if len(reports) != 1 || reports[0].Skipped {
			t.Fatalf("reports = %+v", reports)
		}
		wantBilled(t, s, h.billed)
	})
}

// fakeS3 serves manifests with whatever keys a test gives them.
type fakeS3 struct{ manifests []awsapi.Manifest }

func (f *fakeS3) ReportLocation(context.Context) (string, string, error) {
	return "billing", "cur/reckon-cur/", nil
}

func (f *fakeS3) Manifests(context.Context, string, string) ([]awsapi.Manifest, error) {
	return f.manifests, nil
}

func (f *fakeS3) Download(context.Context, string, string, io.Writer, func() error) (int64, error) {
	return 0, errors.New("nothing to download")
}

// TestRemoteKeysStayInTheReportsBucketAndFolder: a manifest in S3 may name
// only files under the report's folder of the report's bucket.
func TestRemoteKeysStayInTheReportsBucketAndFolder(t *testing.T) {
	const period = `"billingPeriod":{"start":"20260801T000000.000Z","end":"20260901T000000.000Z"}`
	tests := []struct{ name, manifest, want string }{
		{"a key climbing out of the folder", `{"assemblyId":"a",` + period + `,"reportKeys":["cur/reckon-cur/../../other/x.csv.gz"]}`, `".." segment`},
		{"a key with a dot segment", `{"assemblyId":"a",` + period + `,"reportKeys":["cur/reckon-cur/./x.csv.gz"]}`, `"." segment`},
		{"a key in another folder of the bucket", `{"assemblyId":"a",` + period + `,"reportKeys":["other/reckon-cur/x.csv.gz"]}`, "outside the report's folder s3://billing/cur/reckon-cur/"},
		{"a key that is the folder itself", `{"assemblyId":"a",` + period + `,"reportKeys":["cur/reckon-cur/"]}`, "ends in a slash"},
		{"a key with an empty segment", `{"assemblyId":"a",` + period + `,"reportKeys":["cur/reckon-cur//x.csv.gz"]}`, "empty segment"},
		{"a data file in another bucket", `{"executionId":"e",` + period + `,"dataFiles":["s3://someone-else/cur/reckon-cur/data/x.csv.gz"]}`, `in bucket "someone-else", not the report's "billing"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			key := "cur/reckon-cur/20260801-20260901/reckon-cur-Manifest.json"
			remote := cursource.Remote(&fakeS3{manifests: []awsapi.Manifest{{Key: key, Data: []byte(tt.manifest)}}})
			_, err := remote.Deliveries(context.Background())
			var pe *awscur.ParseError
			if !errors.As(err, &pe) || pe.File != "s3://billing/"+key || !strings.Contains(pe.Problem, tt.want) {
				t.Fatalf("error = %v, want a ParseError naming the manifest and %q", err, tt.want)
			}
		})
	}
	t.Run("keys under the folder are the delivery's files", func(t *testing.T) {
		remote := cursource.Remote(&fakeS3{manifests: []awsapi.Manifest{{Key: "cur/reckon-cur/20260801-20260901/reckon-cur-Manifest.json",
			Data: []byte(`{"executionId":"e",` + period + `,"dataFiles":["s3://billing/cur/reckon-cur/data/BILLING_PERIOD=2026-08/x-00001.csv.gz"]}`)}}})
		ds, err := remote.Deliveries(context.Background())
		if err != nil || len(ds) != 1 || ds[0].Files[0] != "s3://billing/cur/reckon-cur/data/BILLING_PERIOD=2026-08/x-00001.csv.gz" {
			t.Fatalf("deliveries %+v, %v", ds, err)
		}
	})
}

// writeGzip writes the gzip of text to path.
func writeGzip(t *testing.T, path string, text []byte) {
	t.Helper()
	var b bytes.Buffer
	zw := pgzip.NewWriter(&b)
	if _, err := zw.Write(text); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

const hostileHead = "bill/PayerAccountId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/UnblendedCost,lineItem/LineItemDescription\n"

// hostileRow is a row of b1's payer in its 2026-08 bill.
func hostileRow(start, end, cost, description string) string {
	return "012345678901,2026-08-01T00:00:00Z,2026-09-01T00:00:00Z,Usage," + start + "," + end + "," + cost + "," + description + "\n"
}

// TestBadFilesLeaveTheStoreAsItWas loads a damaged delivery over a good
// one: the load fails with the file, line and column, and the store keeps
// the good one.
func TestBadFilesLeaveTheStoreAsItWas(t *testing.T) {
	h := newHostileBucket(t)
	s := openStore(t)
	load(t, s, h.b1)
	period := filepath.Dir(h.manifest)
	good := hostileRow("2026-08-02T00:00:00Z", "2026-08-02T01:00:00Z", "1", "fine")
	tests := []struct {
		name, text string
		line       int
		column     string
		want       string
	}{
		{"invalid UTF-8 in a description", hostileHead + good + hostileRow("2026-08-02T00:00:00Z", "2026-08-02T01:00:00Z", "1", "caf\xff\xfe"),
			3, "lineItem/LineItemDescription", "invalid UTF-8: byte 0xff"},
		{"a usage that ends before it starts", hostileHead + good + hostileRow("2026-08-03T00:00:00Z", "2026-08-02T00:00:00Z", "1", "x"),
			3, "lineItem/UsageEndDate", "ends (2026-08-02T00:00:00Z) before it starts"},
		{"a line without end", hostileHead + good + strings.Repeat("A", csvscan.MaxRecordBytes+1), 3, "", "longer than 4194304 bytes"},
		{"a cell over the field limit", hostileHead + good + hostileRow("2026-08-02T00:00:00Z", "2026-08-02T01:00:00Z", "1", strings.Repeat("d", csvscan.MaxFieldBytes+1)),
			3, "lineItem/LineItemDescription", "over the limit of 1048576"},
		{"a file inflating past its bound", hostileHead + strings.Repeat(good, 48<<20/len(good)), 0, "", "inflates to more than"},
	}
	for i, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			name := "bad-" + string(rune('a'+i)) + ".csv.gz"
			file := filepath.Join(period, name)
			writeGzip(t, file, []byte(tt.text))
			h.point(t, "bad-"+string(rune('a'+i)), "reckon-cur/20260801-20260901/"+name)
			_, err := loader(s).IngestPath(context.Background(), h.b1)
			var pe *awscur.ParseError
			if !errors.As(err, &pe) || pe.File != file || (tt.line > 0 && pe.Line != tt.line) || pe.Column != tt.column || !strings.Contains(pe.Problem, tt.want) {
				t.Fatalf("error = %v, want a ParseError naming %s, line %d, column %q and %q", err, file, tt.line, tt.column, tt.want)
			}
			wantBilled(t, s, h.billed)
		})
	}
}

// TestRowsChargedOutsideTheirBillingPeriodLoadWithAWarning: usage dated
// December in an August bill, and usage from 1970 to 9999, load as the file
// states them, counted and named; a row an hour past the period does not.
func TestRowsChargedOutsideTheirBillingPeriodLoadWithAWarning(t *testing.T) {
	h := newHostileBucket(t)
	s := openStore(t)
	file := filepath.Join(filepath.Dir(h.manifest), "dates.csv.gz")
	writeGzip(t, file, []byte(hostileHead+
		hostileRow("2026-08-02T00:00:00Z", "2026-08-02T01:00:00Z", "1", "inside")+
		hostileRow("2026-08-31T23:00:00Z", "2026-09-01T01:00:00Z", "1", "an hour past the end")+
		hostileRow("2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z", "1", "december")+
		hostileRow("2026-08-03T00:00:00Z", "2026-08-03T01:00:00Z", "1", "inside")+
		hostileRow("1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "1", "forever")))
	h.point(t, "dates", "reckon-cur/20260801-20260901/dates.csv.gz")
	reports := load(t, s, h.b1)
	if len(reports) != 1 || reports[0].Rows != 5 || reports[0].OutsidePeriod != 2 {
		t.Fatalf("reports = %+v, want 5 rows, 2 of them outside the period", reports)
	}
	want := file + ": line 4: 2 rows are charged outside the billing period 2026-08-01..2026-08-31 by more than a day, the first from 2026-12-01T00:00:00Z to 2026-12-01T01:00:00Z"
	if !strings.Contains(strings.Join(reports[0].Warnings, "\n"), want) {
		t.Errorf("warnings %q, want %q", reports[0].Warnings, want)
	}
	wantBilled(t, s, "5")
}

// TestASingleFileKeepsItsLimits: a file named on its own is read with the
// same bounds.
func TestASingleFileKeepsItsLimits(t *testing.T) {
	file := filepath.Join(t.TempDir(), "big.csv.gz")
	good := hostileRow("2026-08-02T00:00:00Z", "2026-08-02T01:00:00Z", "1", "fine")
	writeGzip(t, file, []byte(hostileHead+strings.Repeat(good, 48<<20/len(good))))
	_, err := loader(openStore(t)).IngestPath(context.Background(), file)
	if err == nil || !strings.Contains(err.Error(), "inflates to more than") || !strings.Contains(err.Error(), file) {
		t.Fatalf("error = %v, want the inflation bound naming the file", err)
	}
}
