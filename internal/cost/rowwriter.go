package cost

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"time"
)

// The formats a query answer streams in, row by row.
const (
	FormatCSV   = "csv"   // a header, then one line per row
	FormatJSONL = "jsonl" // JSON Lines: one object per row, keyed by column name
)

// RowWriter writes an answer with the columns row by row, for exports of
// any size: CSV with a header first, or JSON Lines. Measures are exact
// decimals with at least CostDecimals places, as in the JSON answer; Date
// is YYYY-MM-DD.
type RowWriter struct {
	format  string
	names   []string
	hasDate bool
	res     *Result
	csv     *csv.Writer
	w       io.Writer
	started bool
}

// NewRowWriter returns a writer of rows in the format to w.
func NewRowWriter(w io.Writer, format string, columns []Column) *RowWriter {
	res := &Result{Columns: columns}
	rw := &RowWriter{format: format, res: res, hasDate: res.HasDate(), w: w}
	for _, c := range columns {
		rw.names = append(rw.names, c.Name)
	}
	if format == FormatCSV {
		rw.csv = csv.NewWriter(w)
	}
	return rw
}

// Header writes the CSV header (JSON Lines has none); Write writes it
// before the first row if it was not yet written.
func (rw *RowWriter) Header() error {
	if rw.started || rw.csv == nil {
		return nil
	}
	rw.started = true
	return rw.csv.Write(rw.names)
}

// Write writes one row.
func (rw *RowWriter) Write(row *ResultRow) error {
	if err := rw.Header(); err != nil {
		return err
	}
	if rw.csv != nil {
		cells := make([]string, 0, len(rw.names))
		for _, v := range row.Values() {
			cells = append(cells, string(v.Append(nil, CostDecimals)))
		}
		cells = append(cells, row.Currency)
		if rw.hasDate {
			cells = append(cells, row.Date.Format(time.DateOnly))
		}
		cells = append(cells, row.Groups...)
		return rw.csv.Write(cells)
	}
	values, err := rw.res.Cells(row)
	if err != nil {
		return err
	}
	obj := make([]byte, 0, 64*len(rw.names))
	obj = append(obj, '{')
	for i, v := range values {
		if i > 0 {
			obj = append(obj, ',')
		}
		key, _ := json.Marshal(rw.names[i])
		obj = append(append(append(obj, key...), ':'), v...)
	}
	obj = append(obj, '}', '\n')
	_, err = rw.w.Write(obj)
	return err
}

// Flush writes what the CSV writer buffers.
func (rw *RowWriter) Flush() error {
	if rw.csv == nil {
		return nil
	}
	rw.csv.Flush()
	return rw.csv.Error()
}
