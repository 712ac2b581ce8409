package azexport

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
)

// Options say what the caller knows about a file that its columns do not.
type Options struct {
	// Amortized marks an amortized export, whose cost column is
	// EffectiveCost: reservation and savings plan purchases are spread over
	// the usage they cover. Azure writes the same columns in both, so the
	// caller says which it asked for (the export's definition names it).
	Amortized bool
}

// Reader streams the rows of one Azure cost export CSV as FOCUS rows.
type Reader struct {
	file     string
	opts     Options
	sc       *csvscan.Scanner
	h        *header
	fields   [][]byte
	row      cost.Row
	days     [3]dayCache
	warnings []Warning
	unknown  map[string]bool // ChargeType values warned about
	unused   bool            // warned about unused commitment rows in an actual export
	rows     int64
	// The last Tags cell and subscription read, and what they became: rows
	// repeat them, and decoding JSON costs more than the rest of a row.
	tagsText string
	tags     []cost.Tag
	subText  string
	sub      string
}

// NewReader reads the header of an export from r. file names the input in
// errors and warnings. A UTF-8 byte-order mark before the header is skipped.
func NewReader(r io.Reader, file string, opts Options) (*Reader, error) {
	rd := &Reader{file: file, opts: opts, sc: csvscan.New(r)}
	names, err := rd.sc.Header()
	if errors.Is(err, io.EOF) {
		return nil, &ParseError{File: file, Line: 1, Problem: "the file is empty: an Azure cost export starts with a header line"}
	}
	if err != nil {
		return nil, rd.csvError(err)
	}
	h, err := parseHeader(names, file)
	if err != nil {
		return nil, err
	}
	rd.h = h
	rd.warnings = append(rd.warnings, h.warnings...)
	return rd, nil
}

// Dialect is the layout the header was read as.
func (r *Reader) Dialect() Dialect { return r.h.dialect }

// Line is the line number of the record last read.
func (r *Reader) Line() int { return r.sc.Line() }

// Rows is how many data rows have been read.
func (r *Reader) Rows() int64 { return r.rows }

// Warnings lists the defects worked around so far.
func (r *Reader) Warnings() []Warning { return append([]Warning(nil), r.warnings...) }

// Next returns the next row, or io.EOF after the last. The row and its
// strings are valid until the next call: Clone it to keep it. After an
// error in one row, Next goes on with the next.
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
		pe := &ParseError{File: r.file, Line: r.sc.Line(), Index: min(n, want) + 1}
		if n < want {
			pe.Column = r.h.names[n]
			pe.Problem = "the row has " + strconv.Itoa(n) + " cells but the header " + strconv.Itoa(want) +
				": the row ends before this column (a file cut short, or a line break inside an unquoted cell)"
		} else {
			pe.Problem = "the row has " + strconv.Itoa(n) + " cells but the header only " + strconv.Itoa(want) +
				" (a comma inside an unquoted cell?)"
		}
		return nil, pe
	}
	if err := r.mapRow(); err != nil {
		return nil, err
	}
	r.rows++
	return &r.row, nil
}

// cell returns the raw cell of f on the current row; nil when the column is
// absent.
func (r *Reader) cell(f field) []byte {
	i := r.h.index[f]
	if i < 0 || i >= len(r.fields) {
		return nil
	}
	return r.fields[i]
}

// str returns the cell as a string that aliases the scanner's buffer.
func (r *Reader) str(f field) string {
	b := r.cell(f)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *Reader) cellError(f field, problem string) error {
	i := r.h.index[f]
	return &ParseError{File: r.file, Line: r.sc.Line(), Column: r.h.name(f), Index: i + 1, Problem: problem}
}

// amount parses the cell of f; empty and absent cells are zero.
func (r *Reader) amount(f field) (decimal.Decimal, error) {
	b := r.cell(f)
	if len(b) == 0 {
		return decimal.Zero, nil
	}
	d, err := parseAmount(b)
	if err != nil {
		return d, r.cellError(f, err.Error())
	}
	return d, nil
}

func (r *Reader) warn(f field, message string) {
	if len(r.warnings) < 100 {
		r.warnings = append(r.warnings, Warning{File: r.file, Line: r.sc.Line(), Column: r.h.name(f), Message: message})
	}
}

func (r *Reader) mapRow() error {
	row := &r.row
	*row = cost.Row{Tags: row.Tags[:0]}

	if raw := r.str(fSubscription); raw != r.subText {
		// Derived from the clone: ToLower returns its argument when it has
		// no upper case, and raw is the scanner's buffer.
		r.subText = strings.Clone(raw)
		r.sub = strings.ToLower(strings.TrimSpace(r.subText))
	}
	sub := r.sub
	if sub == "" {
		return r.cellError(fSubscription, "the subscription is empty; every row of a cost export names its subscription")
	}
	row.SubAccountID, row.SubAccountName = sub, r.str(fSubscriptionName)
	row.BillingAccountID, row.BillingAccountName = r.str(fBillingAccountID), r.str(fBillingAccountName)
	if row.BillingAccountID == "" {
		row.BillingAccountID = sub
	}
	if row.BillingCurrency = strings.TrimSpace(r.str(fCurrency)); row.BillingCurrency == "" {
		return r.cellError(fCurrency, "the billing currency is empty")
	}
	if err := r.mapTimes(row); err != nil {
		return err
	}

	chargeType, model := r.str(fChargeType), r.str(fPricingModel)
	category, known := chargeCategory(chargeType)
	if !known && !r.unknown[chargeType] && len(r.unknown) < 20 { // a hostile file may hold millions
		if r.unknown == nil {
			r.unknown = map[string]bool{}
		}
		r.unknown[strings.Clone(chargeType)] = true // chargeType aliases the scanner's buffer
		r.warn(fChargeType, strconv.Quote(chargeType)+" is not a ChargeType Reckon knows; its rows are read as Adjustment")
	}
	if !r.opts.Amortized && !r.unused && (chargeType == "UnusedReservation" || chargeType == "UnusedSavingsPlan") {
		r.unused = true
		r.warn(fChargeType, "the file has "+chargeType+" rows, which only amortized exports hold; if it is one, read it as amortized, or its costs count as billed")
	}
	row.ChargeCategory = category
	row.ChargeFrequency = chargeFrequency(r.str(fFrequency), category)
	row.PricingCategory = pricingCategory(model, category)
	row.LineItemType = chargeType
	if err := r.mapCosts(row, model, chargeType); err != nil {
		return err
	}

	row.ProviderName, row.InvoiceIssuerName = "Microsoft", "Microsoft"
	row.PublisherName = firstNonEmpty(r.str(fPublisherName), "Microsoft")
	row.InvoiceID = r.str(fInvoiceID)
	row.ChargeDescription = firstNonEmpty(r.str(fProductName), r.str(fMeterName))

	meterCategory := r.str(fMeterCategory)
	row.ServiceName = firstNonEmpty(meterCategory, r.str(fServiceName), r.str(fConsumedService), r.str(fProductName))
	row.ServiceCategory = serviceCategory(meterCategory, r.str(fServiceFamily))
	row.ServiceCode, row.UsageType = r.str(fConsumedService), r.str(fMeterName)

	location := r.str(fResourceLocation)
	row.RegionID = regionID(location)
	row.RegionName = r.str(fLocation)
	if row.RegionName == "" && strings.Contains(location, " ") {
		row.RegionName = location
	}
	row.AvailabilityZone = r.str(fAvailabilityZone)
	row.ResourceID = strings.ToLower(r.str(fResourceID))
	row.ResourceType = strings.ToLower(r.str(fResourceType))
	if row.ResourceType == "" {
		row.ResourceType = typeOfID(row.ResourceID)
	}

	if err := r.mapQuantity(row); err != nil {
		return err
	}
	row.CommitmentDiscountID = strings.ToLower(firstNonEmpty(r.str(fBenefitID), r.str(fReservationID)))
	row.CommitmentDiscountType = commitmentType(model)
	if row.CommitmentDiscountType == "" && row.CommitmentDiscountID != "" {
		row.CommitmentDiscountType = "Reservation"
		if r.str(fBenefitID) != "" && strings.Contains(row.CommitmentDiscountID, "savingsplan") {
			row.CommitmentDiscountType = "Savings Plan"
		}
	}

	return r.mapTags(row)
}

// mapTags reads the Tags cell, reusing the last one's tags when it repeats.
func (r *Reader) mapTags(row *cost.Row) error {
	text := r.str(fTags)
	if text != r.tagsText || text == "" {
		tags, err := parseTags(r.cell(fTags), r.tags[:0])
		if err != nil {
			r.tagsText, r.tags = "", r.tags[:0]
			return r.cellError(fTags, err.Error())
		}
		r.tagsText, r.tags = strings.Clone(text), tags
	}
	row.Tags = append(row.Tags, r.tags...)
	return nil
}

func (r *Reader) mapTimes(row *cost.Row) error {
	day, err := r.day(fDate, 0)
	if err != nil {
		return err
	}
	if day.IsZero() {
		return r.cellError(fDate, "the date is empty; every row of a cost export has one")
	}
	row.ChargePeriodStart, row.ChargePeriodEnd = day, day.AddDate(0, 0, 1)
	start, err := r.day(fBillingPeriodStart, 1)
	if err != nil {
		return err
	}
	if start.IsZero() {
		start = day.AddDate(0, 0, 1-day.Day())
	}
	last, err := r.day(fBillingPeriodEnd, 2)
	if err != nil {
		return err
	}
	end := start.AddDate(0, 1, 0)
	if !last.IsZero() {
		end = last.AddDate(0, 0, 1) // Azure writes the last day; FOCUS ends exclusively
	}
	if !end.After(start) {
		return r.cellError(fBillingPeriodEnd, "the billing period ends ("+last.Format("2006-01-02")+
			") before it starts ("+start.Format("2006-01-02")+")")
	}
	row.BillingPeriodStart, row.BillingPeriodEnd = start, end
	return nil
}

// day parses the date cell of f through cache i; the zero time when empty.
func (r *Reader) day(f field, i int) (t time.Time, err error) {
	b := r.cell(f)
	if len(b) == 0 {
		return t, nil
	}
	t, err = r.days[i].parse(b)
	if err != nil {
		return t, r.cellError(f, strconv.Quote(string(b))+" "+err.Error())
	}
	return t, nil
}

func (r *Reader) mapCosts(row *cost.Row, model, chargeType string) error {
	c, err := r.amount(fCost)
	if err != nil {
		return err
	}
	row.BilledCost, row.EffectiveCost, row.ListCost = c, c, c
	// Unused commitment hours are paid by the purchase too, whatever
	// PricingModel a dialect writes on them.
	if r.opts.Amortized && (model == "Reservation" || model == "SavingsPlan" ||
		chargeType == "UnusedReservation" || chargeType == "UnusedSavingsPlan") {
		row.BilledCost = decimal.Zero
	}
	if len(r.cell(fPaygCost)) > 0 {
		if row.ListCost, err = r.amount(fPaygCost); err != nil {
			return err
		}
	}
	// Azure has no blended rates: the cost at the rates charged is the
	// billed cost, and it stands for ContractedCost too.
	row.UnblendedCost, row.BlendedCost = row.BilledCost, row.BilledCost
	return nil
}

func (r *Reader) mapQuantity(row *cost.Row) error {
	if len(r.cell(fQuantity)) == 0 {
		return nil
	}
	q, err := r.amount(fQuantity)
	if err != nil {
		return err
	}
	row.PricingQuantity = cost.NullDecimal{Decimal: q, Valid: true}
	row.PricingUnit = r.str(fUnit)
	if row.ChargeCategory == cost.ChargeUsage {
		row.ConsumedQuantity, row.ConsumedUnit = row.PricingQuantity, row.PricingUnit
	}
	return nil
}

// typeOfID returns the resource type in an ARM resource ID:
// ".../providers/microsoft.compute/virtualmachines/vm1" → microsoft.compute/virtualmachines.
func typeOfID(id string) string {
	i := strings.LastIndex(id, "/providers/")
	if i < 0 {
		return ""
	}
	parts := strings.Split(id[i+len("/providers/"):], "/")
	if len(parts) < 3 {
		return ""
	}
	typ := parts[0]
	for k := 1; k < len(parts); k += 2 {
		typ += "/" + parts[k]
	}
	return typ
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
