package focusfile

import (
	"slices"
	"strconv"
	"strings"
)

// field identifies a FOCUS column the reader maps onto cost.Row.
type field int

const (
	fProviderName field = iota
	fServiceProviderName
	fPublisherName
	fInvoiceIssuerName
	fInvoiceID
	fBillingAccountID
	fBillingAccountName
	fSubAccountID
	fSubAccountName
	fBillingPeriodStart
	fBillingPeriodEnd
	fChargePeriodStart
	fChargePeriodEnd
	fChargeCategory
	fChargeClass
	fChargeFrequency
	fChargeDescription
	fPricingCategory
	fBilledCost
	fEffectiveCost
	fListCost
	fContractedCost
	fBillingCurrency
	fServiceName
	fServiceCategory
	fRegionID
	fRegionName
	fAvailabilityZone
	fResourceID
	fResourceType
	fPricingQuantity
	fPricingUnit
	fConsumedQuantity
	fConsumedUnit
	fCommitmentDiscountID
	fCommitmentDiscountType
	fTags
	// Columns of AWS's "FOCUS 1.0 with AWS columns" export that cost.Row
	// has a field for.
	fXServiceCode
	fXUsageType
	fXOperation
	fXCostCategories
	// Reckon's own x_ columns, which its FOCUS export writes (Writer).
	fXLineItemType
	fXUnblendedCost
	fXBlendedCost
	numFields
)

// names are the FOCUS column IDs as the specification spells them. 1.0, 1.1
// and 1.2 share them; ServiceProviderName is the 1.3 successor of
// ProviderName.
var names = [numFields]string{
	fProviderName:           "ProviderName",
	fServiceProviderName:    "ServiceProviderName",
	fPublisherName:          "PublisherName",
	fInvoiceIssuerName:      "InvoiceIssuerName",
	fInvoiceID:              "InvoiceId",
	fBillingAccountID:       "BillingAccountId",
	fBillingAccountName:     "BillingAccountName",
	fSubAccountID:           "SubAccountId",
	fSubAccountName:         "SubAccountName",
	fBillingPeriodStart:     "BillingPeriodStart",
	fBillingPeriodEnd:       "BillingPeriodEnd",
	fChargePeriodStart:      "ChargePeriodStart",
	fChargePeriodEnd:        "ChargePeriodEnd",
	fChargeCategory:         "ChargeCategory",
	fChargeClass:            "ChargeClass",
	fChargeFrequency:        "ChargeFrequency",
	fChargeDescription:      "ChargeDescription",
	fPricingCategory:        "PricingCategory",
	fBilledCost:             "BilledCost",
	fEffectiveCost:          "EffectiveCost",
	fListCost:               "ListCost",
	fContractedCost:         "ContractedCost",
	fBillingCurrency:        "BillingCurrency",
	fServiceName:            "ServiceName",
	fServiceCategory:        "ServiceCategory",
	fRegionID:               "RegionId",
	fRegionName:             "RegionName",
	fAvailabilityZone:       "AvailabilityZone",
	fResourceID:             "ResourceId",
	fResourceType:           "ResourceType",
	fPricingQuantity:        "PricingQuantity",
	fPricingUnit:            "PricingUnit",
	fConsumedQuantity:       "ConsumedQuantity",
	fConsumedUnit:           "ConsumedUnit",
	fCommitmentDiscountID:   "CommitmentDiscountId",
	fCommitmentDiscountType: "CommitmentDiscountType",
	fTags:                   "Tags",
	fXServiceCode:           "x_ServiceCode",
	fXUsageType:             "x_UsageType",
	fXOperation:             "x_Operation",
	fXCostCategories:        "x_CostCategories",
	fXLineItemType:          "x_LineItemType",
	fXUnblendedCost:         "x_UnblendedCost",
	fXBlendedCost:           "x_BlendedCost",
}

// required are the columns without which a row has no period or no cost.
var required = []field{fBillingPeriodStart, fBillingPeriodEnd, fChargePeriodStart, fChargePeriodEnd, fBilledCost}

// xColumn is an x_ column cost.Row has no field for.
type xColumn struct {
	index int
	name  string
}

// header is the column layout of one FOCUS file.
type header struct {
	names    []string       // the header cells as written, without a BOM
	index    [numFields]int // column of each field, -1 when absent
	extra    []xColumn      // x_ columns with no field in cost.Row, in file order
	sorted   []xColumn      // the same by name, the order of Row.Extra
	unkept   []string       // other columns with no field in cost.Row
	warnings []headerWarning
}

type headerWarning struct {
	column  string
	message string
}

func (h *header) warn(column, message string) {
	h.warnings = append(h.warnings, headerWarning{column, message})
}

// parseHeader maps the header cells to fields, by exact name first and then
// ignoring case. It fails only when a required column is missing.
func parseHeader(cells []string) (*header, error) {
	h := &header{names: cells}
	for i := range h.index {
		h.index[i] = -1
	}
	var folded [numFields]bool // the column was matched only when case is ignored
	for i, raw := range cells {
		name := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		cells[i] = name
		if name == "" {
			h.warn("#"+strconv.Itoa(i+1), "the header cell is empty; the column is ignored")
			continue
		}
		f, exact := lookup(name)
		switch {
		case f < 0:
			h.addUnknown(i, name)
		case h.index[f] >= 0 && exact && folded[f]:
			// The column spelled as FOCUS does wins over one that only
			// differs in case.
			h.warn(cells[h.index[f]], "the column differs in case from "+names[f]+", which the header also has; it is ignored")
			h.index[f], folded[f] = i, false
		case h.index[f] >= 0:
			h.warn(name, "the column appears twice; the first is used")
		default:
			h.index[f], folded[f] = i, !exact
		}
	}
	for f, i := range h.index {
		if i >= 0 && folded[f] {
			h.warn(cells[i], "the column name differs in case from FOCUS's; it is read as "+names[f])
		}
	}
	for _, f := range required {
		if h.index[f] < 0 {
			return nil, &ParseError{Line: 1, Column: names[f],
				Problem: "the required column is missing from the header; FOCUS files name " + requiredList() + " in their first line"}
		}
	}
	if h.index[fProviderName] < 0 && h.index[fServiceProviderName] < 0 {
		h.warn("ProviderName", "the header has neither ProviderName nor ServiceProviderName; rows have no provider")
	}
	if h.index[fBillingCurrency] < 0 {
		h.warn("BillingCurrency", "the header has no BillingCurrency; rows have no currency, and sums across files may mix currencies")
	}
	if h.index[fEffectiveCost] < 0 {
		h.warn("EffectiveCost", "the column is missing; EffectiveCost is read as BilledCost")
	}
	if len(h.extra) > 0 {
		h.warn("", "Reckon's rows have no field of their own for the columns "+strings.Join(h.extraNames(), ", ")+"; they are kept in the row's Extra")
	}
	h.sorted = slices.Clone(h.extra)
	slices.SortFunc(h.sorted, func(a, b xColumn) int { return strings.Compare(a.name, b.name) })
	if len(h.unkept) > 0 {
		h.warn("", "Reckon's rows have no place for the columns "+strings.Join(h.unkept, ", ")+"; they are not kept")
	}
	return h, nil
}

func (h *header) addUnknown(i int, name string) {
	if len(name) > 2 && strings.EqualFold(name[:2], "x_") {
		for _, x := range h.extra {
			if x.name == name {
				h.warn(name, "the column appears twice; the first is used")
				return
			}
		}
		h.extra = append(h.extra, xColumn{index: i, name: name})
		return
	}
	h.unkept = append(h.unkept, name)
}

// lookup finds the field named name: exactly, or else ignoring case; -1
// when none is.
func lookup(name string) (f field, exact bool) {
	for k, n := range names {
		if n == name {
			return field(k), true
		}
	}
	for k, n := range names {
		if strings.EqualFold(n, name) {
			return field(k), false
		}
	}
	return -1, false
}

func requiredList() string {
	s := make([]string, len(required))
	for i, f := range required {
		s[i] = names[f]
	}
	return strings.Join(s, ", ")
}

// name is the column of f as the file spells it, or FOCUS's name.
func (h *header) name(f field) string {
	if i := h.index[f]; i >= 0 {
		return h.names[i]
	}
	return names[f]
}

func (h *header) extraNames() []string {
	out := make([]string, len(h.extra))
	for i, x := range h.extra {
		out[i] = x.name
	}
	return out
}
