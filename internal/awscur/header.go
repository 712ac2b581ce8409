package awscur

import (
	"slices"
	"strconv"
	"strings"
)

// field identifies a CUR column Reckon reads.
type field int

// The CUR columns Reckon reads. Each is matched by its canonical key, which
// is the same for the legacy header (lineItem/UnblendedCost), the Athena and
// CUR 2.0 snake_case header (line_item_unblended_cost) and any casing.
const (
	fLineItemID field = iota
	fTimeInterval
	fInvoiceID
	fInvoicingEntity
	fBillingEntity
	fBillType
	fPayerAccountID
	fPayerAccountName
	fBillingPeriodStart
	fBillingPeriodEnd
	fUsageAccountID
	fUsageAccountName
	fLineItemType
	fUsageStart
	fUsageEnd
	fProductCode
	fUsageType
	fOperation
	fAvailabilityZone
	fResourceID
	fUsageAmount
	fCurrency
	fUnblendedCost
	fBlendedCost
	fNetUnblendedCost
	fDescription
	fLegalEntity
	fProductName
	fRegion
	fRegionCode
	fLocation
	fInstanceType
	fPublicOnDemandCost
	fPricingUnit
	fPricingTerm
	fReservationARN
	fReservationEffectiveCost
	fReservationUnusedAmortizedUpfront
	fReservationUnusedRecurringFee
	fSavingsPlanARN
	fSavingsPlanEffectiveCost
	fSavingsPlanTotalCommitment
	fSavingsPlanUsedCommitment
	fSavingsPlanAmortizedUpfrontCommitment
	fSavingsPlanRecurringCommitment
	// The net columns, after negotiated discounts; AWS writes them only for
	// accounts that have such discounts.
	fReservationNetEffectiveCost
	fReservationNetUnusedAmortizedUpfront
	fReservationNetUnusedRecurringFee
	fSavingsPlanNetEffectiveCost
	fSavingsPlanNetAmortizedUpfrontCommitment
	fSavingsPlanNetRecurringCommitment
	fProductMap      // CUR 2.0 map column "product"
	fResourceTagsMap // CUR 2.0 map column "resource_tags"
	fCostCategoryMap // CUR 2.0 map column "cost_category"
	numFields
)

// canonical maps each field to its canonical key: the legacy name lower-cased
// without "/" and "_".
var canonical = [numFields]string{
	fLineItemID:                            "identitylineitemid",
	fTimeInterval:                          "identitytimeinterval",
	fInvoiceID:                             "billinvoiceid",
	fInvoicingEntity:                       "billinvoicingentity",
	fBillingEntity:                         "billbillingentity",
	fBillType:                              "billbilltype",
	fPayerAccountID:                        "billpayeraccountid",
	fPayerAccountName:                      "billpayeraccountname",
	fBillingPeriodStart:                    "billbillingperiodstartdate",
	fBillingPeriodEnd:                      "billbillingperiodenddate",
	fUsageAccountID:                        "lineitemusageaccountid",
	fUsageAccountName:                      "lineitemusageaccountname",
	fLineItemType:                          "lineitemlineitemtype",
	fUsageStart:                            "lineitemusagestartdate",
	fUsageEnd:                              "lineitemusageenddate",
	fProductCode:                           "lineitemproductcode",
	fUsageType:                             "lineitemusagetype",
	fOperation:                             "lineitemoperation",
	fAvailabilityZone:                      "lineitemavailabilityzone",
	fResourceID:                            "lineitemresourceid",
	fUsageAmount:                           "lineitemusageamount",
	fCurrency:                              "lineitemcurrencycode",
	fUnblendedCost:                         "lineitemunblendedcost",
	fBlendedCost:                           "lineitemblendedcost",
	fNetUnblendedCost:                      "lineitemnetunblendedcost",
	fDescription:                           "lineitemlineitemdescription",
	fLegalEntity:                           "lineitemlegalentity",
	fProductName:                           "productproductname",
	fRegion:                                "productregion",
	fRegionCode:                            "productregioncode",
	fLocation:                              "productlocation",
	fInstanceType:                          "productinstancetype",
	fPublicOnDemandCost:                    "pricingpublicondemandcost",
	fPricingUnit:                           "pricingunit",
	fPricingTerm:                           "pricingterm",
	fReservationARN:                        "reservationreservationarn",
	fReservationEffectiveCost:              "reservationeffectivecost",
	fReservationUnusedAmortizedUpfront:     "reservationunusedamortizedupfrontfeeforbillingperiod",
	fReservationUnusedRecurringFee:         "reservationunusedrecurringfee",
	fSavingsPlanARN:                        "savingsplansavingsplanarn",
	fSavingsPlanEffectiveCost:              "savingsplansavingsplaneffectivecost",
	fSavingsPlanTotalCommitment:            "savingsplantotalcommitmenttodate",
	fSavingsPlanUsedCommitment:             "savingsplanusedcommitment",
	fSavingsPlanAmortizedUpfrontCommitment: "savingsplanamortizedupfrontcommitmentforbillingperiod",
	fSavingsPlanRecurringCommitment:        "savingsplanrecurringcommitmentforbillingperiod",
	fReservationNetEffectiveCost:           "reservationneteffectivecost",
	fReservationNetUnusedAmortizedUpfront:  "reservationnetunusedamortizedupfrontfeeforbillingperiod",
	fReservationNetUnusedRecurringFee:      "reservationnetunusedrecurringfee",
	fSavingsPlanNetEffectiveCost:           "savingsplannetsavingsplaneffectivecost",
	fSavingsPlanNetAmortizedUpfrontCommitment: "savingsplannetamortizedupfrontcommitmentforbillingperiod",
	fSavingsPlanNetRecurringCommitment:        "savingsplannetrecurringcommitmentforbillingperiod",
	fProductMap:                               "product",
	fResourceTagsMap:                          "resourcetags",
	fCostCategoryMap:                          "costcategory",
}

// required are the columns without which a row cannot become a FOCUS row.
var required = []field{fPayerAccountID, fLineItemType, fUnblendedCost}

// legacyNames are the legacy header names, for messages about missing columns.
var legacyNames = map[field]string{
	fPayerAccountID: "bill/PayerAccountId",
	fLineItemType:   "lineItem/LineItemType",
	fUnblendedCost:  "lineItem/UnblendedCost",
	fUsageStart:     "lineItem/UsageStartDate",
	fTimeInterval:   "identity/TimeInterval",
}

var byCanonical = func() map[string]field {
	m := make(map[string]field, numFields)
	for f, key := range canonical {
		m[key] = field(f)
	}
	return m
}()

// tagColumn is a resource tag or cost category held in its own column.
type tagColumn struct {
	index int
	key   string
}

// header is the column layout of one CUR file.
type header struct {
	names      []string        // the header cells as written
	index      [numFields]int  // column of each field, -1 when absent
	tags       []tagColumn     // sorted by key, unique keys
	categories []tagColumn     // sorted by key, unique keys
	snake      bool            // Athena / CUR 2.0 naming
	warnings   []headerWarning // defects worked around
}

type headerWarning struct {
	column  string
	message string
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

// parseHeader maps the header cells to fields. It fails only when a required
// column is missing; other defects become warnings.
func parseHeader(cells []string) (*header, error) {
	h := &header{names: cells}
	for i := range h.index {
		h.index[i] = -1
	}
	h.snake = !slices.ContainsFunc(cells, func(c string) bool { return strings.Contains(c, "/") })
	tags := map[string]int{}
	cats := map[string]int{}
	for i, raw := range cells {
		name := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		cells[i] = name // errors name the column as the user sees it, without a BOM
		if name == "" {
			h.warn(columnLabel(i, raw), "the header cell is empty; the column is ignored")
			continue
		}
		if tag, ok := tagKey(name); ok {
			if tag == "" {
				h.warn(name, "the tag column has no key; the column is ignored")
				continue
			}
			h.addTag(tags, tag, i, name)
			continue
		}
		if cat, ok := costCategoryKey(name); ok {
			h.addCategory(cats, cat, i, name)
			continue
		}
		if !h.snake && strings.Count(name, "/") != 1 {
			h.warn(name, "the header cell is malformed (expected category/Name; two names may have run together where a comma is missing); the column is ignored")
			continue
		}
		f, ok := byCanonical[canonicalKey(name)]
		if !ok {
			continue // an unknown column: CURs carry hundreds Reckon does not need
		}
		if h.index[f] >= 0 {
			h.warn(name, "the column appears twice; the first is used")
			continue
		}
		h.index[f] = i
	}
	h.tags = sortedColumns(tags)
	h.categories = sortedColumns(cats)
	for _, f := range required {
		if h.index[f] < 0 {
			return nil, &ParseError{Line: 1, Column: h.name(f), Problem: "the required column is missing from the header"}
		}
	}
	if h.index[fUsageStart] < 0 && h.index[fTimeInterval] < 0 {
		return nil, &ParseError{Line: 1, Column: h.name(fUsageStart),
			Problem: "the header has neither " + h.name(fUsageStart) + " nor " + h.name(fTimeInterval) + ", so rows have no time"}
	}
	return h, nil
}

// name is the column of f as this file spells it when present, else as the
// file's naming style would spell it: lineItem/UsageStartDate in a legacy
// header, line_item_usage_start_date in a snake_case one.
func (h *header) name(f field) string {
	if i := h.index[f]; i >= 0 {
		return h.names[i]
	}
	if h.snake {
		return snakeCase(legacyNames[f])
	}
	return legacyNames[f]
}

// snakeCase turns a legacy column name into its Athena and CUR 2.0 form:
// lineItem/UsageStartDate → line_item_usage_start_date.
func snakeCase(legacy string) string {
	var b strings.Builder
	for i := 0; i < len(legacy); i++ {
		c := legacy[i]
		switch {
		case c == '/':
			b.WriteByte('_')
		case c >= 'A' && c <= 'Z':
			if i > 0 && legacy[i-1] != '/' {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (h *header) warn(column, message string) {
	h.warnings = append(h.warnings, headerWarning{column, message})
}

func (h *header) addTag(seen map[string]int, key string, i int, name string) {
	if _, dup := seen[key]; dup {
		h.warn(name, "the tag key "+key+" appears twice; the first column is used")
		return
	}
	seen[key] = i
}

func (h *header) addCategory(seen map[string]int, key string, i int, name string) {
	if _, dup := seen[key]; dup {
		h.warn(name, "the cost category "+key+" appears twice; the first column is used")
		return
	}
	seen[key] = i
}

func sortedColumns(m map[string]int) []tagColumn {
	out := make([]tagColumn, 0, len(m))
	for k, i := range m {
		out = append(out, tagColumn{index: i, key: k})
	}
	slices.SortFunc(out, func(a, b tagColumn) int { return strings.Compare(a.key, b.key) })
	return out
}

// tagKey recognises a resource tag column and returns its FOCUS tag key.
func tagKey(name string) (string, bool) {
	if rest, ok := cutPrefixFold(name, "resourceTags/"); ok && rest != "" {
		return normalizeTag(rest), true
	}
	if rest, ok := cutPrefixFold(name, "resource_tags_"); ok && rest != "" {
		return normalizeTag(rest), true
	}
	return "", false
}

// costCategoryKey recognises a cost category column and returns its name.
func costCategoryKey(name string) (string, bool) {
	if rest, ok := cutPrefixFold(name, "costCategory/"); ok && rest != "" {
		return rest, true
	}
	if rest, ok := cutPrefixFold(name, "cost_category_"); ok && rest != "" {
		return rest, true
	}
	return "", false
}

// normalizeTag turns a CUR tag name into a FOCUS tag key: the user-defined
// prefix is stripped ("user:Team" → "Team", Athena's "user_team" → "team"),
// AWS-generated tags keep theirs ("aws:createdBy"; Athena's "aws_created_by"
// becomes "aws:created_by").
func normalizeTag(name string) string {
	switch {
	case hasPrefixFold(name, "user:"):
		return name[len("user:"):]
	case hasPrefixFold(name, "user_"):
		return name[len("user_"):]
	case hasPrefixFold(name, "aws_"):
		return "aws:" + name[len("aws_"):]
	}
	return name
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if hasPrefixFold(s, prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func columnLabel(i int, raw string) string {
	if raw != "" {
		return raw
	}
	return "#" + strconv.Itoa(i+1)
}
