package awscur

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unsafe"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/csvscan"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/isotime"
)

// Reader streams the rows of one CUR CSV file (legacy CUR 1.0, its Athena
// snake_case form, or CUR 2.0) as FOCUS rows.
type Reader struct {
	file     string
	sc       *csvscan.Scanner
	h        *header
	fields   [][]byte
	row      cost.Row
	times    [4]isotime.Cache
	warnings []Warning
	rows     int64
	short    int64 // rows with fewer cells than the header
	long     int64 // rows with more cells than the header
	shortAt  int
	longAt   int
}

// NewReader reads the header of a CUR from r (plain CSV: see Decompress).
// file names the input in errors and warnings.
func NewReader(r io.Reader, file string) (*Reader, error) {
	rd := &Reader{file: file, sc: csvscan.New(r)}
	names, err := rd.sc.Header()
	if errors.Is(err, io.EOF) {
		return nil, &ParseError{File: file, Line: 1, Problem: "the file is empty: a CUR starts with a header line"}
	}
	if err != nil {
		return nil, rd.csvError(err)
	}
	h, err := parseHeader(names)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = file
		}
		return nil, err
	}
	rd.h = h
	for _, w := range h.warnings {
		rd.warnings = append(rd.warnings, Warning{File: file, Line: 1, Column: w.column, Message: w.message})
	}
	return rd, nil
}

// Line is the line number of the record last read.
func (r *Reader) Line() int { return r.sc.Line() }

// Rows is how many data rows have been read.
func (r *Reader) Rows() int64 { return r.rows }

// Warnings lists the defects worked around so far, including rows whose
// length differs from the header's.
func (r *Reader) Warnings() []Warning {
	out := append([]Warning(nil), r.warnings...)
	n := len(r.h.names)
	if r.short > 0 {
		out = append(out, Warning{File: r.file, Line: r.shortAt, Message: strconv.FormatInt(r.short, 10) +
			" rows have fewer cells than the header's " + strconv.Itoa(n) + "; the missing trailing cells are read as empty"})
	}
	if r.long > 0 {
		out = append(out, Warning{File: r.file, Line: r.longAt, Message: strconv.FormatInt(r.long, 10) +
			" rows have more cells than the header's " + strconv.Itoa(n) + "; the extra cells are ignored"})
	}
	return out
}

// Next returns the next row, or io.EOF after the last. The row and its
// strings are valid until the next call: Clone it to keep it.
func (r *Reader) Next() (*cost.Row, error) {
	fields, err := r.sc.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, r.csvError(err)
	}
	r.fields = fields
	if err := r.sc.CheckUTF8(); err != nil {
		return nil, r.csvError(err)
	}
	switch n := len(fields); {
	case n < len(r.h.names):
		if r.short == 0 {
			r.shortAt = r.sc.Line()
		}
		r.short++
	case n > len(r.h.names):
		if r.long == 0 {
			r.longAt = r.sc.Line()
		}
		r.long++
	}
	if err := r.mapRow(); err != nil {
		return nil, err
	}
	r.rows++
	return &r.row, nil
}

// cell returns the raw cell of f on the current row; nil when the column is
// absent or the row is short.
func (r *Reader) cell(f field) []byte {
	i := r.h.index[f]
	if i < 0 || i >= len(r.fields) {
		return nil
	}
	return r.fields[i]
}

// has reports whether the current row has a value for f.
func (r *Reader) has(f field) bool { return len(r.cell(f)) > 0 }

// str returns the cell as a string that aliases the scanner's buffer.
func (r *Reader) str(f field) string { return alias(r.cell(f)) }

func alias(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// maxAmount bounds a CUR amount: the store keeps the difference of two
// amounts in DECIMAL(38,18), so each must stay below 10^19 (ten quintillion
// in any currency).
var maxAmount = decimal.MustParse("10000000000000000000")

// amount parses the cell of f as a decimal; empty and absent cells are zero.
func (r *Reader) amount(f field) (decimal.Decimal, error) {
	b := r.cell(f)
	if len(b) == 0 {
		return decimal.Zero, nil
	}
	d, err := decimal.ParseBytes(b)
	if err == nil && d.Abs().Cmp(maxAmount) >= 0 {
		err = fmt.Errorf("%q: out of range: amounts must be below 10^19", b)
	}
	if err != nil {
		return decimal.Zero, r.cellError(f, err.Error())
	}
	return d, nil
}

func (r *Reader) cellError(f field, problem string) error {
	return &ParseError{File: r.file, Line: r.sc.Line(), Column: r.h.names[r.h.index[f]], Problem: problem}
}

// when parses the timestamp cell of f through the column's cache.
func (r *Reader) when(f field, cache *isotime.Cache) (time.Time, bool, error) {
	b := r.cell(f)
	if len(b) == 0 {
		return time.Time{}, false, nil
	}
	t, err := cache.Parse(b)
	if err == nil {
		err = checkEra(t)
	}
	if err != nil {
		return time.Time{}, false, r.cellError(f, strconv.Quote(string(b))+" is "+err.Error())
	}
	return t, true, nil
}

func (r *Reader) mapRow() error {
	row := &r.row
	tags, cats := row.Tags[:0], row.CostCategories[:0]
	*row = cost.Row{Tags: tags, CostCategories: cats}

	lineItemType := r.str(fLineItemType)
	productCode := r.str(fProductCode)
	usageType := r.str(fUsageType)
	row.LineItemType, row.ServiceCode, row.UsageType = lineItemType, productCode, usageType
	row.LineItemID = r.str(fLineItemID)
	row.Operation = r.str(fOperation)

	if err := r.mapAccounts(row); err != nil {
		return err
	}
	if err := r.mapTimes(row); err != nil {
		return err
	}
	if err := r.mapCosts(row, lineItemType, productCode); err != nil {
		return err
	}

	row.ProviderName = "AWS"
	row.PublisherName = firstNonEmpty(r.str(fLegalEntity), "Amazon Web Services, Inc.")
	row.InvoiceIssuerName = r.str(fInvoicingEntity)
	if row.InvoiceIssuerName == "" {
		// Older CURs lack bill/InvoicingEntity. The legal entity is the AWS
		// company that invoices, except on Marketplace rows, where it is the
		// seller and AWS still invoices.
		row.InvoiceIssuerName = "Amazon Web Services, Inc."
		if le := r.str(fLegalEntity); le != "" && r.str(fBillingEntity) != "AWS Marketplace" {
			row.InvoiceIssuerName = le
		}
	}
	row.InvoiceID = r.str(fInvoiceID)
	row.BillingCurrency = firstNonEmpty(r.str(fCurrency), "USD")
	row.ChargeCategory = chargeCategory(lineItemType)
	row.ChargeFrequency = chargeFrequency(lineItemType)
	row.PricingCategory = pricingCategory(row.ChargeCategory, lineItemType, r.str(fPricingTerm), usageType)
	row.ChargeDescription = r.str(fDescription)

	productName, region := r.str(fProductName), firstNonEmpty(r.str(fRegionCode), r.str(fRegion))
	if (productName == "" || region == "") && len(r.cell(fProductMap)) > 0 {
		m, err := r.jsonMap(fProductMap)
		if err != nil {
			return err
		}
		productName = firstNonEmpty(productName, m["product_name"])
		region = firstNonEmpty(region, m["region_code"], m["region"])
	}
	row.ServiceName = firstNonEmpty(productName, productCode)
	row.ServiceCategory = serviceCategory(productCode, usageType)
	row.RegionID = region
	row.RegionName = r.str(fLocation)
	row.AvailabilityZone = r.str(fAvailabilityZone)
	row.ResourceID = r.str(fResourceID)
	row.ResourceType = firstNonEmpty(r.str(fInstanceType), usageType)

	unit := r.str(fPricingUnit)
	row.PricingUnit = unit
	if b := r.cell(fUsageAmount); len(b) > 0 {
		q, err := decimal.ParseBytes(b)
		if err != nil {
			return r.cellError(fUsageAmount, err.Error())
		}
		row.PricingQuantity = cost.NullDecimal{Decimal: q, Valid: true}
		switch lineItemType {
		case "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage":
			row.ConsumedQuantity = row.PricingQuantity
			row.ConsumedUnit = unit
		}
	}

	if sp := r.str(fSavingsPlanARN); sp != "" {
		row.CommitmentDiscountID, row.CommitmentDiscountType = sp, "Savings Plan"
	} else if ri := r.str(fReservationARN); ri != "" {
		row.CommitmentDiscountID, row.CommitmentDiscountType = ri, "Reserved Instance"
	}
	return r.mapTags(row)
}

func (r *Reader) mapAccounts(row *cost.Row) error {
	payer := r.str(fPayerAccountID)
	if payer == "" {
		return r.cellError(fPayerAccountID, "the payer account is empty; every CUR row names its payer")
	}
	row.BillingAccountID = payer
	row.BillingAccountName = r.str(fPayerAccountName)
	row.SubAccountID = firstNonEmpty(r.str(fUsageAccountID), payer)
	row.SubAccountName = r.str(fUsageAccountName)
	return nil
}

func (r *Reader) mapTimes(row *cost.Row) error {
	start, okStart, err := r.when(fUsageStart, &r.times[0])
	if err != nil {
		return err
	}
	end, okEnd, err := r.when(fUsageEnd, &r.times[1])
	if err != nil {
		return err
	}
	if !okStart || !okEnd {
		s, e, ok, err := r.interval()
		if err != nil {
			return err
		}
		if !ok && !okStart {
			return &ParseError{File: r.file, Line: r.sc.Line(), Column: r.h.name(fUsageStart),
				Problem: "the row has no usage start date and no " + r.h.name(fTimeInterval)}
		}
		if !okStart {
			start = s
		}
		if !okEnd && ok {
			end = e
		}
	}
	if end.IsZero() {
		end = start
	}
	if end.Before(start) {
		col := fUsageEnd
		if !okEnd {
			col = fTimeInterval
		}
		return &ParseError{File: r.file, Line: r.sc.Line(), Column: r.h.name(col),
			Problem: "the usage ends (" + end.Format(time.RFC3339) + ") before it starts (" + start.Format(time.RFC3339) + ")"}
	}
	row.ChargePeriodStart, row.ChargePeriodEnd = start, end

	bpStart, okBP, err := r.when(fBillingPeriodStart, &r.times[2])
	if err != nil {
		return err
	}
	if !okBP {
		bpStart = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	bpEnd, okBPEnd, err := r.when(fBillingPeriodEnd, &r.times[3])
	if err != nil {
		return err
	}
	if !okBPEnd {
		bpEnd = bpStart.AddDate(0, 1, 0)
	}
	row.BillingPeriodStart, row.BillingPeriodEnd = bpStart, bpEnd
	return nil
}

// interval parses identity/TimeInterval, "start/end".
func (r *Reader) interval() (start, end time.Time, ok bool, err error) {
	b := r.cell(fTimeInterval)
	if len(b) == 0 {
		return start, end, false, nil
	}
	i := bytes.IndexByte(b, '/')
	if i >= 0 {
		start, err = isotime.Parse(b[:i])
		if err == nil {
			end, err = isotime.Parse(b[i+1:])
		}
	}
	if i < 0 || err != nil {
		return start, end, false, r.cellError(fTimeInterval, strconv.Quote(string(b))+" is not an interval such as 2023-11-01T00:00:00Z/2023-11-01T01:00:00Z")
	}
	if err := checkEra(start, end); err != nil {
		return start, end, false, r.cellError(fTimeInterval, strconv.Quote(string(b))+" holds a time "+err.Error())
	}
	return start, end, true, nil
}

func (r *Reader) mapCosts(row *cost.Row, lineItemType, productCode string) error {
	unblended, err := r.amount(fUnblendedCost)
	if err != nil {
		return err
	}
	blended, err := r.amount(fBlendedCost)
	if err != nil {
		return err
	}
	// An absent or empty net cell reads as "no discount": BilledCost is
	// then the unblended cost, and effectiveCost reads every net column by
	// the same rule.
	billed := unblended
	if r.has(fNetUnblendedCost) {
		if billed, err = r.amount(fNetUnblendedCost); err != nil {
			return err
		}
	}
	effective, err := effectiveCost(lineItemType, productCode, r.str(fReservationARN), billed, r)
	if err != nil {
		return err
	}
	list, err := r.amount(fPublicOnDemandCost)
	if err != nil {
		return err
	}
	row.BilledCost, row.EffectiveCost, row.ListCost = billed, effective, list
	row.UnblendedCost, row.BlendedCost = unblended, blended
	return nil
}

func (r *Reader) mapTags(row *cost.Row) error {
	for _, c := range r.h.tags {
		if c.index < len(r.fields) && len(r.fields[c.index]) > 0 {
			row.Tags = append(row.Tags, cost.Tag{Key: c.key, Value: alias(r.fields[c.index])})
		}
	}
	for _, c := range r.h.categories {
		if c.index < len(r.fields) && len(r.fields[c.index]) > 0 {
			row.CostCategories = append(row.CostCategories, cost.Tag{Key: c.key, Value: alias(r.fields[c.index])})
		}
	}
	if len(r.cell(fResourceTagsMap)) > 0 {
		m, err := r.jsonMap(fResourceTagsMap)
		if err != nil {
			return err
		}
		row.Tags = mergeTags(row.Tags, m, normalizeTag)
	}
	if len(r.cell(fCostCategoryMap)) > 0 {
		m, err := r.jsonMap(fCostCategoryMap)
		if err != nil {
			return err
		}
		row.CostCategories = mergeTags(row.CostCategories, m, func(s string) string { return s })
	}
	return nil
}

// jsonMap decodes a CUR 2.0 map column, a JSON object of strings.
func (r *Reader) jsonMap(f field) (map[string]string, error) {
	var raw map[string]any
	if err := json.Unmarshal(r.cell(f), &raw); err != nil {
		return nil, r.cellError(f, "not a JSON object: "+err.Error())
	}
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			m[k] = v
		case nil:
		default:
			b, _ := json.Marshal(v)
			m[k] = string(b)
		}
	}
	return m, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
