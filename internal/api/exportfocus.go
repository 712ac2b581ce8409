package api

import (
	"bufio"
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/focusfile"
)

// FocusRows is the cost-row store as the FOCUS export reads it: every
// stored row of a query's range and view, not sums.
type FocusRows interface {
	// Rows calls fn with every row q's range and view keep, in a stable
	// order; the row is valid until fn returns.
	Rows(ctx context.Context, q *cost.Query, fn func(*cost.Row) error) error
	// ExtraKeys lists the keys of those rows' Extra, sorted.
	ExtraKeys(ctx context.Context, q *cost.Query) ([]string, error)
	// WriteParquet writes those rows to w as one FOCUS Parquet file, of no
	// rows when q is nil; nothing reaches w unless the whole file was
	// written.
	WriteParquet(ctx context.Context, q *cost.Query, w io.Writer) error
}

// The formats of GET /api/v1/export.
const (
	formatFocusCSV     = "focus-csv"
	formatFocusParquet = "focus-parquet"
)

// exportParams are the query parameters GET /api/v1/export reads.
var exportParams = []string{"scope", "from", "to", "format", "filter"}

// exportFocus streams, for a caller with Reader on the scope, every row
// the scope's view covers whose charge period starts in [from, to), as a
// FOCUS 1.2 file (focusfile.Writer): CSV as the rows come, or Parquet once
// DuckDB has written it. The view is overView's, as for a query. An error
// before the first byte is answered as any other; one after it cuts the
// response short (streamBody).
func (s *Server) exportFocus(c *call) (any, error) {
	params := c.r.URL.Query()
	for name, vs := range params {
		if !slices.Contains(exportParams, name) {
			return nil, cost.Errorf(cost.EInvalid, "unknown parameter %s: use %s", cost.Quote(name), strings.Join(exportParams, ", "))
		}
		if len(vs) > 1 {
			return nil, cost.Errorf(cost.EInvalid, "parameter %s is given %d times: give it once", name, len(vs))
		}
	}
	if params.Get("scope") == "" {
		return nil, cost.Errorf(cost.EInvalid, "give ?scope=, the scope whose rows to export, e.g. aws/accounts/123456789012")
	}
	scope, err := cost.ParseScopeID(params.Get("scope"))
	if err != nil {
		return nil, err
	}
	format := params.Get("format")
	if format != formatFocusCSV && format != formatFocusParquet {
		return nil, cost.Errorf(cost.EInvalid, "format %s: give ?format=%s or ?format=%s", cost.Quote(format), formatFocusCSV, formatFocusParquet)
	}
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, Whole: true}
	for _, d := range []struct {
		name string
		at   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := params.Get(d.name); v != "" {
			if *d.at, err = time.Parse(time.DateOnly, v); err != nil {
				return nil, cost.Errorf(cost.EInvalid, "%s %s: write a day as YYYY-MM-DD (to is exclusive)", d.name, cost.Quote(v))
			}
		}
	}
	// The filter language of a query (cost.ParseFilter): the rows under a
	// filtered view are the view's rows, not the scope's.
	if q.Where, err = cost.ParseFilter(params.Get("filter")); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if s.opts.Rows == nil {
		return nil, cost.Errorf(cost.EUnavailable, "this server does not export rows")
	}
	// The view is read, and the caller's right checked, before a byte is
	// sent; the Extra columns name the header.
	var (
		on    *cost.Query
		extra []string
	)
	err = s.overView(c, scope, q, func(v *cost.Query) error {
		on, extra = v, nil
		if v == nil {
			return nil
		}
		var err error
		extra, err = s.opts.Rows.ExtraKeys(c.ctx(), v)
		return err
	})
	if err != nil {
		return nil, err
	}
	name := exportName(scope, params.Get("from"), params.Get("to"))
	if format == formatFocusParquet {
		return streamBody{contentType: "application/vnd.apache.parquet", fileName: name + ".parquet", write: func(w io.Writer) error {
			return s.opts.Rows.WriteParquet(c.ctx(), on, w) // nil: an empty view, a file of no rows
		}}, nil
	}
	return streamBody{contentType: "text/csv; charset=utf-8", fileName: name + ".csv", write: func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		fw, err := focusfile.NewWriter(bw, extra)
		if err != nil {
			return err
		}
		if on != nil {
			if err := s.opts.Rows.Rows(c.ctx(), on, fw.Write); err != nil {
				return err
			}
		}
		if err := fw.Flush(); err != nil {
			return err
		}
		return bw.Flush()
	}}, nil
}

// exportName is the file name an export suggests: the scope and range in
// characters every file system takes.
func exportName(scope cost.ScopeID, from, to string) string {
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, string(scope))
	name := "focus_" + clean
	if from != "" {
		name += "_from-" + from
	}
	if to != "" {
		name += "_to-" + to
	}
	return name
}
