package cost

import (
	"cmp"
	"strings"
	"time"
)

// Columns returns the columns of the query's answer: the measures (Cost
// when the query names none), Currency, Date when the granularity is not
// none, then the group-by dimensions.
func (q *Query) Columns() []Column {
	var cols []Column
	if len(q.Measures) == 0 {
		cols = append(cols, Column{Name: "Cost", Type: TypeNumber})
	}
	for _, m := range q.Measures {
		cols = append(cols, Column{Name: string(m), Type: TypeNumber})
	}
	cols = append(cols, Column{Name: "Currency", Type: TypeString})
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
	Timeframe   string   `json:"timeframe,omitempty" doc:"instead of from and to: MonthToDate, BillingMonthToDate, TheLastMonth, TheLastBillingMonth, WeekToDate, TheLast7Days, TheLast30Days, YearToDate"`
	Granularity string   `json:"granularity,omitempty" doc:"none (default), daily or monthly"`
	Type        string   `json:"type,omitempty" doc:"actual (default), amortized or unblended"`
	Measures    []string `json:"measures,omitempty" doc:"instead of type: BilledCost, EffectiveCost, ListCost, x_UnblendedCost, ConsumedQuantity"`
	GroupBy     []string `json:"groupBy,omitempty" doc:"up to two dimensions: COL or tag:KEY"`
	Filters     []string `json:"filters,omitempty" doc:"COL=VALUE or tag:KEY=VALUE; all must hold"`
	Filter      string   `json:"filter,omitempty" doc:"a filter expression: ServiceName in (EC2, S3) and not tag:env = dev"`
	OrderBy     []string `json:"orderBy,omitempty" doc:"columns to sort by, each optionally followed by asc or desc"`
	Top         int      `json:"top,omitempty" doc:"keep the N largest groups and sum the rest as Others"`
	PageSize    int      `json:"pageSize,omitempty" doc:"rows per page (default and at most 100000); nextLink reads the next"`
}

// Build parses and validates the spec; now resolves a timeframe.
func (s QuerySpec) Build(now time.Time) (*Query, error) {
	q := &Query{Granularity: Granularity(cmp.Or(strings.ToLower(s.Granularity), "none")), Limit: s.PageSize, Top: s.Top}
	q.Type = CostType(cmp.Or(strings.ToLower(s.Type), "actual"))
	var err error
	if s.Timeframe != "" && !strings.EqualFold(s.Timeframe, string(TimeframeCustom)) {
		if s.From != "" || s.To != "" {
			return nil, Errorf(EInvalid, "give a timeframe or from and to, not both")
		}
		tf, err := ParseTimeframe(s.Timeframe)
		if err != nil {
			return nil, err
		}
		if q.From, q.To, q.Period, err = tf.Range(now); err != nil {
			return nil, err
		}
	} else {
		if q.From, err = parseDay("from", s.From); err != nil {
			return nil, err
		}
		if q.To, err = parseDay("to", s.To); err != nil {
			return nil, err
		}
	}
	for _, name := range s.Measures {
		m, err := ParseMeasure(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		q.Measures = append(q.Measures, m)
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
	if q.Where, err = ParseFilter(s.Filter); err != nil {
		return nil, err
	}
	for _, o := range s.OrderBy {
		order, err := ParseOrder(o)
		if err != nil {
			return nil, err
		}
		q.OrderBy = append(q.OrderBy, order)
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
}

// ParseOrder reads a sort key: a column name, optionally followed by asc
// or desc. A measure alone sorts from the largest; anything else from the
// smallest.
func ParseOrder(s string) (Order, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return Order{}, Errorf(EInvalid, "sort key %s: write a column name, optionally followed by asc or desc", Quote(s))
	}
	o := Order{Column: f[0]}
	if _, err := ParseMeasure(f[0]); err == nil || f[0] == "Cost" {
		o.Desc = true
	}
	if d, err := ParseDimension(f[0]); err == nil {
		o.Column = d.Name()
	}
	if m, err := ParseMeasure(f[0]); err == nil {
		o.Column = string(m)
	}
	if len(f) == 2 {
		switch strings.ToLower(f[1]) {
		case "asc":
			o.Desc = false
		case "desc":
			o.Desc = true
		default:
			return Order{}, Errorf(EInvalid, "sort key %s: the direction is asc or desc", Quote(s))
		}
	}
	return o, nil
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
