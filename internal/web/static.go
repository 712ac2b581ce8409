package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	data        []byte
	gzipped     []byte // nil when gzip would not pay
	etag        string
	contentType string
}

// assets are the embedded files by path under static/, and staticPrefix
// the URL prefix that carries a hash of them all: a new build's pages name
// new URLs, so browsers may keep an asset for a year (and modules that
// import each other by relative path stay under the same prefix).
var assets, staticPrefix = loadAssets()

var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".md":   "text/plain; charset=utf-8",
	".json": "application/json",
	"":      "text/plain; charset=utf-8", // LICENSE, NOTICE
}

func loadAssets() (map[string]*asset, string) {
	out := map[string]*asset{}
	var names []string
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		a := &asset{data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, contentType: contentTypes[path.Ext(name)]}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if strings.HasPrefix(a.contentType, "text/") || a.contentType == "image/svg+xml" {
			a.gzipped = gzipOf(data)
		}
		out[name], names = a, append(names, name)
		return nil
	})
	if err != nil {
		panic("web: read the embedded assets: " + err.Error())
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n + "\x00" + out[n].etag + "\x00"))
	}
	return out, "/static/" + hex.EncodeToString(h.Sum(nil)[:6])
}

func gzipOf(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data) //nolint:errcheck // a bytes.Buffer does not fail
	zw.Close()     //nolint:errcheck
	if buf.Len() >= len(data)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// serveStatic serves /static/{version}/{file...}: with this build's
// version for a year, immutable; with another (a page from before an
// upgrade) the current file, revalidated each time.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	secure(w)
	a, ok := assets[r.PathValue("file")]
	if !ok {
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	h := w.Header()
	if "/static/"+r.PathValue("version") == staticPrefix {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", a.etag)
	h.Set("Content-Type", a.contentType)
	h.Set("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.data
	if a.gzipped != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gzipped
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body) //nolint:errcheck // the client went away
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
