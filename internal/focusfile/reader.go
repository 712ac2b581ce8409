package focusfile

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/csvscan"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/isotime"
)

// Reader streams the rows of one FOCUS CSV file as cost rows.
type Reader struct {
	file     string
	sc       *csvscan.Scanner
	h        *header
	fields   [][]byte
	row      cost.Row
	times    [4]isotime.Cache
	warnings []Warning
	rows     int64
}

// NewReader reads the header of a FOCUS CSV file from r. file names the
// input in errors and warnings.
func NewReader(r io.Reader, file string) (*Reader, error) {
	rd := &Reader{file: file, sc: csvscan.New(r)}
	names, err := rd.sc.Header()
	if errors.Is(err, io.EOF) {
		return nil, &ParseError{File: file, Line: 1, Problem: "the file is empty: a FOCUS file starts with a header line"}
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

// Warnings lists the defects worked around and the columns not kept.
func (r *Reader) Warnings() []Warning { return append([]Warning(nil), r.warnings...) }

// Extra returns the non-empty x_ cells of the row last read that cost.Row
// has no field for, keyed by column name as written (for example
// Microsoft's x_SkuMeterCategory), sorted by name: the row's Extra. They
// are valid until the next call to Next.
func (r *Reader) Extra() []cost.Tag { return r.row.Extra }

// ExtraColumns names the x_ columns Extra reads, in file order.
func (r *Reader) ExtraColumns() []string { return r.h.extraNames() }

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
	if n, want := len(fields), len(r.h.names); n != want {
		problem := "the row has " + strconv.Itoa(n) + " cells, the header " + strconv.Itoa(want)
		if n < want {
			problem += ": the file may be truncated, or a cell lost its comma"
			return nil, &ParseError{File: r.file, Line: r.sc.Line(), Column: r.columnName(n), Problem: problem}
		}
		return nil, &ParseError{File: r.file, Line: r.sc.Line(), Column: r.columnName(want), Problem: problem + ": a cell holds an unquoted comma"}
	}
	if err := r.mapRow(); err != nil {
		return nil, err
	}
	r.rows++
	return &r.row, nil
}

// cell returns the raw cell of f on the current row; nil when the column is
// absent or the cell null. Some exports (the FOCUS sample data among them)
// write null as the word NULL, which no FOCUS value is.
func (r *Reader) cell(f field) []byte {
	i := r.h.index[f]
	if i < 0 {
		return nil
	}
	return nullable(r.fields[i])
}

func nullable(b []byte) []byte {
	if len(b) == 4 && strings.EqualFold(alias(b), "null") {
		return nil
	}
	return b
}

// str returns the cell as a string that aliases the scanner's buffer.
func (r *Reader) str(f field) string { return alias(r.cell(f)) }

func alias(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *Reader) cellError(f field, problem string) error {
	return &ParseError{File: r.file, Line: r.sc.Line(), Column: r.h.name(f), Problem: problem}
}

// maxAmount bounds an amount: the store keeps the difference of two amounts
// in DECIMAL(38,18), so each must stay below 10^19.
var maxAmount = decimal.MustParse("10000000000000000000")

// amount parses the cell of f as an exact decimal, in plain or scientific
// notation (decimal.Parse reads both; digits past the 18th decimal place
// round half to even). ok is false when the cell is empty or null.
func (r *Reader) amount(f field) (d decimal.Decimal, ok bool, err error) {
	b := r.cell(f)
	if len(b) == 0 {
		return decimal.Zero, false, nil
	}
	d, err = decimal.ParseBytes(b)
	if err != nil {
		return decimal.Zero, false, r.cellError(f, "not a number: "+err.Error()+"; FOCUS amounts are decimals such as 12.5 or 1.5E-7, without currency signs or thousands separators")
	}
	if d.Abs().Cmp(maxAmount) >= 0 {
		return decimal.Zero, false, r.cellError(f, strconv.Quote(string(b))+" is out of range: amounts must be below 10^19")
	}
	return d, true, nil
}

func (r *Reader) quantity(f field) (cost.NullDecimal, error) {
	d, ok, err := r.amount(f)
	return cost.NullDecimal{Decimal: d, Valid: ok}, err
}

// when parses the required timestamp cell of f through the column's cache.
func (r *Reader) when(f field, cache *isotime.Cache) (time.Time, error) {
	b := r.cell(f)
	if len(b) == 0 {
		return time.Time{}, r.cellError(f, "the date is empty; FOCUS requires it on every row")
	}
	t, err := cache.Parse(b)
	if err == nil && t.IsZero() {
		err = errZeroTime
	}
	if err != nil {
		return time.Time{}, r.cellError(f, strconv.Quote(string(b))+" is "+err.Error())
	}
	return t, nil
}

func (r *Reader) mapRow() error {
	row := &r.row
	tags, cats, extra := row.Tags[:0], row.CostCategories[:0], row.Extra[:0]
	*row = cost.Row{Tags: tags, CostCategories: cats, Extra: extra}
	if err := r.mapTimes(row); err != nil {
		return err
	}
	if err := r.mapCosts(row); err != nil {
		return err
	}
	row.ProviderName = r.str(fServiceProviderName)
	if row.ProviderName == "" {
		row.ProviderName = r.str(fProviderName)
	}
	row.PublisherName = r.str(fPublisherName)
	row.InvoiceIssuerName = r.str(fInvoiceIssuerName)
	row.InvoiceID = r.str(fInvoiceID)
	row.BillingAccountID = r.str(fBillingAccountID)
	row.BillingAccountName = r.str(fBillingAccountName)
	row.SubAccountID = r.str(fSubAccountID)
	row.SubAccountName = r.str(fSubAccountName)
	microsoftAccounts(row)
	if err := r.mapCharge(row); err != nil {
		return err
	}
	row.BillingCurrency = r.str(fBillingCurrency)
	row.ServiceName = r.str(fServiceName)
	row.ServiceCategory = r.str(fServiceCategory)
	row.RegionID = r.str(fRegionID)
	row.RegionName = r.str(fRegionName)
	row.AvailabilityZone = r.str(fAvailabilityZone)
	row.ResourceID = r.str(fResourceID)
	row.ResourceType = r.str(fResourceType)
	row.PricingUnit = r.str(fPricingUnit)
	row.ConsumedUnit = r.str(fConsumedUnit)
	row.CommitmentDiscountID = r.str(fCommitmentDiscountID)
	row.CommitmentDiscountType = r.str(fCommitmentDiscountType)
	row.ServiceCode = r.str(fXServiceCode)
	row.UsageType = r.str(fXUsageType)
	row.Operation = r.str(fXOperation)
	row.LineItemType = r.str(fXLineItemType)
	var err error
	if row.PricingQuantity, err = r.quantity(fPricingQuantity); err != nil {
		return err
	}
	if row.ConsumedQuantity, err = r.quantity(fConsumedQuantity); err != nil {
		return err
	}
	if err := r.mapTags(row); err != nil {
		return err
	}
	r.mapExtra(row)
	return nil
}

func (r *Reader) mapTimes(row *cost.Row) error {
	var t [4]time.Time
	for k, f := range [4]field{fBillingPeriodStart, fBillingPeriodEnd, fChargePeriodStart, fChargePeriodEnd} {
		var err error
		if t[k], err = r.when(f, &r.times[k]); err != nil {
			return err
		}
	}
	if t[1].Before(t[0]) {
		return r.cellError(fBillingPeriodEnd, "the billing period ends ("+t[1].Format(time.RFC3339)+") before it starts ("+t[0].Format(time.RFC3339)+")")
	}
	if t[3].Before(t[2]) {
		return r.cellError(fChargePeriodEnd, "the charge period ends ("+t[3].Format(time.RFC3339)+") before it starts ("+t[2].Format(time.RFC3339)+")")
	}
	row.BillingPeriodStart, row.BillingPeriodEnd = t[0], t[1]
	row.ChargePeriodStart, row.ChargePeriodEnd = t[2], t[3]
	return nil
}

func (r *Reader) mapCosts(row *cost.Row) error {
	billed, ok, err := r.amount(fBilledCost)
	if err != nil {
		return err
	}
	if !ok {
		return r.cellError(fBilledCost, "the cost is empty; FOCUS requires BilledCost on every row (0 when nothing is billed)")
	}
	effective := billed
	if r.h.index[fEffectiveCost] >= 0 {
		if effective, ok, err = r.amount(fEffectiveCost); err != nil {
			return err
		}
		if !ok {
			return r.cellError(fEffectiveCost, "the cost is empty; FOCUS requires EffectiveCost on every row (0 when nothing is owed)")
		}
	}
	list, _, err := r.amount(fListCost)
	if err != nil {
		return err
	}
	contracted, err := r.quantity(fContractedCost)
	if err != nil {
		return err
	}
	// Reckon's own export writes these; other files have none, and they
	// stay 0 as before.
	unblended, _, err := r.amount(fXUnblendedCost)
	if err != nil {
		return err
	}
	blended, _, err := r.amount(fXBlendedCost)
	if err != nil {
		return err
	}
	row.BilledCost, row.EffectiveCost, row.ListCost = billed, effective, list
	row.ContractedCost, row.UnblendedCost, row.BlendedCost = contracted, unblended, blended
	return nil
}

// ContractedCost returns the ContractedCost of the row last read (the
// row's ContractedCost); ok is false when the cell is empty or absent.
func (r *Reader) ContractedCost() (d decimal.Decimal, ok bool) {
	return r.row.ContractedCost.Decimal, r.row.ContractedCost.Valid
}

// mapExtra keeps the non-empty x_ cells with no field of their own in the
// row's Extra, sorted by column name (the header's names are unique).
func (r *Reader) mapExtra(row *cost.Row) {
	for _, x := range r.h.sorted {
		if b := nullable(r.fields[x.index]); len(b) > 0 {
			row.Extra = append(row.Extra, cost.Tag{Key: x.name, Value: alias(b)})
		}
	}
}
