package api

import (
	"bufio"
	"io"

	"github.com/reckon-finops/reckon/internal/cost"
)

// export streams every row of q on the scope as CSV or JSON Lines
// (cost.RowWriter): no page and no row limit, each row written as the
// store returns it.
func (s *Server) export(c *call, scope cost.ScopeID, q *cost.Query, format string) (any, error) {
	view, err := s.costView(c, scope) // refuses a caller without Reader before a byte is sent
	if err != nil {
		return nil, err
	}
	whole := *q
	whole.Whole, whole.Limit, whole.Skip = true, 0, 0
	if err := whole.Validate(); err != nil {
		return nil, err
	}
	contentType := "text/csv; charset=utf-8"
	if format == cost.FormatJSONL {
		contentType = "application/x-ndjson"
	}
	return streamBody{contentType: contentType, write: func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		rw := cost.NewRowWriter(bw, format, q.Columns())
		if err := rw.Header(); err != nil {
			return err
		}
		if !view.Empty {
			if err := s.costs.Each(c.ctx(), view.Restrict(&whole), rw.Write); err != nil {
				return err
			}
		}
		if err := rw.Flush(); err != nil {
			return err
		}
		return bw.Flush()
	}}, nil
}
