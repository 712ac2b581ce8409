package cost

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// resultJSON is the Azure Cost Management Query response shape, with the
// link to the next page when there is one.
type resultJSON struct {
	Columns  []Column            `json:"columns"`
	Rows     [][]json.RawMessage `json:"rows"`
	NextLink string              `json:"nextLink,omitempty"`
}

// MarshalJSON writes the Azure Cost Management Query response shape: each
// measure a JSON number with every decimal place, Date "YYYY-MM-DD", the
// rest strings.
//
// A measure is a JSON number with at least CostDecimals decimal places,
// more when it has them (up to 18), as the README promises: the API and
// the CLI print the same digits.
func (r *Result) MarshalJSON() ([]byte, error) {
	out := resultJSON{Columns: r.Columns, Rows: make([][]json.RawMessage, len(r.Rows)), NextLink: r.NextLink}
	hasDate := r.HasDate()
	for i := range r.Rows {
		cells, err := r.Rows[i].appendCells(nil, hasDate)
		if err != nil {
			return nil, err
		}
		out.Rows[i] = cells
	}
	return json.Marshal(out)
}

// appendCells appends the row's cells as JSON values.
func (row *ResultRow) appendCells(cells []json.RawMessage, hasDate bool) ([]json.RawMessage, error) {
	cells = append(cells, row.Cost.Append(nil, CostDecimals))
	for _, m := range row.More {
		cells = append(cells, m.Append(nil, CostDecimals))
	}
	currency, _ := json.Marshal(row.Currency)
	cells = append(cells, currency)
	if hasDate {
		cells = append(cells, json.RawMessage(`"`+row.Date.Format(time.DateOnly)+`"`))
	}
	for _, g := range row.Groups {
		b, err := json.Marshal(g)
		if err != nil {
			return nil, err
		}
		cells = append(cells, b)
	}
	return cells, nil
}

// Cells returns one row's cells as JSON values, the way MarshalJSON
// writes them in "rows": for answers streamed row by row.
func (r *Result) Cells(row *ResultRow) ([]json.RawMessage, error) {
	return row.appendCells(make([]json.RawMessage, 0, len(r.Columns)), r.HasDate())
}

// UnmarshalJSON reads what MarshalJSON writes, with measures as exact
// decimals and Date as a time.
func (r *Result) UnmarshalJSON(data []byte) error {
	var in resultJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	r.Columns, r.Rows, r.NextLink = in.Columns, make([]ResultRow, len(in.Rows)), in.NextLink
	measures := r.Measures()
	if len(in.Rows) > 0 && (measures == 0 || len(in.Columns) <= measures || in.Columns[measures].Name != "Currency") {
		return fmt.Errorf("the columns %v do not start with measures and Currency", in.Columns)
	}
	hasDate := r.HasDate()
	for i, cells := range in.Rows {
		if len(cells) != len(in.Columns) {
			return fmt.Errorf("row %d has %d cells for %d columns", i, len(cells), len(in.Columns))
		}
		row, err := readRow(cells, measures, hasDate)
		if err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		r.Rows[i] = row
	}
	return nil
}

// readRow reads one row's cells: measures, Currency, Date if hasDate, groups.
func readRow(cells []json.RawMessage, measures int, hasDate bool) (ResultRow, error) {
	var row ResultRow
	values := make([]decimal.Decimal, measures)
	for i := range values {
		v, err := decimal.ParseBytes(cells[i])
		if err != nil {
			return row, fmt.Errorf("measure %d: %w", i+1, err)
		}
		values[i] = v
	}
	row.Cost, row.More = values[0], values[1:]
	if len(row.More) == 0 {
		row.More = nil
	}
	if err := json.Unmarshal(cells[measures], &row.Currency); err != nil {
		return row, fmt.Errorf("currency: %w", err)
	}
	groups := measures + 1
	if hasDate {
		var s string
		if err := json.Unmarshal(cells[groups], &s); err != nil {
			return row, fmt.Errorf("date: %w", err)
		}
		var err error
		if row.Date, err = time.Parse(time.DateOnly, s); err != nil {
			return row, fmt.Errorf("date: %w", err)
		}
		groups++
	}
	row.Groups = make([]string, len(cells)-groups)
	for j := range row.Groups {
		if err := json.Unmarshal(cells[groups+j], &row.Groups[j]); err != nil {
			return row, err
		}
	}
	return row, nil
}
