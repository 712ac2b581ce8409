package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/reckon-finops/reckon/internal/cost"
)

// The checks of a remote's verification, in the order they run.
const (
	CheckFind = "find the exports" // list the storage and read the manifests
	CheckRead = "read a file"      // download one file and read its rows
)

// VerifyRemote checks that a remote report can be collected, without
// loading anything: that its deliveries can be found (listing and reading
// their manifests), and that the newest delivery's first file downloads and
// reads to its end. A failure carries the remote's error code (such as
// cost.EAccessDeniedExport) and its message, which says what to fix.
// Downloads go to a folder under tempDir ("" for the system's), removed
// before it returns.
func VerifyRemote(ctx context.Context, remote Remote, tempDir string) []cost.Check {
	found, err := remote.Deliveries(ctx)
	if err != nil {
		return []cost.Check{failed(CheckFind, err)}
	}
	newest := slices.MaxFunc(found, func(a, b *Delivery) int { return a.Period.Start.Compare(b.Period.Start) })
	checks := []cost.Check{{Name: CheckFind, Status: "ok",
		Message: fmt.Sprintf("%d deliveries found; the newest is %s for %s", len(found), newest.Source, newest.Period.Start.Format("2006-01"))}}
	if len(newest.Files) == 0 {
		return append(checks, cost.Check{Name: CheckRead, Status: "warning",
			Message: fmt.Sprintf("the newest delivery, %s, lists no files: it empties its month", newest.Origin)})
	}
	rows, err := readOne(ctx, remote, newest.Files[0], tempDir)
	if err != nil {
		return append(checks, failed(CheckRead, err))
	}
	return append(checks, cost.Check{Name: CheckRead, Status: "ok", Message: fmt.Sprintf("%s: %d rows read", newest.Files[0], rows)})
}

func failed(name string, err error) cost.Check {
	code := cost.ErrorCode(err)
	if code == cost.EInternal {
		code = ""
	}
	return cost.Check{Name: name, Status: "error", Code: code, Message: cost.ErrorMessage(err)}
}

// readOne downloads key and reads every row of it.
func readOne(ctx context.Context, remote Remote, key, tempDir string) (rows int, err error) {
	tmp, err := newDownloadDir(tempDir)
	if err != nil {
		return 0, err
	}
	defer func() {
		if rerr := doneDownloadDir(tmp); rerr != nil && err == nil {
			err = rerr
		}
	}()
	local := filepath.Join(tmp, "0-"+path.Base(key))
	if err := download(ctx, remote, key, local); err != nil {
		return 0, err
	}
	f, err := os.Open(local)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	r, err := remote.Open(f, key, st.Size())
	if err != nil {
		return 0, err
	}
	defer r.Close()
	for {
		if _, err := r.Next(); errors.Is(err, io.EOF) {
			return rows, nil
		} else if err != nil {
			return rows, err
		}
		rows++
	}
}
