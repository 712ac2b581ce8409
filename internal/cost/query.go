package cost

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// Granularity is how a query buckets time.
type Granularity string

// The granularities a query accepts.
const (
	GranularityNone    Granularity = "none"
	GranularityDaily   Granularity = "daily"
	GranularityMonthly Granularity = "monthly"
)

// CostType selects the cost a query sums.
type CostType string

// The cost types: actual sums BilledCost, amortized sums EffectiveCost, and
// unblended sums x_UnblendedCost, the figure Cost Explorer's UnblendedCost
// metric shows (before net discounts).
const (
	CostActual    CostType = "actual"
	CostAmortized CostType = "amortized"
	CostUnblended CostType = "unblended"
)

// MaxGroupBy is how many dimensions a query may group by, as in Azure Cost
// Management.
const MaxGroupBy = 2

// CostDecimals is the least number of decimal places a Cost is written
// with, on the wire and in the CLI.
const CostDecimals = 10

// MaxResultRows bounds a query's answer: a group by a column with a distinct
// value on every row (a description, a resource ID) would otherwise hold
// millions of rows in memory. Top-N with the rest as Others comes with the
// cost analysis engine.
const MaxResultRows = 100_000

// Dimensions are the FOCUS and x_ columns a query may group or filter by, in
// the order the CLI lists them. Tags are addressed as "tag:KEY".
var Dimensions = []string{
	"ProviderName", "PublisherName", "InvoiceIssuerName", "InvoiceId",
	"BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName",
	"BillingCurrency", "ChargeCategory", "ChargeClass", "ChargeFrequency", "ChargeDescription", "PricingCategory",
	"ServiceName", "ServiceCategory", "RegionId", "RegionName", "AvailabilityZone",
	"ResourceId", "ResourceType", "PricingUnit", "CommitmentDiscountId", "CommitmentDiscountType",
	"x_ServiceCode", "x_UsageType", "x_Operation", "x_LineItemType",
}

// TagPrefix marks a tag dimension: "tag:Environment".
const TagPrefix = "tag:"

// Dimension is a column or a tag key.
type Dimension struct {
	Column string // a name from Dimensions, or "" for a tag
	Tag    string // the tag key when Column is ""
}

// Name is the dimension as the user writes it.
func (d Dimension) Name() string {
	if d.Column == "" {
		return TagPrefix + d.Tag
	}
	return d.Column
}

// ParseDimension reads a dimension name, matching column names without
// regard to case.
func ParseDimension(s string) (Dimension, error) {
	if key, ok := strings.CutPrefix(s, TagPrefix); ok {
		if key == "" {
			return Dimension{}, Errorf(EInvalid, "tag dimension %q has no key: write tag:KEY", s)
		}
		return Dimension{Tag: key}, nil
	}
	for _, c := range Dimensions {
		if strings.EqualFold(c, s) {
			return Dimension{Column: c}, nil
		}
	}
	return Dimension{}, Errorf(EInvalid, "unknown dimension %q: use one of %s, or tag:KEY", s, strings.Join(Dimensions, ", "))
}

// Filter keeps rows whose dimension equals one of the values.
type Filter struct {
	Dimension Dimension
	Values    []string
}

// Query asks for summed cost over a time range.
type Query struct {
	From, To    time.Time // From inclusive, To exclusive; zero means unbounded
	Granularity Granularity
	Type        CostType
	GroupBy     []Dimension
	Filters     []Filter // all must hold
}

// Validate checks q and returns an EInvalid error that says what to fix.
func (q *Query) Validate() error {
	switch q.Granularity {
	case GranularityNone, GranularityDaily, GranularityMonthly:
	default:
		return Errorf(EInvalid, "granularity %q is not one of none, daily, monthly", q.Granularity)
	}
	switch q.Type {
	case CostActual, CostAmortized, CostUnblended:
	default:
		return Errorf(EInvalid, "cost type %q is not one of actual, amortized, unblended", q.Type)
	}
	if len(q.GroupBy) > MaxGroupBy {
		return Errorf(EInvalid, "at most %d group-by dimensions are allowed, got %d", MaxGroupBy, len(q.GroupBy))
	}
	for i, d := range q.GroupBy {
		if slices.Contains(q.GroupBy[:i], d) {
			return Errorf(EInvalid, "dimension %s is grouped by twice", d.Name())
		}
	}
	for _, f := range q.Filters {
		for _, v := range f.Values {
			if !utf8.ValidString(v) {
				return Errorf(EInvalid, "the filter value %q for %s is not valid UTF-8", v, f.Dimension.Name())
			}
		}
	}
	for _, d := range slices.Concat(q.GroupBy, filterDimensions(q.Filters)) {
		if !utf8.ValidString(d.Tag) {
			return Errorf(EInvalid, "the tag key %q is not valid UTF-8", d.Tag)
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Errorf(EInvalid, "the range is empty: from %s is not before to %s (to is exclusive)",
			q.From.Format(time.DateOnly), q.To.Format(time.DateOnly))
	}
	return nil
}

func filterDimensions(fs []Filter) []Dimension {
	out := make([]Dimension, len(fs))
	for i, f := range fs {
		out[i] = f.Dimension
	}
	return out
}

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

// Result is a query answer. Its columns are Cost, Currency, then Date when
// the granularity is not none, then the group-by dimensions; each row holds
// the same in typed fields.
type Result struct {
	Columns []Column
	Rows    []ResultRow
}

// ResultRow is one row of a query answer.
type ResultRow struct {
	Cost     decimal.Decimal
	Currency string
	Date     time.Time // the day, or the month's first day; zero without a Date column
	Groups   []string  // the group-by values in the query's order; "" for null
}

// HasDate reports whether the answer has a Date column.
func (r *Result) HasDate() bool {
	return len(r.Columns) > 2 && r.Columns[2].Type == TypeDatetime
}
