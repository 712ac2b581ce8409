package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// export streams every row of q on the scope as CSV or JSON Lines: no page
// and no row limit, each row written as the store returns it. Measures are
// exact decimals with at least cost.CostDecimals places, as in the JSON
// answer.
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
	res := &cost.Result{Columns: q.Columns()}
	contentType := "text/csv; charset=utf-8"
	if format == "jsonl" {
		contentType = "application/x-ndjson"
	}
	return streamBody{contentType: contentType, write: func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		row := rowWriter(format, bw, res)
		if format == "csv" {
			if err := row(nil); err != nil {
				return err
			}
		}
		if !view.Empty {
			if err := s.costs.Each(c.ctx(), view.Restrict(&whole), row); err != nil {
				return err
			}
		}
		return bw.Flush()
	}}, nil
}

// rowWriter returns a function that writes one row in the format; for CSV
// a nil row is the header.
func rowWriter(format string, w io.Writer, res *cost.Result) func(*cost.ResultRow) error {
	names := make([]string, len(res.Columns))
	for i, col := range res.Columns {
		names[i] = col.Name
	}
	hasDate := res.HasDate()
	if format == "csv" {
		cw := csv.NewWriter(w)
		return func(row *cost.ResultRow) error {
			if row == nil {
				return cw.Write(names)
			}
			cells := make([]string, 0, len(names))
			for _, v := range row.Values() {
				cells = append(cells, string(v.Append(nil, cost.CostDecimals)))
			}
			cells = append(cells, row.Currency)
			if hasDate {
				cells = append(cells, row.Date.Format(time.DateOnly))
			}
			cells = append(cells, row.Groups...)
			if err := cw.Write(cells); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		}
	}
	return func(row *cost.ResultRow) error {
		values, err := res.Cells(row)
		if err != nil {
			return err
		}
		obj := make([]byte, 0, 64*len(names))
		obj = append(obj, '{')
		for i, v := range values {
			if i > 0 {
				obj = append(obj, ',')
			}
			key, _ := json.Marshal(names[i])
			obj = append(append(append(obj, key...), ':'), v...)
		}
		obj = append(obj, '}', '\n')
		_, err = w.Write(obj)
		return err
	}
}
