package cost

import (
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// ColumnType is the type of a result column, named as Azure Cost
// Management names them.
type ColumnType string

// The result column types.
const (
	TypeNumber   ColumnType = "Number"
	TypeString   ColumnType = "String"
	TypeDatetime ColumnType = "Datetime"
)

// Column describes one result column.
type Column struct {
	Name string     `json:"name"`
	Type ColumnType `json:"type"`
}

// Result is a query answer. Its columns are the measures (one named Cost
// when the query names none), Currency, then Date when the granularity is
// not none, then the group-by dimensions; each row holds the same in typed
// fields.
type Result struct {
	Columns []Column
	Rows    []ResultRow
	// More is true when rows past this page exist (Query.Limit).
	More bool
	// NextLink is the URL of the next page, set by the API when More.
	NextLink string
}

// ResultRow is one row of a query answer.
type ResultRow struct {
	Cost     decimal.Decimal   // the first measure
	More     []decimal.Decimal // the other measures, in the query's order
	Currency string
	Date     time.Time // the day, or the month's first day; zero without a Date column
	Groups   []string  // the group-by values in the query's order; "" for null
}

// Measures is the number of measure columns, which come first.
func (r *Result) Measures() int {
	n := 0
	for n < len(r.Columns) && r.Columns[n].Type == TypeNumber {
		n++
	}
	return n
}

// HasDate reports whether the answer has a Date column.
func (r *Result) HasDate() bool {
	m := r.Measures()
	return len(r.Columns) > m+1 && r.Columns[m+1].Type == TypeDatetime
}

// Values returns the row's measures in order.
func (row *ResultRow) Values() []decimal.Decimal {
	return append([]decimal.Decimal{row.Cost}, row.More...)
}

// validateShape checks the measures, order, top and page of q.
func (q *Query) validateShape() error {
	for i, m := range q.Measures {
		if _, err := ParseMeasure(string(m)); err != nil {
			return err
		}
		if slices.Contains(q.Measures[:i], m) {
			return Errorf(EInvalid, "measure %s is asked twice", m)
		}
	}
	cols := q.Columns()
	for _, o := range q.OrderBy {
		ok := slices.ContainsFunc(cols, func(c Column) bool { return c.Name == o.Column && c.Name != "Currency" })
		if !ok {
			names := []string{}
			for _, c := range cols {
				if c.Name != "Currency" {
					names = append(names, c.Name)
				}
			}
			return Errorf(EInvalid, "cannot sort by %s: sort by one of the answer's columns: %s",
				Quote(o.Column), strings.Join(names, ", "))
		}
	}
	if q.Top < 0 || q.Top > MaxTop {
		return Errorf(EInvalid, "top %d is out of range: keep between 1 and %d groups, or 0 for all", q.Top, MaxTop)
	}
	if q.Top > 0 && len(q.GroupBy) == 0 {
		return Errorf(EInvalid, "top needs a group-by: it keeps the largest groups and sums the rest as Others")
	}
	if q.Skip < 0 || q.Limit < 0 || q.Limit > MaxResultRows {
		return Errorf(EInvalid, "a page holds 1 to %d rows after skipping 0 or more; got %d after %d",
			MaxResultRows, q.Limit, q.Skip)
	}
	if q.Whole && (q.Skip > 0 || q.Limit > 0) {
		return Errorf(EInvalid, "a whole answer has no page: drop the page size and token")
	}
	switch q.Period {
	case PeriodCharge, PeriodBilling:
	default:
		return Errorf(EInvalid, "period %s is not the charge's (\"\") or billing", Quote(string(q.Period)))
	}
	return nil
}

// PageSize is the page the query asks for: Limit, or MaxResultRows.
func (q *Query) PageSize() int {
	if q.Limit == 0 {
		return MaxResultRows
	}
	return q.Limit
}
