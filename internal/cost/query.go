package cost

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
			return Dimension{}, Errorf(EInvalid, "tag dimension %s has no key: write tag:KEY", Quote(s))
		}
		return Dimension{Tag: key}, nil
	}
	for _, c := range Dimensions {
		if strings.EqualFold(c, s) {
			return Dimension{Column: c}, nil
		}
	}
	return Dimension{}, Errorf(EInvalid, "unknown dimension %s: use one of %s, or tag:KEY", Quote(s), strings.Join(Dimensions, ", "))
}

// Filter keeps rows whose dimension equals one of the values; the value ""
// keeps rows where the dimension is empty. A filter has at least one value.
//
// Several filters on one dimension must all hold, like filters on different
// dimensions, so together they keep the values common to all of them:
// RegionId=a and RegionId=b keep nothing. (This is how repeated --filter
// flags have always combined.)
type Filter struct {
	Dimension Dimension
	Values    []string
}

// The limits on a query's filters. Each filtered dimension costs a
// semi-join and each value a parameter; without a bound, a few hundred
// filters took minutes and gigabytes to plan. Fifty is more than there are
// dimensions to filter on; the scope's view (Query.View) is not counted.
const (
	MaxFilters      = 50    // filters in one query
	MaxFilterValues = 1_000 // values in all its filters together
)

// Query asks for summed cost over a time range.
type Query struct {
	From, To    time.Time // From inclusive, To exclusive; zero means unbounded
	Period      Period    // which date From and To bound: the charge's (default) or its billing period's
	Granularity Granularity
	Type        CostType  // the measure when Measures is empty
	Measures    []Measure // what to sum, in the answer's order; empty means Type's, as the column Cost
	GroupBy     []Dimension
	Filters     []Filter // all must hold; at most MaxFilters, with MaxFilterValues values in all
	Where       *Expr    // must hold too; nil keeps every row
	// View holds the filters of the scope the query runs on
	// (CostView.Filters). They must all hold, like Filters, but come from
	// the catalog rather than the caller, so the limits do not count them:
	// a group may have thousands of accounts.
	View []Filter
	// OrderBy sorts the answer; after it, rows sort by Date, then the first
	// measure from the largest, then Currency and the groups, so that the
	// order is total and pages do not overlap.
	OrderBy []Order
	// Top keeps the Top group-by combinations with the largest first
	// measure over the whole range, and sums the rest into rows whose
	// groups are all Others: a chart of the top ten still adds up to the
	// total. Zero keeps every group.
	Top int
	// Skip and Limit select a page of the sorted answer: Limit rows (at
	// most MaxResultRows; zero means that many) after the first Skip.
	Skip, Limit int
	// Whole asks for every row, with no page: an export streams them.
	Whole bool
}

// Period says which date of a row a query's range bounds.
type Period string

// The periods: a charge's own date, or the start of the billing period it
// was billed in (a fee or credit billed in March may be dated in
// February). Billing-month timeframes use the latter.
const (
	PeriodCharge  Period = ""
	PeriodBilling Period = "billing"
)

// Measure is a quantity a query sums.
type Measure string

// The measures: the FOCUS cost columns, AWS's unblended cost, and the
// consumed quantity.
const (
	MeasureBilled    Measure = "BilledCost"
	MeasureEffective Measure = "EffectiveCost"
	MeasureList      Measure = "ListCost"
	MeasureUnblended Measure = "x_UnblendedCost"
	MeasureConsumed  Measure = "ConsumedQuantity"
)

// AllMeasures lists the measures in the order the help texts show them.
var AllMeasures = []Measure{MeasureBilled, MeasureEffective, MeasureList, MeasureUnblended, MeasureConsumed}

// ParseMeasure reads a measure name, ignoring case.
func ParseMeasure(s string) (Measure, error) {
	for _, m := range AllMeasures {
		if strings.EqualFold(string(m), s) {
			return m, nil
		}
	}
	names := make([]string, len(AllMeasures))
	for i, m := range AllMeasures {
		names[i] = string(m)
	}
	return "", Errorf(EInvalid, "unknown measure %s: use one of %s", Quote(s), strings.Join(names, ", "))
}

// typeMeasures is the measure each cost type sums.
var typeMeasures = map[CostType]Measure{
	CostActual: MeasureBilled, CostAmortized: MeasureEffective, CostUnblended: MeasureUnblended,
}

// SummedMeasures returns the measures the query sums, in order.
func (q *Query) SummedMeasures() []Measure {
	if len(q.Measures) > 0 {
		return q.Measures
	}
	return []Measure{typeMeasures[q.Type]}
}

// Order is one sort key: a measure, Date, or a grouped dimension, by the
// answer's column name.
type Order struct {
	Column string
	Desc   bool
}

// Others is the group value of the row that sums the groups past Top.
const Others = "Others"

// MaxTop bounds Query.Top.
const MaxTop = 1_000

// Conditions returns every condition the caller's filters put on rows: the
// legacy Filters and Where, joined by and. The view is apart.
func (q *Query) Conditions() *Expr { return And(filtersExpr(q.Filters), q.Where) }

// Validate checks q and returns an EInvalid error that says what to fix.
func (q *Query) Validate() error {
	switch q.Granularity {
	case GranularityNone, GranularityDaily, GranularityMonthly:
	default:
		return Errorf(EInvalid, "granularity %s is not one of none, daily, monthly", Quote(string(q.Granularity)))
	}
	switch q.Type {
	case CostActual, CostAmortized, CostUnblended:
	case "":
		if len(q.Measures) == 0 {
			return Errorf(EInvalid, "give a cost type (actual, amortized, unblended) or measures")
		}
	default:
		return Errorf(EInvalid, "cost type %s is not one of actual, amortized, unblended", Quote(string(q.Type)))
	}
	if len(q.GroupBy) > MaxGroupBy {
		return Errorf(EInvalid, "at most %d group-by dimensions are allowed, got %d", MaxGroupBy, len(q.GroupBy))
	}
	for i, d := range q.GroupBy {
		if slices.Contains(q.GroupBy[:i], d) {
			return Errorf(EInvalid, "dimension %s is grouped by twice", d.Name())
		}
	}
	if err := checkFilterLimits(q.Filters); err != nil {
		return err
	}
	filters := slices.Concat(q.Filters, q.View)
	for _, f := range filters {
		if len(f.Values) == 0 {
			return Errorf(EInvalid, "the filter on %.64q has no values: give at least one", f.Dimension.Name())
		}
		for _, v := range f.Values {
			if !utf8.ValidString(v) {
				return Errorf(EInvalid, "the filter value %.64q for %.64q is not valid UTF-8", v, f.Dimension.Name())
			}
		}
	}
	for _, d := range slices.Concat(q.GroupBy, filterDimensions(filters)) {
		if !utf8.ValidString(d.Tag) {
			return Errorf(EInvalid, "the tag key %.64q is not valid UTF-8", d.Tag)
		}
	}
	if err := q.Where.Validate(); err != nil {
		return err
	}
	if err := q.validateShape(); err != nil {
		return err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Errorf(EInvalid, "the range is empty: from %s is not before to %s (to is exclusive)",
			q.From.Format(time.DateOnly), q.To.Format(time.DateOnly))
	}
	return nil
}

// checkFilterLimits refuses more filters or values than a query may have,
// saying what was sent.
func checkFilterLimits(fs []Filter) error {
	if len(fs) > MaxFilters {
		return Errorf(EInvalid, "a query may have at most %d filters; this one has %d. "+
			"Filters must all hold, also on one dimension (RegionId=a and RegionId=b match nothing): send fewer",
			MaxFilters, len(fs))
	}
	values := 0
	for _, f := range fs {
		values += len(f.Values)
	}
	if values > MaxFilterValues {
		return Errorf(EInvalid, "a query's filters may hold at most %d values in all; this one's hold %d: "+
			"send fewer, or query them in parts", MaxFilterValues, values)
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
