package cost

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// The bounds of a ValueQuery.
const (
	DefaultValueLimit = 100  // values listed per dimension when the caller names no limit
	MaxValueLimit     = 1000 // the most values listed per dimension
	MaxSearchLength   = 256  // characters in a search text
	// MaxValueDimensions bounds the dimensions one ValueQuery lists: each
	// is a group-by of its own. It is more than there are columns.
	MaxValueDimensions = 50
)

// ValueQuery asks which values dimensions take in the rows a Query covers
// (its range and view), with the cost of each, so that a user picking a
// filter sees the largest first.
type ValueQuery struct {
	Dimensions []Dimension // columns or tags, each listed in turn
	TagKeys    bool        // also list the tag keys
	// Search keeps the values (and tag keys) that contain it, ignoring
	// case; "" keeps every one.
	Search string
	Limit  int // values listed per dimension, 1 to MaxValueLimit
}

// Validate checks the value query and returns an EInvalid error that says
// what to fix.
func (v *ValueQuery) Validate() error {
	if v.Limit < 1 || v.Limit > MaxValueLimit {
		return Errorf(EInvalid, "limit %d: give a whole number from 1 to %d", v.Limit, MaxValueLimit)
	}
	if !utf8.ValidString(v.Search) {
		return Errorf(EInvalid, "the search text is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v.Search); n > MaxSearchLength {
		return Errorf(EInvalid, "the search text has %d characters; the most is %d", n, MaxSearchLength)
	}
	if len(v.Dimensions) == 0 && !v.TagKeys {
		return Errorf(EInvalid, "name at least one dimension, or ask for the tag keys")
	}
	if len(v.Dimensions) > MaxValueDimensions {
		return Errorf(EInvalid, "at most %d dimensions may be listed at once, got %d", MaxValueDimensions, len(v.Dimensions))
	}
	for i, d := range v.Dimensions {
		if d.Column == "" && (d.Tag == "" || !utf8.ValidString(d.Tag)) {
			return Errorf(EInvalid, "the tag key %.64q is empty or not valid UTF-8", d.Tag)
		}
		if slices.Contains(v.Dimensions[:i], d) {
			return Errorf(EInvalid, "dimension %.64q is asked for twice", d.Name())
		}
	}
	return nil
}

// ValueSpec is a value listing as text, the way the API's parameters and
// the CLI's flags write it.
type ValueSpec struct {
	From, To   string   // YYYY-MM-DD, To exclusive; month to date when both and Timeframe are empty
	Timeframe  string   // instead of From and To: MonthToDate, TheLastMonth…
	Type       string   // actual (default), amortized or unblended
	Dimensions []string // columns or tag:KEY; every column and the tag keys when empty
	Search     string
	Limit      string // 1 to MaxValueLimit; DefaultValueLimit when empty
}

// Build returns the query whose rows the values come from, and the value
// query, both checked; now resolves the defaults. A missing end of the
// range is filled: To is tomorrow (today included), From the first of the
// month before To.
func (s ValueSpec) Build(now time.Time) (*Query, ValueQuery, error) {
	spec := QuerySpec{From: s.From, To: s.To, Timeframe: s.Timeframe, Type: s.Type}
	if spec.Timeframe == "" {
		switch {
		case spec.From == "" && spec.To == "":
			spec.Timeframe = string(TimeframeMonthToDate)
		case spec.To == "":
			now = now.UTC()
			spec.To = time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		case spec.From == "":
			if to, err := time.Parse(time.DateOnly, spec.To); err == nil {
				last := to.AddDate(0, 0, -1)
				spec.From = time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			} // else Build says what is wrong with To
		}
	}
	q, err := spec.Build(now)
	if err != nil {
		return nil, ValueQuery{}, err
	}
	vq := ValueQuery{Search: s.Search, Limit: DefaultValueLimit}
	if s.Limit != "" {
		n, err := strconv.Atoi(s.Limit)
		if err != nil || n < 1 || n > MaxValueLimit {
			return nil, vq, Errorf(EInvalid, "limit %s: give a whole number from 1 to %d", Quote(s.Limit), MaxValueLimit)
		}
		vq.Limit = n
	}
	names := s.Dimensions
	if len(names) == 0 {
		vq.TagKeys, names = true, Dimensions
	}
	for _, name := range names {
		d, err := ParseDimension(name)
		if err != nil {
			return nil, vq, err
		}
		if d.Column == "" && strings.ContainsAny(d.Tag, `"\`) {
			return nil, vq, Errorf(EInvalid, "tag key %s contains a quote or backslash, which AWS and Azure tag keys cannot", Quote(d.Tag))
		}
		vq.Dimensions = append(vq.Dimensions, d)
	}
	return q, vq, vq.Validate()
}

// DimensionValue is one value of a dimension and the cost of the rows that
// have it. A value billed in two currencies is two DimensionValues: costs
// in different currencies do not add up.
type DimensionValue struct {
	Value    string // "" stands for the rows where the dimension is empty
	Currency string
	Cost     decimal.Decimal
}

// ValueList is one dimension's values, from the largest cost; ties sort by
// value, then currency.
type ValueList struct {
	Name   string // the dimension as the user writes it: ServiceName, tag:env
	Values []DimensionValue
	Count  int  // how many values match the search in all
	More   bool // Count is more than the values listed
}

// TagKey is a tag key, the cost of the rows tagged with it and how many
// distinct values it has on them, in one currency.
type TagKey struct {
	Key      string
	Currency string
	Cost     decimal.Decimal
	Values   int
}

// TagKeyList is the tag keys, from the largest cost; ties sort by key.
type TagKeyList struct {
	Keys  []TagKey
	Count int  // how many keys match the search in all
	More  bool // Count is more than the keys listed
}

// Values answers a ValueQuery: one list per dimension asked, in order, and
// the tag keys when asked.
type Values struct {
	Dimensions []ValueList
	TagKeys    *TagKeyList
}

// None is the answer for a view that covers no rows: every list empty.
func (v *ValueQuery) None() *Values {
	out := &Values{}
	for _, d := range v.Dimensions {
		out.Dimensions = append(out.Dimensions, ValueList{Name: d.Name()})
	}
	if v.TagKeys {
		out.TagKeys = &TagKeyList{}
	}
	return out
}

// The wire forms. Costs are JSON numbers with every decimal place, at
// least CostDecimals, like a query's.

type dimensionValueJSON struct {
	Value    string      `json:"value"`
	Cost     json.Number `json:"cost"`
	Currency string      `json:"currency"`
}

// MarshalJSON writes {"value", "cost", "currency"}, cost exact.
func (v DimensionValue) MarshalJSON() ([]byte, error) {
	return json.Marshal(dimensionValueJSON{v.Value, json.Number(v.Cost.Append(nil, CostDecimals)), v.Currency})
}

// UnmarshalJSON reads what MarshalJSON writes, the cost as an exact decimal.
func (v *DimensionValue) UnmarshalJSON(data []byte) error {
	var in dimensionValueJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	c, err := decimal.Parse(string(in.Cost))
	if err != nil {
		return fmt.Errorf("the cost of %q: %w", in.Value, err)
	}
	*v = DimensionValue{Value: in.Value, Currency: in.Currency, Cost: c}
	return nil
}

type valueListJSON struct {
	Name   string           `json:"name"`
	Values []DimensionValue `json:"values"`
	Count  int              `json:"count"`
	More   bool             `json:"more"`
}

// MarshalJSON writes {"name", "values", "count", "more"}; values is never null.
func (l ValueList) MarshalJSON() ([]byte, error) {
	return json.Marshal(valueListJSON{l.Name, nonNil(l.Values), l.Count, l.More})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *ValueList) UnmarshalJSON(data []byte) error {
	var in valueListJSON
	err := json.Unmarshal(data, &in)
	*l = ValueList(in)
	return err
}

type tagKeyJSON struct {
	Name     string      `json:"name"` // tag:KEY, the dimension to ask its values with
	Cost     json.Number `json:"cost"`
	Currency string      `json:"currency"`
	Values   int         `json:"values"`
}

// MarshalJSON writes {"name": "tag:KEY", "cost", "currency", "values"}.
func (k TagKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(tagKeyJSON{TagPrefix + k.Key, json.Number(k.Cost.Append(nil, CostDecimals)), k.Currency, k.Values})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (k *TagKey) UnmarshalJSON(data []byte) error {
	var in tagKeyJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	c, err := decimal.Parse(string(in.Cost))
	if err != nil {
		return fmt.Errorf("the cost of %q: %w", in.Name, err)
	}
	*k = TagKey{Key: strings.TrimPrefix(in.Name, TagPrefix), Currency: in.Currency, Cost: c, Values: in.Values}
	return nil
}

type tagKeyListJSON struct {
	Keys  []TagKey `json:"keys"`
	Count int      `json:"count"`
	More  bool     `json:"more"`
}

// MarshalJSON writes {"keys", "count", "more"}; keys is never null.
func (l TagKeyList) MarshalJSON() ([]byte, error) {
	return json.Marshal(tagKeyListJSON{nonNil(l.Keys), l.Count, l.More})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *TagKeyList) UnmarshalJSON(data []byte) error {
	var in tagKeyListJSON
	err := json.Unmarshal(data, &in)
	*l = TagKeyList(in)
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Value returns the row's value of the dimension as the row holds it, ""
// when it is empty or the row has no such tag. (A store fills empty
// account names from the catalog; this does not.)
func (r *Row) Value(d Dimension) string {
	if d.Column == "" {
		v, _ := r.Tag(d.Tag)
		return v
	}
	if p, ok := r.columns()[d.Column]; ok {
		return *p
	}
	return ""
}

// columns maps each name of Dimensions to the row's field.
func (r *Row) columns() map[string]*string {
	return map[string]*string{
		"ProviderName": &r.ProviderName, "PublisherName": &r.PublisherName, "InvoiceIssuerName": &r.InvoiceIssuerName,
		"InvoiceId": &r.InvoiceID, "BillingAccountId": &r.BillingAccountID, "BillingAccountName": &r.BillingAccountName,
		"SubAccountId": &r.SubAccountID, "SubAccountName": &r.SubAccountName, "BillingCurrency": &r.BillingCurrency,
		"ChargeCategory": &r.ChargeCategory, "ChargeClass": &r.ChargeClass, "ChargeFrequency": &r.ChargeFrequency,
		"ChargeDescription": &r.ChargeDescription, "PricingCategory": &r.PricingCategory, "ServiceName": &r.ServiceName,
		"ServiceCategory": &r.ServiceCategory, "RegionId": &r.RegionID, "RegionName": &r.RegionName,
		"AvailabilityZone": &r.AvailabilityZone, "ResourceId": &r.ResourceID, "ResourceType": &r.ResourceType,
		"PricingUnit": &r.PricingUnit, "CommitmentDiscountId": &r.CommitmentDiscountID,
		"CommitmentDiscountType": &r.CommitmentDiscountType, "x_ServiceCode": &r.ServiceCode, "x_UsageType": &r.UsageType,
		"x_Operation": &r.Operation, "x_LineItemType": &r.LineItemType,
	}
}
