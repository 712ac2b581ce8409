package cursource

import (
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awscur"
)

// keyTree lays out a bucket folder with files, and symbolic links that stay
// in it or lead out of it, beside a folder outside it:
//
//	out/secret.csv.gz
//	bucket/cur/r/20260801-20260901/a/r-1.csv.gz
//	bucket/cur/r/in-link.csv.gz -> 20260801-20260901/a/r-1.csv.gz
//	bucket/cur/r/out-link.csv.gz -> ../../../out/secret.csv.gz
//	bucket/cur/r/abs-link.csv.gz -> <abs>/out/secret.csv.gz
//	bucket/cur/dir-link -> ../../out
func keyTree(t testing.TB) (root, outside string) {
	base := t.TempDir()
	root, outside = filepath.Join(base, "bucket"), filepath.Join(base, "out")
	for _, d := range []string{outside, filepath.Join(root, "cur", "r", "20260801-20260901", "a")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(outside, "secret.csv.gz"), filepath.Join(root, "cur", "r", "20260801-20260901", "a", "r-1.csv.gz")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"cur/r/in-link.csv.gz":  "20260801-20260901/a/r-1.csv.gz",
		"cur/r/out-link.csv.gz": "../../../out/secret.csv.gz",
		"cur/r/abs-link.csv.gz": filepath.Join(outside, "secret.csv.gz"),
		"cur/dir-link":          "../../out",
	}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

// within reports whether p is root or lies under it, lexically.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// FuzzResolveKey: no key a manifest holds resolves to a file outside the
// folder, lexically or through a symbolic link, and no S3 key accepted for
// a remote delivery lies outside the report's bucket and folder.
func FuzzResolveKey(f *testing.F) {
	for _, k := range []string{
		"cur/r/20260801-20260901/a/r-1.csv.gz", "r/20260801-20260901/a/r-1.csv.gz", "/cur/r/in-link.csv.gz",
		"../../../../../../../../etc/passwd", "../out/secret.csv.gz", "cur/../../out/secret.csv.gz",
		"cur/r/out-link.csv.gz", "cur/r/abs-link.csv.gz", "cur/dir-link/secret.csv.gz", "dir-link/secret.csv.gz",
		"cur/r/./20260801-20260901//a/r-1.csv.gz", "cur/r/20260801-20260901/a/r-1.csv.gz/..", "", "/", ".", "..",
		"s3://billing/cur/r/x.csv.gz", "s3://other/cur/r/x.csv.gz", "cur/r/..", "cur/r/.../x", "cur/r\x00/x",
	} {
		f.Add(k)
	}
	root, _ := keyTree(f)
	dir, err := os.OpenRoot(root)
	if err != nil {
		f.Fatal(err)
	}
	defer dir.Close()
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key string) {
		local, _, err := resolveKey(dir, root, key)
		if err == nil {
			if !within(root, local) {
				t.Fatalf("key %q resolved to %s, outside %s", key, local, root)
			}
			real, err := filepath.EvalSymlinks(local)
			if err != nil || !within(realRoot, real) {
				t.Fatalf("key %q resolved to %s, which leads to %s (%v), outside %s", key, local, real, err, realRoot)
			}
			if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() {
				t.Fatalf("key %q resolved to %s, not a regular file (%v)", key, local, err)
			}
		} else if !strings.Contains(err.Error(), strconv.Quote(key)) {
			t.Fatalf("the error %q does not name the key %q", err, key)
		}

		m := awscur.Manifest{DataFiles: []string{key}}
		for _, o := range m.Objects() {
			if checkObject("billing", "cur/r/", o) != nil {
				continue
			}
			if o.Bucket != "" && o.Bucket != "billing" {
				t.Fatalf("accepted %q in bucket %q", o.Key, o.Bucket)
			}
			if clean := path.Clean("/" + o.Key); !strings.HasPrefix(clean, "/cur/r/") {
				t.Fatalf("accepted key %q, which cleans to %s, outside the folder", o.Key, clean)
			}
		}
	})
}
