package azexport

import (
	"slices"
	"strings"
)

// field identifies a column Reckon reads from an Azure export.
type field int

const (
	fCost field = iota
	fCurrency
	fDate
	fSubscription
	fSubscriptionName
	fBillingAccountID
	fBillingAccountName
	fBillingPeriodStart
	fBillingPeriodEnd
	fInvoiceID
	fChargeType
	fPricingModel
	fFrequency
	fMeterCategory
	fMeterSubCategory
	fMeterName
	fServiceName
	fConsumedService
	fServiceFamily
	fResourceLocation
	fLocation
	fMeterRegion
	fResourceID
	fResourceType
	fQuantity
	fUnit
	fPaygCost
	fProductName
	fPublisherName
	fPublisherType
	fReservationID
	fBenefitID
	fAvailabilityZone
	fTags
	numFields
)

// keys lists, for each field, the canonical keys (names lower-cased, letters
// and digits only) that hold it, best first: every dialect and casing of one
// column maps to the same key.
var keys = [numFields][]string{
	fCost:               {"costinbillingcurrency", "pretaxcost", "cost"},
	fCurrency:           {"billingcurrency", "billingcurrencycode", "currency"},
	fDate:               {"date", "usagedatetime"},
	fSubscription:       {"subscriptionguid", "subscriptionid"},
	fSubscriptionName:   {"subscriptionname"},
	fBillingAccountID:   {"billingaccountid"},
	fBillingAccountName: {"billingaccountname"},
	fBillingPeriodStart: {"billingperiodstartdate"},
	fBillingPeriodEnd:   {"billingperiodenddate"},
	fInvoiceID:          {"invoiceid"},
	fChargeType:         {"chargetype"},
	fPricingModel:       {"pricingmodel"},
	fFrequency:          {"frequency"},
	fMeterCategory:      {"metercategory"},
	fMeterSubCategory:   {"metersubcategory"},
	fMeterName:          {"metername"},
	fServiceName:        {"servicename"},
	fConsumedService:    {"consumedservice"},
	fServiceFamily:      {"servicefamily"},
	fResourceLocation:   {"resourcelocation"},
	fLocation:           {"location"},
	fMeterRegion:        {"meterregion"},
	fResourceID:         {"resourceid", "instanceid", "instancename"},
	fResourceType:       {"resourcetype"},
	fQuantity:           {"quantity", "usagequantity"},
	fUnit:               {"unitofmeasure"},
	fPaygCost:           {"paygcostinbillingcurrency"},
	fProductName:        {"productname", "product"},
	fPublisherName:      {"publishername"},
	fPublisherType:      {"publishertype"},
	fReservationID:      {"reservationid"},
	fBenefitID:          {"benefitid"},
	fAvailabilityZone:   {"availabilityzone"},
	fTags:               {"tags"},
}

// byKey maps a canonical key to its field and its rank among the field's
// keys (0 is best).
var byKey = func() map[string][2]int {
	m := map[string][2]int{}
	for f, ks := range keys {
		for rank, k := range ks {
			m[k] = [2]int{f, rank}
		}
	}
	return m
}()

// required are the columns without which a row cannot become a FOCUS row.
var required = []field{fSubscription, fDate, fCost, fCurrency}

// Dialect is the layout of an export's header.
type Dialect string

// The dialects Reckon reads.
const (
	// CostDetails is the EA and MCA cost details layout (Date,
	// CostInBillingCurrency, BillingCurrency or BillingCurrencyCode).
	CostDetails Dialect = "EA/MCA cost details"
	// CostDetailsCamel is the same in camelCase (date, costInBillingCurrency).
	CostDetailsCamel Dialect = "EA/MCA cost details (camelCase)"
	// Usage is the older usage layout (UsageDateTime, PreTaxCost,
	// SubscriptionGuid).
	Usage Dialect = "usage (older layout)"
	// UsageCamel is the older usage layout in camelCase.
	UsageCamel Dialect = "usage (older layout, camelCase)"
)

// names spells each required field in each dialect, for messages about a
// column the header lacks.
var names = map[Dialect][numFields]string{
	CostDetails:      {fSubscription: "SubscriptionId", fDate: "Date", fCost: "CostInBillingCurrency", fCurrency: "BillingCurrency"},
	CostDetailsCamel: {fSubscription: "subscriptionId", fDate: "date", fCost: "costInBillingCurrency", fCurrency: "billingCurrency"},
	Usage:            {fSubscription: "SubscriptionGuid", fDate: "UsageDateTime", fCost: "PreTaxCost", fCurrency: "Currency"},
	UsageCamel:       {fSubscription: "subscriptionGuid", fDate: "usageDateTime", fCost: "preTaxCost", fCurrency: "currency"},
}

// header is the column layout of one export file.
type header struct {
	names    []string       // the header cells as written, BOM and spaces trimmed
	index    [numFields]int // column of each field, -1 when absent
	rank     [numFields]int // rank of the key that matched
	dialect  Dialect
	warnings []Warning
}

// canonicalKey lower-cases s and drops every character but letters and digits.
func canonicalKey(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return string(b)
}

// parseHeader maps the header cells to fields. It fails when a required
// column is missing, naming them all and the dialect the header looked like.
func parseHeader(cells []string, file string) (*header, error) {
	h := &header{names: cells}
	for i := range h.index {
		h.index[i] = -1
	}
	lower, upper := 0, 0
	for i, raw := range cells {
		name := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		cells[i] = name
		if name == "" {
			continue
		}
		if c := name[0]; c >= 'a' && c <= 'z' {
			lower++
		} else if c >= 'A' && c <= 'Z' {
			upper++
		}
		m, ok := byKey[canonicalKey(name)]
		if !ok {
			continue // a column Reckon does not need
		}
		f, rank := field(m[0]), m[1]
		switch {
		case h.index[f] < 0 || rank < h.rank[f]:
			h.index[f], h.rank[f] = i, rank
		case rank == h.rank[f]:
			h.warnings = append(h.warnings, Warning{File: file, Line: 1, Column: name, Message: "the column appears twice; the first is used"})
		}
	}
	usage := h.index[fDate] >= 0 && h.rank[fDate] == 1 || h.index[fCost] >= 0 && h.rank[fCost] == 1 ||
		h.index[fSubscription] >= 0 && h.rank[fSubscription] == 0
	camel := lower > upper
	switch {
	case usage && camel:
		h.dialect = UsageCamel
	case usage:
		h.dialect = Usage
	case camel:
		h.dialect = CostDetailsCamel
	default:
		h.dialect = CostDetails
	}
	return h, h.check(file)
}

// check refuses a header that lacks a required column, or that belongs to
// another kind of file.
func (h *header) check(file string) error {
	var missing []string
	for _, f := range required {
		if h.index[f] < 0 {
			missing = append(missing, h.name(f))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	pe := &ParseError{File: file, Line: 1}
	found := 0
	for _, i := range h.index {
		if i >= 0 {
			found++
		}
	}
	switch {
	case slices.ContainsFunc(h.names, func(s string) bool {
		return strings.Contains(s, "/") && strings.Contains(strings.ToLower(s), "lineitem")
	}) ||
		slices.ContainsFunc(h.names, func(s string) bool { return strings.HasPrefix(strings.ToLower(s), "line_item_") }):
		pe.Problem = "this is an AWS Cost and Usage Report, not an Azure cost export: load it as a CUR"
	case slices.ContainsFunc(h.names, func(s string) bool { return canonicalKey(s) == "billedcost" }) &&
		slices.ContainsFunc(h.names, func(s string) bool { return canonicalKey(s) == "chargeperiodstart" }):
		pe.Problem = "this is a FOCUS file, not an Azure cost export: load it as FOCUS"
	case found == 0:
		pe.Problem = "the header has none of the columns of an Azure cost export (such as " +
			strings.Join(missing, ", ") + "): is this the right file?"
	default:
		pe.Column = missing[0]
		pe.Problem = "the header looks like the " + string(h.dialect) + " dialect but lacks the required column" +
			plural(len(missing)) + " " + strings.Join(missing, ", ") + "; each dialect needs a subscription, a date, a cost and a currency column"
	}
	return pe
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// name is the column of f as this file spells it when present, else as the
// file's dialect would spell it.
func (h *header) name(f field) string {
	if i := h.index[f]; i >= 0 {
		return h.names[i]
	}
	if n := names[h.dialect][f]; n != "" {
		return n
	}
	return keys[f][0]
}
