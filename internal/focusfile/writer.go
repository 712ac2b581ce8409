package focusfile

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Writer writes cost rows as a FOCUS 1.2 CSV file, which Reader reads back
// into the same rows.
//
// The columns are the FOCUS 1.2 columns a Row holds: every Mandatory one,
// and the Conditional and Recommended ones Reckon can fill, in the
// specification's order (alphabetical by column ID); then Reckon's own x_
// columns (XColumns); then the x_ columns of other sources (Row.Extra)
// named to NewWriter. Conditional columns Reckon has no value for
// (BillingAccountType, CapacityReservationId, CommitmentDiscountCategory,
// ResourceName, SkuId, ...) are left out, as FOCUS allows for a feature the
// data does not have.
//
// Values: a string Reckon does not hold is an empty cell, FOCUS's null;
// amounts are exact, as decimal.Decimal prints them; dates are ISO 8601 in
// UTC with a Z (seconds, and a fraction only when there is one); Tags and
// x_CostCategories are JSON objects of strings.
//
// Where FOCUS forbids null and a value follows from the row, the writer
// derives it:
//   - ContractedCost is Row.ContractedCost when the source gave one, else
//     x_UnblendedCost: the cost at the prices agreed with the provider,
//     before commitment discounts and credits.
//
// Where FOCUS forbids null but nothing in the row says what the value is,
// the cell stays null rather than hold a guess that would change the
// totals by that column: ChargeFrequency, InvoiceIssuerName, PublisherName,
// ServiceCategory and ServiceName of rows whose source had none.
//
// Text reads back as written, except the word NULL in any case, which
// Reader takes for null as some exports write it, and a CR LF inside a
// value, which it reads as LF, as RFC 4180 readers do.
//
// A value that is not one FOCUS allows is never written: Write refuses a
// row whose ChargeCategory, ChargeClass, ChargeFrequency, PricingCategory
// or ServiceCategory is not in cost's lists, whose periods are missing, or
// whose Extra names a column the header has not.
type Writer struct {
	w      *csv.Writer
	extra  []string       // the Extra columns, as in the header
	at     map[string]int // index in the record of each Extra column
	record []string
	rows   int64
}

// Columns are the FOCUS 1.2 columns the writer writes, in order.
var Columns = []string{
	"AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
	"BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
	"ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountId", "CommitmentDiscountType",
	"ConsumedQuantity", "ConsumedUnit", "ContractedCost", "EffectiveCost", "InvoiceId", "InvoiceIssuerName",
	"ListCost", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
	"RegionId", "RegionName", "ResourceId", "ResourceType", "ServiceCategory", "ServiceName",
	"SubAccountId", "SubAccountName", "Tags",
}

// XColumns are Reckon's own x_ columns, written after the FOCUS ones.
var XColumns = []string{
	"x_ServiceCode", "x_UsageType", "x_Operation", "x_LineItemType",
	"x_UnblendedCost", "x_BlendedCost", "x_CostCategories",
}

// NewWriter writes the header to w: the FOCUS columns, XColumns, then
// extra, the x_ columns of the rows' Extra, each once. The header is
// buffered until Flush, like the rows.
func NewWriter(w io.Writer, extra []string) (*Writer, error) {
	fw := &Writer{w: csv.NewWriter(w), at: make(map[string]int, len(extra))}
	header := slices.Concat(Columns, XColumns)
	for _, x := range extra {
		switch {
		case len(x) < 3 || !strings.HasPrefix(x, "x_"):
			return nil, cost.Errorf(cost.EInvalid, "extra column %q: FOCUS custom columns start with x_", x)
		case x != strings.TrimSpace(strings.TrimPrefix(x, "\ufeff")) || len(strings.TrimSpace(x)) < 3:
			// A reader trims a header cell: the column would come back
			// under another name.
			return nil, cost.Errorf(cost.EInvalid, "extra column %q: a column name has no spaces at its ends", x)
		case slices.ContainsFunc(XColumns, func(c string) bool { return strings.EqualFold(c, x) }) || fw.at[x] > 0:
			return nil, cost.Errorf(cost.EInvalid, "extra column %q appears twice in the header", x)
		}
		fw.at[x] = len(header)
		header = append(header, x)
	}
	fw.extra = slices.Clone(extra)
	fw.record = make([]string, len(header))
	if err := fw.w.Write(header); err != nil {
		return nil, err
	}
	return fw, nil
}

// Rows is how many rows have been written.
func (w *Writer) Rows() int64 { return w.rows }

// Write writes one row, or refuses it (see Writer) with an Invalid error
// that names the row, the column and the value.
func (w *Writer) Write(r *cost.Row) error {
	if err := w.check(r); err != nil {
		return err
	}
	contracted := r.UnblendedCost
	if r.ContractedCost.Valid {
		contracted = r.ContractedCost.Decimal
	}
	rec := w.record
	n := copy(rec, []string{
		r.AvailabilityZone, r.BilledCost.String(), r.BillingAccountID, r.BillingAccountName, r.BillingCurrency,
		when(r.BillingPeriodEnd), when(r.BillingPeriodStart), r.ChargeCategory, r.ChargeClass, r.ChargeDescription,
		r.ChargeFrequency, when(r.ChargePeriodEnd), when(r.ChargePeriodStart), r.CommitmentDiscountID, r.CommitmentDiscountType,
		quantity(r.ConsumedQuantity), r.ConsumedUnit, contracted.String(), r.EffectiveCost.String(), r.InvoiceID, r.InvoiceIssuerName,
		r.ListCost.String(), r.PricingCategory, quantity(r.PricingQuantity), r.PricingUnit, r.ProviderName, r.PublisherName,
		r.RegionID, r.RegionName, r.ResourceID, r.ResourceType, r.ServiceCategory, r.ServiceName,
		r.SubAccountID, r.SubAccountName, tagsJSON(r.Tags),
		r.ServiceCode, r.UsageType, r.Operation, r.LineItemType,
		r.UnblendedCost.String(), r.BlendedCost.String(), tagsJSON(r.CostCategories),
	})
	for i := n; i < len(rec); i++ {
		rec[i] = ""
	}
	for _, x := range r.Extra {
		rec[w.at[x.Key]] = x.Value // check made sure the column exists
	}
	w.rows++
	return w.w.Write(rec)
}

// Flush writes what is buffered to the underlying writer.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// check refuses a row the file could not hold as FOCUS 1.2 allows.
func (w *Writer) check(r *cost.Row) error {
	for _, c := range []struct {
		column, value string
		allowed       []string
		nullable      bool
	}{
		{"ChargeCategory", r.ChargeCategory, cost.ChargeCategories, false},
		{"ChargeClass", r.ChargeClass, cost.ChargeClasses, true},
		{"ChargeFrequency", r.ChargeFrequency, cost.ChargeFrequencies, true},
		{"PricingCategory", r.PricingCategory, cost.PricingCategories, true},
		{"ServiceCategory", r.ServiceCategory, cost.ServiceCategories, true},
	} {
		if (c.value == "" && c.nullable) || slices.Contains(c.allowed, c.value) {
			continue
		}
		return w.refuse(r, c.column, c.value, "is not a FOCUS 1.2 value; FOCUS allows "+strings.Join(c.allowed, ", "))
	}
	for _, t := range []struct {
		column string
		value  time.Time
	}{
		{"BillingPeriodStart", r.BillingPeriodStart}, {"BillingPeriodEnd", r.BillingPeriodEnd},
		{"ChargePeriodStart", r.ChargePeriodStart}, {"ChargePeriodEnd", r.ChargePeriodEnd},
	} {
		if t.value.IsZero() {
			return w.refuse(r, t.column, "", "is missing; FOCUS requires it on every row")
		}
	}
	for _, x := range r.Extra {
		if _, ok := w.at[x.Key]; !ok {
			return w.refuse(r, x.Key, x.Value, "is in a column the file's header does not have; name every Extra key to NewWriter")
		}
	}
	return nil
}

func (w *Writer) refuse(r *cost.Row, column, value, problem string) error {
	return cost.Errorf(cost.EInvalid, "FOCUS export, row %d (account %s, charge period from %s): %s %s %s",
		w.rows+1, cost.Quote(r.SubAccountID), when(r.ChargePeriodStart), column, cost.Quote(value), problem)
}

// when writes a time in FOCUS's date/time format; the zero time is null.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.999999999Z")
}

func quantity(q cost.NullDecimal) string {
	if !q.Valid {
		return ""
	}
	return q.Decimal.String()
}

// tagsJSON writes tags as a JSON object of strings; none is null.
func tagsJSON(tags []cost.Tag) string {
	if len(tags) == 0 {
		return ""
	}
	b := []byte{'{'}
	for i, t := range tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, t.Key)
		b = append(b, ':')
		b = appendJSONString(b, t.Value)
	}
	return string(append(b, '}'))
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
