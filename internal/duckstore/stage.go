package duckstore

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// stagedColumns lists cost_rows' columns after load_id, in the order the
// staging CSV holds them, with the type DuckDB reads each as. Timestamps are
// staged as epoch microseconds: formatting them as text costs more than the
// whole row's other fields.
var stagedColumns = []struct{ name, typ string }{
	{"ProviderName", "VARCHAR"}, {"PublisherName", "VARCHAR"}, {"InvoiceIssuerName", "VARCHAR"}, {"InvoiceId", "VARCHAR"},
	{"BillingAccountId", "VARCHAR"}, {"BillingAccountName", "VARCHAR"}, {"SubAccountId", "VARCHAR"}, {"SubAccountName", "VARCHAR"},
	{"BillingPeriodStart", "BIGINT"}, {"BillingPeriodEnd", "BIGINT"}, {"ChargePeriodStart", "BIGINT"}, {"ChargePeriodEnd", "BIGINT"},
	{"ChargeCategory", "VARCHAR"}, {"ChargeClass", "VARCHAR"}, {"ChargeFrequency", "VARCHAR"}, {"ChargeDescription", "VARCHAR"},
	{"PricingCategory", "VARCHAR"},
	{"BilledCost", "DECIMAL(38,18)"}, {"EffectiveCost", "DECIMAL(38,18)"}, {"ListCost", "DECIMAL(38,18)"},
	{"BillingCurrency", "VARCHAR"}, {"ServiceName", "VARCHAR"}, {"ServiceCategory", "VARCHAR"},
	{"RegionId", "VARCHAR"}, {"RegionName", "VARCHAR"}, {"AvailabilityZone", "VARCHAR"},
	{"ResourceId", "VARCHAR"}, {"ResourceType", "VARCHAR"},
	{"PricingQuantity", "DECIMAL(38,18)"}, {"PricingUnit", "VARCHAR"},
	{"ConsumedQuantity", "DECIMAL(38,18)"}, {"ConsumedUnit", "VARCHAR"},
	{"CommitmentDiscountId", "VARCHAR"}, {"CommitmentDiscountType", "VARCHAR"}, {"Tags", "VARCHAR"},
	{"x_ServiceCode", "VARCHAR"}, {"x_UsageType", "VARCHAR"}, {"x_Operation", "VARCHAR"}, {"x_LineItemType", "VARCHAR"},
	{"x_LineItemId", "VARCHAR"}, {"x_UnblendedCost", "DECIMAL(38,18)"}, {"x_BlendedCost", "DECIMAL(38,18)"},
	{"x_CostCategories", "VARCHAR"},
}

// appendRow appends r as one staging CSV line in stagedColumns order.
func appendRow(b []byte, r *cost.Row) []byte {
	b = appendStrings(b, r.ProviderName, r.PublisherName, r.InvoiceIssuerName, r.InvoiceID,
		r.BillingAccountID, r.BillingAccountName, r.SubAccountID, r.SubAccountName)
	b = strconv.AppendInt(b, r.BillingPeriodStart.UnixMicro(), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.BillingPeriodEnd.UnixMicro(), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.ChargePeriodStart.UnixMicro(), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.ChargePeriodEnd.UnixMicro(), 10)
	b = append(b, ',')
	b = appendStrings(b, r.ChargeCategory, r.ChargeClass, r.ChargeFrequency, r.ChargeDescription, r.PricingCategory)
	b = appendDecimal(b, r.BilledCost)
	b = appendDecimal(b, r.EffectiveCost)
	b = appendDecimal(b, r.ListCost)
	b = appendStrings(b, r.BillingCurrency, r.ServiceName, r.ServiceCategory, r.RegionID, r.RegionName,
		r.AvailabilityZone, r.ResourceID, r.ResourceType)
	b = appendNullDecimal(b, r.PricingQuantity)
	b = appendStrings(b, r.PricingUnit)
	b = appendNullDecimal(b, r.ConsumedQuantity)
	b = appendStrings(b, r.ConsumedUnit, r.CommitmentDiscountID, r.CommitmentDiscountType)
	b = appendTags(b, r.Tags)
	b = append(b, ',')
	b = appendStrings(b, r.ServiceCode, r.UsageType, r.Operation, r.LineItemType, r.LineItemID)
	b = appendDecimal(b, r.UnblendedCost)
	b = appendDecimal(b, r.BlendedCost)
	b = appendTags(b, r.CostCategories)
	return append(b, '\n')
}

// appendStrings appends each value as a CSV field followed by a comma. An
// empty value stays unquoted, which DuckDB reads as NULL.
func appendStrings(b []byte, values ...string) []byte {
	for _, v := range values {
		b = appendField(b, v)
		b = append(b, ',')
	}
	return b
}

func appendField(b []byte, v string) []byte {
	needQuote := false
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			needQuote = true
			break
		}
	}
	if !needQuote {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, v[i])
	}
	return append(b, '"')
}

func appendDecimal(b []byte, d decimal.Decimal) []byte {
	b = d.Append(b, 0)
	return append(b, ',')
}

func appendNullDecimal(b []byte, d cost.NullDecimal) []byte {
	if d.Valid {
		b = d.Decimal.Append(b, 0)
	}
	return append(b, ',')
}

// appendTags appends tags as a CSV-quoted JSON object, or nothing (NULL)
// when there are none.
func appendTags(b []byte, tags []cost.Tag) []byte {
	if len(tags) == 0 {
		return b
	}
	b = append(b, `"{`...)
	for i, t := range tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, t.Key)
		b = append(b, ':')
		b = appendJSONString(b, t.Value)
	}
	return append(b, `}"`...)
}

// appendJSONString appends s as a JSON string whose quotes are doubled for
// the surrounding CSV field.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, `""`...)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			b = append(b, `\""`...)
		case c == '\\':
			b = append(b, `\\`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(b, `""`...)
}

// stager writes rows into numbered staging files of at most chunkRows rows
// and hands each finished file to ready.
type stager struct {
	dir       string
	loadID    int64
	chunkRows int
	ready     chan<- string
	f         *os.File
	w         *bufio.Writer
	path      string
	rows      int
	seq       int
	buf       []byte
}

func (s *stager) write(r *cost.Row) error {
	if s.f == nil {
		s.seq++
		s.path = filepath.Join(s.dir, fmt.Sprintf("stage-%d-%04d.csv", s.loadID, s.seq))
		f, err := os.Create(s.path)
		if err != nil {
			return fmt.Errorf("create staging file: %w", err)
		}
		s.f, s.rows = f, 0
		if s.w == nil {
			s.w = bufio.NewWriterSize(f, 1<<20)
		} else {
			s.w.Reset(f)
		}
	}
	s.buf = appendRow(s.buf[:0], r)
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("write staging file: %w", err)
	}
	s.rows++
	if s.rows >= s.chunkRows {
		return s.flush()
	}
	return nil
}

// flush closes the current file and hands it on.
func (s *stager) flush() error {
	if s.f == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if err != nil {
		return fmt.Errorf("write staging file: %w", err)
	}
	s.ready <- s.path
	return nil
}

// abort removes the file being written.
func (s *stager) abort() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.path)
		s.f = nil
	}
}
