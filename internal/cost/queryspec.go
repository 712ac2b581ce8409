package cost

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// Columns returns the columns of the query's answer: Cost, Currency, Date
// when the granularity is not none, then the group-by dimensions.
func (q *Query) Columns() []Column {
	cols := []Column{{Name: "Cost", Type: TypeNumber}, {Name: "Currency", Type: TypeString}}
	if q.Granularity != GranularityNone {
		cols = append(cols, Column{Name: "Date", Type: TypeDatetime})
	}
	for _, d := range q.GroupBy {
		cols = append(cols, Column{Name: d.Name(), Type: TypeString})
	}
	return cols
}

// QuerySpec is a query as text, the way the CLI flags and the API body
// write it.
type QuerySpec struct {
	From        string   `json:"from,omitempty" doc:"first day, YYYY-MM-DD"`
	To          string   `json:"to,omitempty" doc:"end day, YYYY-MM-DD, exclusive"`
	Granularity string   `json:"granularity,omitempty" doc:"none (default), daily or monthly"`
	Type        string   `json:"type,omitempty" doc:"actual (default), amortized or unblended"`
	GroupBy     []string `json:"groupBy,omitempty" doc:"up to two dimensions: COL or tag:KEY"`
	Filters     []string `json:"filters,omitempty" doc:"COL=VALUE or tag:KEY=VALUE; all must hold"`
}

// Build parses and validates the spec.
func (s QuerySpec) Build() (*Query, error) {
	q := &Query{Granularity: Granularity(cmp.Or(s.Granularity, "none")), Type: CostType(cmp.Or(s.Type, "actual"))}
	var err error
	if q.From, err = parseDay("from", s.From); err != nil {
		return nil, err
	}
	if q.To, err = parseDay("to", s.To); err != nil {
		return nil, err
	}
	for _, name := range s.GroupBy {
		d, err := ParseDimension(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		q.GroupBy = append(q.GroupBy, d)
	}
	for _, f := range s.Filters {
		name, value, ok := strings.Cut(f, "=")
		if !ok {
			return nil, Errorf(EInvalid, "filter %s: write COL=VALUE or tag:KEY=VALUE", Quote(f))
		}
		d, err := ParseDimension(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		q.Filters = append(q.Filters, Filter{Dimension: d, Values: []string{value}})
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
}

func parseDay(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, Errorf(EInvalid, "%s %s: write a day as YYYY-MM-DD", field, Quote(s))
	}
	return t, nil
}

// resultJSON is the Azure Cost Management Query response shape.
type resultJSON struct {
	Columns []Column            `json:"columns"`
	Rows    [][]json.RawMessage `json:"rows"`
}

// MarshalJSON writes the Azure Cost Management Query response shape: Cost
// a JSON number with every decimal place, Date "YYYY-MM-DD", the rest
// strings.
//
// Cost is a JSON number with at least CostDecimals decimal places, more when
// it has them (up to 18), as the README promises: the API and the CLI print
// the same digits.
func (r *Result) MarshalJSON() ([]byte, error) {
	out := resultJSON{Columns: r.Columns, Rows: make([][]json.RawMessage, len(r.Rows))}
	hasDate := r.HasDate()
	for i, row := range r.Rows {
		cells := make([]json.RawMessage, 0, len(r.Columns))
		cells = append(cells, row.Cost.Append(nil, CostDecimals))
		currency, _ := json.Marshal(row.Currency)
		cells = append(cells, currency)
		if hasDate {
			date, _ := json.Marshal(row.Date.Format(time.DateOnly))
			cells = append(cells, date)
		}
		for _, g := range row.Groups {
			b, err := json.Marshal(g)
			if err != nil {
				return nil, err
			}
			cells = append(cells, b)
		}
		out.Rows[i] = cells
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes, with Cost as an exact
// decimal and Date as a time.
func (r *Result) UnmarshalJSON(data []byte) error {
	var in resultJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	r.Columns, r.Rows = in.Columns, make([]ResultRow, len(in.Rows))
	if len(in.Rows) > 0 && (len(in.Columns) < 2 || in.Columns[0].Type != TypeNumber || in.Columns[1].Type != TypeString) {
		return fmt.Errorf("the columns %v do not start with Cost and Currency", in.Columns)
	}
	groups := 2
	if r.HasDate() {
		groups = 3
	}
	for i, cells := range in.Rows {
		if len(cells) != len(in.Columns) {
			return fmt.Errorf("row %d has %d cells for %d columns", i, len(cells), len(in.Columns))
		}
		row, err := readRow(cells, groups)
		if err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		r.Rows[i] = row
	}
	return nil
}

// readRow reads one row's cells; the group-by values start at groups.
func readRow(cells []json.RawMessage, groups int) (ResultRow, error) {
	var row ResultRow
	var err error
	if row.Cost, err = decimal.ParseBytes(cells[0]); err != nil {
		return row, fmt.Errorf("cost: %w", err)
	}
	if err := json.Unmarshal(cells[1], &row.Currency); err != nil {
		return row, fmt.Errorf("currency: %w", err)
	}
	if groups == 3 {
		var s string
		if err := json.Unmarshal(cells[2], &s); err != nil {
			return row, fmt.Errorf("date: %w", err)
		}
		if row.Date, err = time.Parse(time.DateOnly, s); err != nil {
			return row, fmt.Errorf("date: %w", err)
		}
	}
	row.Groups = make([]string, len(cells)-groups)
	for j := range row.Groups {
		if err := json.Unmarshal(cells[groups+j], &row.Groups[j]); err != nil {
			return row, err
		}
	}
	return row, nil
}
