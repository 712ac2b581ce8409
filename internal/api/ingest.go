package api

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Ingester loads the files of an upload: cmd/reckon's is an ingest.Loader
// over the store, with the format that reads the path and a
// cost.Registrar.
type Ingester interface {
	// Ingest loads path, the file or folder an upload was written to, as
	// ingest.Loader.IngestPath does, and returns a report per billing
	// period. An error about the files (what a reader refuses, a folder
	// without the layout of an export) is a *cost.Error with the code
	// Invalid; any other error is the server's.
	Ingest(ctx context.Context, path string, u Upload) ([]ingest.Report, error)
}

// Upload is what the caller of an upload asked for. An Ingester loads
// through the store Store returns, which applies the caller's rights and
// records the upload.
type Upload struct {
	User  string       // the caller: new billing and linked accounts become theirs
	Group cost.ScopeID // where new linked accounts go
	// Report, Replace and AllowEmpty are ingest.Loader's.
	Report              string
	Replace, AllowEmpty bool

	name  string       // what was uploaded, for the audit log
	time  time.Time    // when, for the audit log
	check cost.Catalog // set when the loads only read and check (checkStore)
}

// checking is the upload as a check: its loads read every row and check
// the caller's rights against catalog, and store nothing.
func (u Upload) checking(catalog cost.Catalog) Upload {
	u.check = catalog
	return u
}

// DefaultMaxUpload bounds an upload when Options.MaxUpload is zero.
const DefaultMaxUpload = 1 << 30

// maxUploads is how many uploads may be written and loaded at once: each
// holds up to the size limit on disk, and the store loads one at a time
// anyway.
const maxUploads = 4

// uploadTimeout is how long an upload's body may take to arrive and its
// load to answer.
const uploadTimeout = time.Hour

// IngestReport is what one upload did for one billing period, as `reckon
// ingest` prints it.
type IngestReport struct {
	Source        string      `json:"source"`
	PeriodStart   time.Time   `json:"periodStart"`
	PeriodEnd     time.Time   `json:"periodEnd"`
	Version       string      `json:"version"`
	Skipped       bool        `json:"skipped"` // the version was already loaded
	Rows          int64       `json:"rows"`
	BilledCost    json.Number `json:"billedCost"` // exact
	Currency      string      `json:"currency"`
	Files         []string    `json:"files"` // as uploaded
	Bytes         int64       `json:"bytes"`
	DurationMs    int64       `json:"durationMs"`
	Replaced      []string    `json:"replaced,omitempty"`
	Warnings      []string    `json:"warnings,omitempty"`
	OutsidePeriod int64       `json:"outsidePeriod,omitempty"`
}

// ingestAnswer is the answer to an upload.
type ingestAnswer struct {
	Value []IngestReport `json:"value"`
}

// ingest loads the files of the request's body into the store with the
// caller's rights: one file (?name=) or a folder as a tar stream
// (Content-Type: application/x-tar). The body goes to a fresh folder under
// the data folder's tmp/, never into memory, and is refused past the size
// limit; the folder is removed whatever happens.
func (s *Server) ingest(c *call) (any, error) {
	if s.opts.Ingester == nil || s.opts.TempDir == "" {
		return nil, cost.Errorf(cost.EConflict, "this server does not take uploads")
	}
	up, name, folder, err := s.uploadRequest(c)
	if err != nil {
		return nil, err
	}
	// Refused before a byte of the body is read: no rights, too large.
	if err := s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		return cost.AuthorizeLoad(ctx, r, c.user, up.Group, nil)
	}); err != nil {
		return nil, err
	}
	if n := c.r.ContentLength; n > s.maxUpload() {
		return nil, s.tooLarge()
	}
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	default:
		c.w.Header().Set("Retry-After", "60")
		return nil, cost.Errorf(cost.EUnavailable, "%d uploads are being loaded: try again when one has finished", maxUploads)
	}
	rc := http.NewResponseController(c.w)
	rc.SetReadDeadline(time.Now().Add(uploadTimeout))  //nolint:errcheck // not every ResponseWriter has deadlines
	rc.SetWriteDeadline(time.Now().Add(uploadTimeout)) //nolint:errcheck
	dir, err := ingest.NewUploadDir(s.opts.TempDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := ingest.RemoveUploadDir(dir); err != nil {
			s.log.Error("remove upload folder", "err", err)
		}
	}()
	path := filepath.Join(dir, name)
	if err := s.receive(c, path, folder); err != nil {
		return nil, scrub(err, dir)
	}
	if folder {
		// A folder holds a load per billing period: the periods are read
		// and the caller's rights checked first, so that a bad file or a
		// scope of another's refuses the upload before any period loads.
		if _, err := s.opts.Ingester.Ingest(c.ctx(), path, up.checking(s.catalog)); err != nil {
			return nil, scrub(err, dir)
		}
	}
	reports, err := s.load(c, path, up)
	out := ingestAnswer{Value: []IngestReport{}}
	for _, r := range reports {
		out.Value = append(out.Value, reportView(r, dir))
	}
	if err != nil && len(reports) > 0 {
		return nil, &loadedBefore{err: scrub(err, dir), reports: out.Value}
	}
	if err != nil {
		return nil, scrub(err, dir)
	}
	return out, nil
}

// receive writes the body to path: a file, or the folder of a tar stream.
func (s *Server) receive(c *call, path string, folder bool) error {
	var err error
	if folder {
		err = untar(c.r.Body, path, s.maxUpload())
	} else {
		err = writeFile(c.r.Body, path)
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return s.tooLarge()
	}
	return err
}

// loadedBefore is an upload's error after some of its billing periods
// were done: the error answer lists their reports, as reckon ingest prints
// the periods it loaded before an error.
type loadedBefore struct {
	err     error
	reports []IngestReport
}

func (e *loadedBefore) Error() string { return e.err.Error() }
func (e *loadedBefore) Unwrap() error { return e.err }

// uploadRequest reads the upload's parameters: ?name= (the file's name,
// required for a file), ?group= (mg/root by default), ?report=, ?replace
// and ?allowEmpty.
func (s *Server) uploadRequest(c *call) (Upload, string, bool, error) {
	q := c.r.URL.Query()
	up := Upload{User: c.user, Group: cost.RootGroup, Report: q.Get("report"), time: s.clock.Now()}
	ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	folder := ct == "application/x-tar"
	name, err := uploadName(q.Get("name"), folder)
	if err != nil {
		return up, "", false, err
	}
	if g := q.Get("group"); g != "" {
		id, err := cost.ParseScopeID(g)
		if err != nil || id.Kind() != cost.KindManagementGroup {
			return up, "", false, cost.Errorf(cost.EInvalid, "group %s is not a management group: name one as mg/<id>, e.g. mg/root", cost.Quote(g))
		}
		up.Group = id
	}
	for key, v := range map[string]*bool{"replace": &up.Replace, "allowEmpty": &up.AllowEmpty} {
		if text := q.Get(key); text != "" {
			b, err := strconv.ParseBool(text)
			if err != nil {
				return up, "", false, cost.Errorf(cost.EInvalid, "%s=%s: give true or false", key, cost.Quote(text))
			}
			*v = b
		}
	}
	up.name = name
	return up, name, folder, nil
}

func (s *Server) maxUpload() int64 {
	if s.opts.MaxUpload > 0 {
		return s.opts.MaxUpload
	}
	return DefaultMaxUpload
}

// tooLarge is the answer to an upload past the limit.
func (s *Server) tooLarge() error {
	return cost.Errorf(eTooLarge, "the upload is larger than this server's limit of %s (reckon serve --max-upload): nothing was loaded; "+
		"upload the billing periods one at a time, or ask the administrator to raise the limit", bytesText(s.maxUpload()))
}

// load runs the Ingester, again when someone changed the catalog while a
// period loaded (that period was not committed; those committed are
// skipped the second time, and their reports kept from the first).
func (s *Server) load(c *call, path string, up Upload) ([]ingest.Report, error) {
	var reports []ingest.Report
	for try := 1; ; try++ {
		rs, err := s.opts.Ingester.Ingest(c.ctx(), path, up)
		reports = merge(reports, rs)
		if !errors.Is(err, cost.ErrCatalogChanged) || try == 3 {
			return reports, err
		}
	}
}

// merge adds a later attempt's reports to an earlier one's, leaving out
// the periods the earlier attempt loaded, which the later one skipped.
func merge(earlier, later []ingest.Report) []ingest.Report {
	loaded := map[string]bool{}
	for _, r := range earlier {
		if !r.Skipped {
			loaded[r.Source+" "+r.Period.String()+" "+r.Version] = true
		}
	}
	for _, r := range later {
		if !(r.Skipped && loaded[r.Source+" "+r.Period.String()+" "+r.Version]) {
			earlier = append(earlier, r)
		}
	}
	return earlier
}

// reportView is a report as the API shows it: file names as uploaded.
func reportView(r ingest.Report, dir string) IngestReport {
	v := IngestReport{Source: r.Source, PeriodStart: r.Period.Start, PeriodEnd: r.Period.End, Version: r.Version, Skipped: r.Skipped,
		Rows: r.Rows, BilledCost: json.Number(r.BilledCost.String()), Currency: r.Currency, Files: []string{}, Bytes: r.Bytes,
		DurationMs: r.Duration.Milliseconds(), Replaced: r.Replaced, OutsidePeriod: r.OutsidePeriod}
	for _, f := range r.Files {
		v.Files = append(v.Files, scrubText(f, dir))
	}
	for _, w := range r.Warnings {
		v.Warnings = append(v.Warnings, scrubText(w, dir))
	}
	return v
}

// scrub returns err with the upload's folder left out of its message, so
// that files are named as uploaded; an error without a code stays the
// server's (its message is logged, not shown).
func scrub(err error, dir string) error {
	ce, ok := errors.AsType[*cost.Error](err)
	if !ok {
		return err
	}
	return &cost.Error{Code: ce.Code, Message: scrubText(ce.Message, dir)}
}

func scrubText(text, dir string) string {
	return strings.ReplaceAll(text, dir+string(filepath.Separator), "")
}

// bytesText writes a size as the flag takes it: 1GiB, 512MiB, 1000B.
func bytesText(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.unit
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
