package awsemu

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// s3Operation names an S3 REST request as the API does.
func s3Operation(r *http.Request) string {
	_, key := splitS3Path(r.URL.Path)
	switch {
	case r.Method == http.MethodHead:
		return "HeadObject"
	case key == "" && r.URL.Query().Get("list-type") == "2":
		return "ListObjectsV2"
	case key == "":
		return "ListObjects"
	}
	return "GetObject"
}

// splitS3Path splits a path-style URL path into bucket and key.
func splitS3Path(p string) (bucket, key string) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return bucket, key
}

func (s *Server) serveS3(c *call) {
	name, key := splitS3Path(c.r.URL.Path)
	var bucket *Bucket
	for i := range s.state.Buckets {
		if s.state.Buckets[i].Name == name {
			bucket = &s.state.Buckets[i]
		}
	}
	if bucket == nil {
		s.fail(c, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	switch op := s3Operation(c.r); op {
	case "ListObjectsV2":
		if s.authorize(c, "s3:ListBucket", "arn:aws:s3:::"+bucket.Name) {
			s.listObjectsV2(c, bucket)
		}
	case "GetObject", "HeadObject":
		if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
			s.fail(c, http.StatusMethodNotAllowed, "MethodNotAllowed", "the emulator's buckets are read-only")
			return
		}
		if s.authorize(c, "s3:GetObject", "arn:aws:s3:::"+bucket.Name+"/"+key) {
			s.getObject(c, bucket, key)
		}
	default:
		s.fail(c, http.StatusNotImplemented, "NotImplemented", "the emulator serves ListObjectsV2, GetObject and HeadObject")
	}
}

type s3Object struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

// listResult is ListObjectsV2's answer.
type listResult struct {
	XMLName               xml.Name   `xml:"ListBucketResult"`
	Name                  string     `xml:"Name"`
	Prefix                string     `xml:"Prefix"`
	KeyCount              int        `xml:"KeyCount"`
	MaxKeys               int        `xml:"MaxKeys"`
	IsTruncated           bool       `xml:"IsTruncated"`
	Contents              []s3Object `xml:"Contents"`
	CommonPrefixes        []prefix   `xml:"CommonPrefixes"`
	NextContinuationToken string     `xml:"NextContinuationToken,omitempty"`
	last                  string
}

type prefix struct {
	Prefix string `xml:"Prefix"`
}

// listObjectsV2 lists keys under a prefix, in key order, a page at a time;
// the continuation token is the last key (or common prefix) listed.
func (s *Server) listObjectsV2(c *call, b *Bucket) {
	q := c.r.URL.Query()
	pfx, delimiter := q.Get("prefix"), q.Get("delimiter")
	maxKeys := 1000
	if m := q.Get("max-keys"); m != "" {
		if n, err := strconv.Atoi(m); err == nil && n >= 0 && n < maxKeys {
			maxKeys = n
		}
	}
	after := q.Get("start-after")
	if token := q.Get("continuation-token"); token != "" {
		after = token
	}
	keys, err := bucketKeys(b.Dir)
	if err != nil {
		s.fail(c, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	out := listResult{Name: b.Name, Prefix: pfx, MaxKeys: maxKeys}
	for _, k := range keys {
		if !strings.HasPrefix(k, pfx) || k <= after {
			continue
		}
		if delimiter != "" {
			if i := strings.Index(k[len(pfx):], delimiter); i >= 0 {
				cp := k[:len(pfx)+i+len(delimiter)]
				if cp <= after || (len(out.CommonPrefixes) > 0 && out.CommonPrefixes[len(out.CommonPrefixes)-1].Prefix == cp) {
					continue
				}
				if out.KeyCount == maxKeys {
					out.IsTruncated, out.NextContinuationToken = true, out.last
					break
				}
				out.CommonPrefixes = append(out.CommonPrefixes, prefix{cp})
				// Continue after every key under this prefix.
				out.KeyCount, out.last = out.KeyCount+1, cp+"\xff"
				continue
			}
		}
		if out.KeyCount == maxKeys {
			out.IsTruncated, out.NextContinuationToken = true, out.last
			break
		}
		obj, err := objectInfo(b.Dir, k)
		if err != nil {
			s.fail(c, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		out.Contents = append(out.Contents, obj)
		out.KeyCount, out.last = out.KeyCount+1, k
	}
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.Write([]byte(xml.Header))
	xml.NewEncoder(c.w).Encode(out)
}

// getObject serves GetObject (with a Range) and HeadObject from the file.
func (s *Server) getObject(c *call, b *Bucket, key string) {
	info, err := objectInfo(b.Dir, key)
	if err != nil {
		s.fail(c, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	f, err := os.Open(objectPath(b.Dir, key))
	if err != nil {
		s.fail(c, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	defer f.Close()
	start, end := int64(0), info.Size-1
	status := http.StatusOK
	if rng := c.r.Header.Get("Range"); rng != "" && c.r.Method == http.MethodGet {
		var ok bool
		if start, end, ok = parseRange(rng, info.Size); !ok {
			c.w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", info.Size))
			s.fail(c, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		status = http.StatusPartialContent
		c.w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, info.Size))
	}
	length := end - start + 1
	h := c.w.Header()
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	h.Set("ETag", info.ETag)
	h.Set("Last-Modified", info.modTime().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", "application/octet-stream")
	c.w.WriteHeader(status)
	if c.r.Method == http.MethodHead {
		return
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return
	}
	if c.truncate {
		length /= 2 // the connection closes early: the client sees a short body
	}
	io.CopyN(c.w, f, length)
}

// parseRange reads "bytes=a-b", "bytes=a-" or "bytes=-n".
func parseRange(h string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	var err error
	switch {
	case a == "":
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		start, end = max(size-n, 0), size-1
	default:
		if start, err = strconv.ParseInt(a, 10, 64); err != nil {
			return 0, 0, false
		}
		end = size - 1
		if b != "" {
			if end, err = strconv.ParseInt(b, 10, 64); err != nil {
				return 0, 0, false
			}
			end = min(end, size-1)
		}
	}
	return start, end, start >= 0 && start <= end && start < size
}

// bucketKeys lists the keys of a bucket folder in order.
func bucketKeys(dir string) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			keys = append(keys, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	slices.Sort(keys)
	return keys, nil
}

// objectPath is the file of a key; ".." cannot climb out of the bucket.
func objectPath(dir, key string) string {
	return filepath.Join(dir, filepath.FromSlash(path.Clean("/"+key)))
}

// objectInfo describes one object; its ETag is the MD5 of its content, as
// S3's is for single-part uploads.
func objectInfo(dir, key string) (s3Object, error) {
	p := objectPath(dir, key)
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return s3Object{}, fs.ErrNotExist
	}
	f, err := os.Open(p)
	if err != nil {
		return s3Object{}, err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return s3Object{}, err
	}
	return s3Object{Key: key, LastModified: st.ModTime().UTC().Format(time.RFC3339), ETag: `"` + hex.EncodeToString(h.Sum(nil)) + `"`,
		Size: st.Size(), StorageClass: "STANDARD"}, nil
}

func (o s3Object) modTime() time.Time {
	t, _ := time.Parse(time.RFC3339, o.LastModified)
	return t
}
