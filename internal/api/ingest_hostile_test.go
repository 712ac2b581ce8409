package api

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// entry is one entry of a hand-made tar stream.
type entry struct {
	name, link string
	kind       byte
	data       string
}

func tarStream(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		hdr := &tar.Header{Typeflag: e.kind, Name: e.name, Linkname: e.link, Mode: 0o644, Size: int64(len(e.data))}
		if e.kind != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if e.kind == tar.TypeReg {
			if _, err := tw.Write([]byte(e.data)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// chunked hides a body's length, so that it is sent as a stream.
type chunked struct{ io.Reader }

func TestAnUploadPastTheLimitIsRefusedWhole(t *testing.T) {
	data, _ := curFile(t, 11, "111111111111")
	limit := int64(len(data))
	h, tmp := uploadHarness(t, limit)
	bucket := t.TempDir()
	must(t, os.WriteFile(filepath.Join(bucket, "a.csv"), data, 0o644))
	must(t, os.WriteFile(filepath.Join(bucket, "b.csv"), data, 0o644))
	over := append(append([]byte{}, data...), '\n')
	for _, c := range []struct {
		name        string
		query, kind string
		body        io.Reader
	}{
		{"a file whose length says so, before it is read", "name=big.csv", "text/csv", bytes.NewReader(over)},
		{"a file sent as a stream, once the limit is passed", "name=big.csv", "text/csv", chunked{bytes.NewReader(over)}},
		{"a folder's tar stream", "name=bucket", "application/x-tar", chunked{bytes.NewReader(tarOf(t, bucket))}},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, e := h.upload(h.admin, c.query, c.kind, c.body)
			want := "the upload is larger than this server's limit of " + bytesText(limit)
			if status != http.StatusRequestEntityTooLarge || e.Error.Code != eTooLarge || !strings.HasPrefix(e.Error.Message, want) ||
				!strings.Contains(e.Error.Message, "nothing was loaded") {
				t.Errorf("%d %+v, want 413 %q", status, e, want)
			}
			if got := storeTotal(t, h.store); !got.IsZero() {
				t.Errorf("the store holds %s", got)
			}
			emptyDir(t, tmp)
		})
	}
	t.Run("a file of exactly the limit loads", func(t *testing.T) {
		if status, reports, e := h.upload(h.admin, "name=exact.csv", "text/csv", chunked{bytes.NewReader(data)}); status != 200 || len(reports) != 1 {
			t.Errorf("%d %+v %+v", status, reports, e)
		}
		if got, want := storeTotal(t, h.store), curTotal(t, data); got.Cmp(want) != 0 {
			t.Errorf("the store holds %s, want %s", got, want)
		}
		emptyDir(t, tmp)
	})
}

func TestAHostileFolderIsRefusedAndNothingIsWritten(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	good, _ := curFile(t, 2, "111111111111")
	for _, c := range []struct {
		name    string
		entries []entry
		want    string
	}{
		{"an entry leading out with ..", []entry{{name: "../evil.csv", kind: tar.TypeReg, data: string(good)}}, `the tar entry "../evil.csv" has a segment that is a . or .. segment`},
		{"an entry leading out deeper", []entry{{name: "cur/../../../evil.csv", kind: tar.TypeReg, data: string(good)}}, "a . or .. segment"},
		{"an absolute entry", []entry{{name: "/tmp/evil.csv", kind: tar.TypeReg, data: string(good)}}, "has an absolute path"},
		{"a symbolic link", []entry{{name: "cur.csv", kind: tar.TypeSymlink, link: "/etc/passwd"}}, `the tar entry "cur.csv" is a symbolic link`},
		{"a symbolic link then a file through it", []entry{{name: "d", kind: tar.TypeSymlink, link: ".."}, {name: "d/evil.csv", kind: tar.TypeReg, data: string(good)}}, "is a symbolic link"},
		{"a hard link", []entry{{name: "a.csv", kind: tar.TypeReg, data: string(good)}, {name: "b.csv", kind: tar.TypeLink, link: "a.csv"}}, "is a hard link"},
		{"a device", []entry{{name: "null", kind: tar.TypeChar}}, "is a device"},
		{"a named pipe", []entry{{name: "p", kind: tar.TypeFifo}}, "is a named pipe"},
		{"a file twice", []entry{{name: "a.csv", kind: tar.TypeReg, data: string(good)}, {name: "./a.csv", kind: tar.TypeReg, data: string(good)}}, "each file may appear once"},
		{"a file where a folder is", []entry{{name: "a", kind: tar.TypeDir}, {name: "a", kind: tar.TypeReg, data: "x"}}, "clashes with another entry"},
		{"a folder where a file is", []entry{{name: "a", kind: tar.TypeReg, data: "x"}, {name: "a/b.csv", kind: tar.TypeReg, data: "x"}}, "clashes with another entry"},
		{"an empty segment", []entry{{name: "a//b.csv", kind: tar.TypeReg, data: "x"}}, "a segment that is empty"},
		{"a control character", []entry{{name: "a\x1b[2J.csv", kind: tar.TypeReg, data: "x"}}, "holding a control character"},
		{"no file at all", []entry{{name: "a/", kind: tar.TypeDir}}, "holds no file"},
		{"too deep", []entry{{name: strings.Repeat("d/", maxUploadDepth) + "x.csv", kind: tar.TypeReg, data: "x"}}, "folders deep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, e := h.upload(h.admin, "name=bucket", "application/x-tar", bytes.NewReader(tarStream(t, c.entries...)))
			if status != 400 || e.Error.Code != cost.EInvalid || !strings.Contains(e.Error.Message, c.want) {
				t.Errorf("%d %+v, want 400 with %q", status, e, c.want)
			}
			emptyDir(t, tmp)
			if _, err := os.Stat(filepath.Join(filepath.Dir(tmp), "evil.csv")); err == nil {
				t.Error("an entry was written outside the upload's folder")
			}
		})
	}
	t.Run("a sparse file, whose holes would be written out whole", func(t *testing.T) {
		status, _, e := h.upload(h.admin, "name=bucket", "application/x-tar", bytes.NewReader(sparseTar(1<<40)))
		if status != 400 || !strings.Contains(e.Error.Message, `the tar entry "s.csv" is a sparse file`) {
			t.Errorf("%d %+v", status, e)
		}
		emptyDir(t, tmp)
	})
	t.Run("a stream that is not tar", func(t *testing.T) {
		status, _, e := h.upload(h.admin, "name=bucket", "application/x-tar", strings.NewReader(strings.Repeat("not a tar stream ", 100)))
		if status != 400 || !strings.Contains(e.Error.Message, "not a valid tar stream") {
			t.Errorf("%d %+v", status, e)
		}
	})
	t.Run("a stream cut short", func(t *testing.T) {
		stream := tarStream(t, entry{name: "a.csv", kind: tar.TypeReg, data: string(good)})
		status, _, e := h.upload(h.admin, "name=bucket", "application/x-tar", bytes.NewReader(stream[:len(stream)/2]))
		if status != 400 || !strings.Contains(e.Error.Message, "did not arrive whole") {
			t.Errorf("%d %+v", status, e)
		}
	})
	for _, c := range []struct{ query, want string }{
		{"", "name the uploaded file with ?name="},
		{"name=..", "a . or .. segment"},
		{"name=a/b.csv", "more than one path segment"},
		{"name=" + strings.Repeat("x", 300), "longer than 255 bytes"},
		{"name=a.csv&group=aws/billing/111111111111", "is not a management group"},
		{"name=a.csv&replace=maybe", `replace="maybe": give true or false`},
	} {
		status, _, e := h.upload(h.admin, c.query, "text/csv", bytes.NewReader(good))
		if status != 400 || !strings.Contains(e.Error.Message, c.want) {
			t.Errorf("?%.40s: %d %+v, want 400 with %q", c.query, status, e, c.want)
		}
	}
	if got := storeTotal(t, h.store); !got.IsZero() {
		t.Errorf("the store holds %s", got)
	}
	emptyDir(t, tmp)
}

// TestUploadsBeyondTheLimitInFlightAreAskedToComeBack: each upload in
// progress holds up to the size limit on disk, so a server takes
// maxUploads at once and answers the next 503 with Retry-After.
func TestUploadsBeyondTheLimitInFlightAreAskedToComeBack(t *testing.T) {
	h, tmp := uploadHarness(t, 0)
	var writers []*io.PipeWriter
	done := make(chan int, maxUploads)
	for range maxUploads {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		go func() {
			req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/ingest?name=slow.csv", pr)
			req.Header.Set("Authorization", "Bearer "+h.admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
		// The write returns once the server reads the body: the upload
		// holds its slot.
		if _, err := pw.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	// A write returns once the client's transport has the byte, which may
	// be before the server took the slot: wait for the uploads' folders.
	for deadline := time.Now().Add(10 * time.Second); ; {
		entries, _ := os.ReadDir(tmp)
		if len(entries) >= maxUploads {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d upload folders in %s, want %d", len(entries), tmp, maxUploads)
		}
		time.Sleep(time.Millisecond)
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/ingest?name=one-more.csv", strings.NewReader("x"))
	req.Header.Set("Authorization", "Bearer "+h.admin)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("one upload too many: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, pw := range writers {
		pw.Close()
	}
	for range maxUploads {
		if status := <-done; status != 400 { // "x" is no CUR
			t.Errorf("a slow upload: %d, want 400", status)
		}
	}
	emptyDir(t, tmp)
}

// sparseTar is a tar stream of 2 KiB holding a PAX sparse file of size
// bytes, all hole: archive/tar reads it back as size zero bytes. Go's
// writer does not write sparse files, so the extended header is made by
// hand: a regular entry whose type becomes 'x'.
func sparseTar(size int64) []byte {
	record := func(k, v string) string {
		s := " " + k + "=" + v + "\n"
		for n := len(s); ; {
			if l := len(strconv.Itoa(n)) + len(s); l != n {
				n = l
				continue
			}
			return strconv.Itoa(n) + s
		}
	}
	real := strconv.FormatInt(size, 10)
	pax := record("GNU.sparse.major", "1") + record("GNU.sparse.minor", "0") + record("GNU.sparse.name", "s.csv") + record("GNU.sparse.realsize", real)
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "pax", Size: int64(len(pax)), Format: tar.FormatUSTAR}) //nolint:errcheck // a buffer
	tw.Write([]byte(pax))                                                                                           //nolint:errcheck
	sparseMap := make([]byte, 512)
	copy(sparseMap, "1\n"+real+"\n0\n")                                                                                   // one data region, empty, at the end
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "GNUSparseFile.0/s.csv", Size: 512, Format: tar.FormatUSTAR}) //nolint:errcheck
	tw.Write(sparseMap)                                                                                                   //nolint:errcheck
	tw.Close()                                                                                                            //nolint:errcheck
	out := b.Bytes()
	hdr := out[:512]
	hdr[156] = tar.TypeXHeader
	copy(hdr[148:156], "        ")
	sum := 0
	for _, c := range hdr {
		sum += int(c)
	}
	copy(hdr[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return out
}

// TestUntarCountsWhatItWrites: what a tar stream writes is bounded by the
// limit, whatever its entries claim.
func TestUntarCountsWhatItWrites(t *testing.T) {
	stream := tarStream(t, entry{name: "a.csv", kind: tar.TypeReg, data: "0123456789"}, entry{name: "b.csv", kind: tar.TypeReg, data: "0123456789"})
	if err := untar(bytes.NewReader(stream), filepath.Join(t.TempDir(), "u"), 20); err != nil {
		t.Errorf("20 bytes within 20: %v", err)
	}
	err := untar(bytes.NewReader(stream), filepath.Join(t.TempDir(), "u"), 19)
	if mb, ok := errors.AsType[*http.MaxBytesError](err); !ok || mb.Limit != 19 {
		t.Errorf("20 bytes within 19: %v, want past the limit of 19", err)
	}
}

// TestARefusalDoesNotWaitForTheBody: a client that sends "Expect:
// 100-continue" (reckon ingest --server does) is refused before it sends
// a byte of the body, and told the connection closes.
func TestARefusalDoesNotWaitForTheBody(t *testing.T) {
	h, tmp := uploadHarness(t, 1<<20)
	for _, c := range []struct {
		name   string
		length int
		status int
	}{{"without the rights", 10, 403}, {"past the limit", 2 << 20, 413}} {
		token := h.admin
		if c.status == 403 {
			token = h.userWith("reader"+c.name[:3], "Reader", "mg/root")
		}
		sent := &countingBody{r: bytes.NewReader(make([]byte, c.length))}
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/ingest?name=x.csv", sent)
		req.ContentLength = int64(c.length)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Expect", "100-continue")
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != c.status || !resp.Close || sent.n != 0 {
			t.Errorf("%s: %d, connection closing %v, %d bytes of the body sent; want %d, closing, none sent", c.name, resp.StatusCode, resp.Close, sent.n, c.status)
		}
	}
	emptyDir(t, tmp)
}

// countingBody counts what the client read of a request body.
type countingBody struct {
	r io.Reader
	n int
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func FuzzEntryPath(f *testing.F) {
	for _, s := range []string{"a.csv", "./a/b.csv", "a/", "../x", "/etc/passwd", "a/../../b", "a//b", ".", "./", "././a", "a\\..\\b", "a\x00b", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		rel, err := entryPath(name)
		if err != nil {
			if _, ok := errors.AsType[*cost.Error](err); !ok {
				t.Fatalf("%q: an error without a code: %v", name, err)
			}
			return
		}
		if rel == "" {
			return
		}
		if !filepath.IsLocal(rel) || filepath.Clean(rel) != rel {
			t.Fatalf("%q goes to %q, which is not a clean path inside the folder", name, rel)
		}
		for _, seg := range strings.Split(filepath.ToSlash(rel), "/") {
			if segmentProblem(seg) != "" {
				t.Fatalf("%q goes to %q, with the segment %q", name, rel, seg)
			}
		}
	})
}

// FuzzUntar writes any stream as an upload: it never panics, answers a
// coded error for what it refuses, and leaves nothing outside the folder
// and no link inside it.
func FuzzUntar(f *testing.F) {
	f.Add(tarStream(f, entry{name: "cur/a.csv", kind: tar.TypeReg, data: "x,y\n"}, entry{name: "cur/", kind: tar.TypeDir}))
	f.Add(tarStream(f, entry{name: "../evil", kind: tar.TypeReg, data: "x"}))
	f.Add(tarStream(f, entry{name: "l", kind: tar.TypeSymlink, link: "/"}, entry{name: "l/x", kind: tar.TypeReg, data: "x"}))
	f.Add(tarStream(f, entry{name: "a", kind: tar.TypeReg, data: "1"}, entry{name: "a/b", kind: tar.TypeReg, data: "2"}))
	f.Add(sparseTar(1 << 30))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		root := filepath.Join(parent, "upload")
		err := untar(bytes.NewReader(data), root, 1<<20)
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			err = nil // answered 413
		}
		if err != nil {
			if _, ok := errors.AsType[*cost.Error](err); !ok {
				t.Fatalf("an error without a code: %v", err)
			}
		}
		entries, _ := os.ReadDir(parent)
		if len(entries) != 1 || entries[0].Name() != "upload" {
			t.Fatalf("the parent holds %v", entries)
		}
		must(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type()&fs.ModeSymlink != 0 {
				t.Errorf("%s is a link", path)
			}
			return err
		}))
	})
}

// The limits' text is the flag's.
func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{1 << 30: "1GiB", 512 << 20: "512MiB", 1000: "1000B", 3 << 40: "3TiB", 1536: "1536B"} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %s, want %s", n, got, want)
		}
	}
}
