package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestIngestUploadsToARunningServer drives reckon ingest --server against
// reckon serve, each its own process: a CUR bucket goes as a tar stream
// and a gzip file as is, the reports print as a local ingest prints them,
// and the totals are the generator's; a bad file, an upload past the
// limit and a caller without the rights are refused as the server words
// it, and change nothing.
func TestIngestUploadsToARunningServer(t *testing.T) {
	data, bucket := t.TempDir(), t.TempDir()
	want, err := synth.WriteBucket(bucket, synth.Options{Seed: 23, Months: 2, RowsPerMonth: 300})
	if err != nil {
		t.Fatal(err)
	}
	base, admin, stopServe := startServe(t, data, nil, "--max-upload", "2MiB")
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			stopServe()
		}
	}
	defer stop()
	api := &apiCaller{base: base, token: admin}

	out, err := reckonAs(t, base, admin, "ingest", bucket)
	if err != nil {
		t.Fatalf("ingest --server: %v\n%s", err, out)
	}
	for month, sum := range want.ByPeriod {
		line := fmt.Sprintf("%s  aws-cur/012345678901/reckon-cur  loaded %d rows  billed %s USD  version ", month, sum.Rows, decimal.MustParse(sum.BilledCost).Fixed(2))
		if !strings.Contains(out, line) {
			t.Errorf("the output lacks %q:\n%s", line, out)
		}
	}
	total := func() decimal.Decimal {
		t.Helper()
		got, err := api.rootTotal()
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := total(); got.Cmp(decimal.MustParse(want.BilledCost)) != 0 {
		t.Errorf("mg/root after the upload: %s, want %s", got, want.BilledCost)
	}
	if out, err := reckonAs(t, base, admin, "ingest", bucket); err != nil || strings.Count(out, "unchanged: version") != 2 {
		t.Errorf("the same folder again: %v\n%s", err, out)
	}
	if out, err := reckonAs(t, base, admin, "ingest", "../../internal/awscur/testdata/koku/test_cur.csv.gz"); err != nil ||
		!strings.Contains(out, "2018-06  aws-cur/6838635603105  loaded 19 rows  billed 0.08 USD") || !strings.Contains(out, "are neither 12-digit AWS account numbers") {
		t.Errorf("a gzip file: %v\n%s", err, out)
	}
	before := total()

	refused := func(what, token, wantOut string, args ...string) {
		t.Helper()
		out, err := reckonAs(t, base, token, append([]string{"ingest"}, args...)...)
		if err == nil || !strings.Contains(out, wantOut) {
			t.Errorf("%s: %v, want a failure saying %q:\n%s", what, err, wantOut, out)
		}
		if got := total(); got.Cmp(before) != 0 {
			t.Errorf("%s: mg/root holds %s, want %s as before", what, got, before)
		}
	}
	refused("a bad file", admin, "reckon: bad.csv: line 3, column lineItem/UnblendedCost: ", "--replace", badCUR(t, bucket))
	big := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	refused("a file past the limit", admin, "reckon: the upload is larger than this server's limit of 2MiB (reckon serve --max-upload): nothing was loaded", big)
	refused("a folder past the limit", admin, "reckon: the upload is larger than this server's limit of 2MiB", filepath.Dir(big))
	linked := t.TempDir()
	if err := os.Symlink(big, filepath.Join(linked, "link.csv")); err != nil {
		t.Fatal(err)
	}
	refused("a folder with a link", admin, "link.csv is a symbolic link: an upload holds only files and folders", linked)
	api.must(t, "POST", "/api/v1/users", map[string]string{"name": "rita"})
	api.must(t, "POST", "/api/v1/roleAssignments", map[string]string{"user": "rita", "role": "Reader", "scope": "mg/root"})
	var tok struct{ Token string }
	if err := api.call("POST", "/api/v1/users/rita/tokens", nil, &tok); err != nil {
		t.Fatal(err)
	}
	refused("a Reader", tok.Token, "reckon: rita may not load costs into mg/root", bucket)

	// A folder whose second month another report of the payer holds: its
	// first month loads, and prints before the server's refusal.
	later := t.TempDir()
	laterWant, err := synth.WriteBucket(later, synth.Options{Seed: 29, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Months: 2, RowsPerMonth: 200, ReportName: "later"})
	if err != nil {
		t.Fatal(err)
	}
	var november bytes.Buffer
	if _, err := synth.WriteCSV(&november, synth.Options{Seed: 30, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), RowsPerMonth: 100}); err != nil {
		t.Fatal(err)
	}
	novemberFile := filepath.Join(t.TempDir(), "november.csv")
	if err := os.WriteFile(novemberFile, november.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := reckonAs(t, base, admin, "ingest", novemberFile); err != nil {
		t.Fatalf("november.csv: %v\n%s", err, out)
	}
	out, err = reckonAs(t, base, admin, "ingest", later)
	october := fmt.Sprintf("2026-10  aws-cur/012345678901/later  loaded %d rows  billed %s USD", laterWant.ByPeriod["2026-10"].Rows,
		decimal.MustParse(laterWant.ByPeriod["2026-10"].BilledCost).Fixed(2))
	refusal := "reckon: billing period 2026-11 of billing account 012345678901 is already loaded from aws-cur/012345678901 "
	if err == nil || !strings.Contains(out, october) || !strings.Contains(out, refusal) || strings.Index(out, october) > strings.Index(out, refusal) {
		t.Errorf("a folder refused after its first month: %v, want %q then %q:\n%s", err, october, refusal, out)
	}

	// The server holds the store: a local load points at the upload.
	if code, _, stderr := cli(t, "ingest", "--data", data, bucket); code != 1 || !strings.Contains(stderr, "upload the files to it instead: reckon ingest --server URL "+bucket) {
		t.Errorf("ingest --data while the server runs: exit %d, %q", code, stderr)
	}

	stop()
	entries, _ := os.ReadDir(filepath.Join(data, "tmp"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "upload-") {
			t.Errorf("%s is left in the data folder's tmp/", e.Name())
		}
	}
}

// badCUR writes a copy of the bucket's first data file, uncompressed, with
// a cost that is not a number on its third line.
func badCUR(t *testing.T, bucket string) string {
	t.Helper()
	var records [][]string
	err := filepath.WalkDir(bucket, func(path string, _ os.DirEntry, err error) error {
		if err != nil || records != nil || !strings.HasSuffix(path, ".csv.gz") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		records, err = csv.NewReader(gz).ReadAll()
		return err
	})
	if err != nil || records == nil {
		t.Fatalf("no data file in the bucket: %v", err)
	}
	for i, name := range records[0] {
		if name == "lineItem/UnblendedCost" {
			records[2][i] = "1e5x"
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIngestRefusesLocalAndRemoteFlagsMixed(t *testing.T) {
	t.Setenv("RECKON_TOKEN", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "x.csv"}, "give --data DIR (load into the store on this machine) or --server URL (upload to a running server)"},
		{[]string{"ingest", "--data", "d", "--server", "http://127.0.0.1:1", "x.csv"}, "not both"},
		{[]string{"ingest", "--server", "http://127.0.0.1:1", "--owner", "bob", "x.csv"}, "--owner is for --data"},
		{[]string{"ingest", "--server", "http://127.0.0.1:1", "x.csv"}, "set RECKON_TOKEN to your API token"},
	} {
		code, _, stderr := cli(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 saying %q", c.args, code, stderr, c.want)
		}
	}
}

func TestServeRefusesAnUploadLimitThatIsNoSize(t *testing.T) {
	for _, size := range []string{"0", "-1MiB", "lots", "1 furlong"} {
		code, _, stderr := cli(t, "serve", "--data", t.TempDir(), "--max-upload", size)
		if code != 2 || !strings.Contains(stderr, "--max-upload \""+size+"\": give a size above 0, such as 512MiB or 2GiB") {
			t.Errorf("--max-upload %s: exit %d, %q", size, code, stderr)
		}
	}
}
