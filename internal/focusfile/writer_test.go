package focusfile

import (
	"bytes"
	"encoding/csv"

	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// mandatory12 are the columns FOCUS 1.2 marks Mandatory (Feature level in
// specification/columns/*.md at tag v1.2), typed here from the
// specification rather than taken from the writer.
var mandatory12 = []string{
	"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
	"BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
	"ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
	"PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
}

func TestTheHeaderHasEveryMandatoryColumnInTheSpecificationsOrder(t *testing.T) {
	var out bytes.Buffer
	w, err := NewWriter(&out, []string{"x_SkuMeterCategory", "x_Discounts"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	header, err := csv.NewReader(&out).Read()
	if err != nil {
		t.Fatal(err)
	}
	focus := header[:len(header)-len(XColumns)-2]
	for _, c := range mandatory12 {
		if !slices.Contains(focus, c) {
			t.Errorf("the header lacks the mandatory column %s", c)
		}
	}
	// FOCUS 1.2 presents its columns alphabetically by column ID.
	if !slices.IsSorted(focus) {
		t.Errorf("the FOCUS columns are not in the specification's order: %q", focus)
	}
	for _, c := range header[len(focus):] {
		if !strings.HasPrefix(c, "x_") {
			t.Errorf("column %s after the FOCUS ones is not a custom x_ column", c)
		}
	}
	if got := header[len(header)-2:]; !slices.Equal(got, []string{"x_SkuMeterCategory", "x_Discounts"}) {
		t.Errorf("the extra columns are %q, in the order given", got)
	}
}

// fullRow has a value in every field the writer writes.
func fullRow() *cost.Row {
	d := decimal.MustParse
	q := func(s string) cost.NullDecimal { return cost.NullDecimal{Decimal: d(s), Valid: true} }
	start := time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)
	return &cost.Row{
		ProviderName: "AWS", PublisherName: "Amazon Web Services, Inc.", InvoiceIssuerName: "AWS EMEA SARL", InvoiceID: "INV-1",
		BillingAccountID: "012345678901", BillingAccountName: "Payer", SubAccountID: "000000000042", SubAccountName: "Dev, \"QA\"",
		BillingPeriodStart: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), BillingPeriodEnd: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour),
		ChargeCategory: cost.ChargeUsage, ChargeClass: "Correction", ChargeFrequency: "Usage-Based",
		ChargeDescription: "multi\nline, with \"quotes\"", PricingCategory: "Committed",
		BilledCost: d("-1.000000000000000001"), EffectiveCost: d("0.000000000000000001"), ListCost: d("99999999999.5"),
		BillingCurrency: "USD", ServiceName: "Amazon EC2", ServiceCategory: "Compute",
		RegionID: "eu-west-1", RegionName: "Europe (Ireland)", AvailabilityZone: "eu-west-1a",
		ResourceID: "i-0123", ResourceType: "Instance",
		PricingQuantity: q("24"), PricingUnit: "Hours", ConsumedQuantity: q("0.5"), ConsumedUnit: "Hours",
		CommitmentDiscountID: "arn:aws:savingsplans::1:sp/x", CommitmentDiscountType: "Savings Plan",
		Tags:        []cost.Tag{{Key: "env", Value: "prod"}, {Key: "k\"ey", Value: "v\\al\nue"}, {Key: "only-key"}},
		ServiceCode: "AmazonEC2", UsageType: "BoxUsage:t3.medium", Operation: "RunInstances", LineItemType: "SavingsPlanCoveredUsage",
		UnblendedCost: d("2.5"), BlendedCost: d("2.25"),
		CostCategories: []cost.Tag{{Key: "Unit", Value: "Data & AI"}},
		ContractedCost: q("2.4"),
		Extra:          []cost.Tag{{Key: "x_Discounts", Value: `{"a":1}`}, {Key: "x_SkuMeterCategory", Value: "Virtual Machines"}},
	}
}

// writeRows writes rows with the extra columns and returns the file.
func writeRows(t *testing.T, extra []string, rows ...*cost.Row) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, extra)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestTheReaderReadsTheWritersRowsBackExactly(t *testing.T) {
	full := fullRow()
	sparse := &cost.Row{ // only what the store requires
		ProviderName: "Microsoft", BillingAccountID: "ba", BillingCurrency: "EUR", ChargeCategory: cost.ChargeTax,
		BillingPeriodStart: full.BillingPeriodStart, BillingPeriodEnd: full.BillingPeriodEnd,
		ChargePeriodStart: time.Date(2026, 9, 30, 23, 59, 59, 500000000, time.UTC), ChargePeriodEnd: full.BillingPeriodEnd,
		BilledCost: decimal.MustParse("7"), EffectiveCost: decimal.MustParse("7"), UnblendedCost: decimal.MustParse("6.5"),
	}
	data := writeRows(t, []string{"x_SkuMeterCategory", "x_Discounts"}, full, sparse)
	got, err := readString(string(data))
	if err != nil {
		t.Fatal(err)
	}
	// ContractedCost is always written: the source's, else x_UnblendedCost.
	wantSparse := *sparse
	wantSparse.ContractedCost = cost.NullDecimal{Decimal: sparse.UnblendedCost, Valid: true}
	for i, want := range []*cost.Row{full, &wantSparse} {
		if !reflect.DeepEqual(normal(got[i]), normal(want)) {
			t.Errorf("row %d read back as\n%+v\nwant\n%+v", i, got[i], want)
		}
	}
}

// normal makes empty and nil slices compare equal.
func normal(r *cost.Row) *cost.Row {
	c := *r
	for _, p := range []*[]cost.Tag{&c.Tags, &c.CostCategories, &c.Extra} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return &c
}

// TestTheCellsAreWrittenAsFOCUSSaysWithoutTheReader reads the file with
// encoding/csv and checks the cells as text.
func TestTheCellsAreWrittenAsFOCUSSaysWithoutTheReader(t *testing.T) {
	full := fullRow()
	noContract := fullRow()
	noContract.ContractedCost, noContract.PricingQuantity, noContract.Tags, noContract.Extra = cost.NullDecimal{}, cost.NullDecimal{}, nil, nil
	noContract.ChargePeriodStart = noContract.ChargePeriodStart.In(time.FixedZone("CEST", 2*3600))
	recs, err := csv.NewReader(bytes.NewReader(writeRows(t, []string{"x_SkuMeterCategory", "x_Discounts"}, full, noContract))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cell := func(row int, column string) string {
		return recs[row][slices.Index(recs[0], column)]
	}
	for _, c := range []struct {
		row          int
		column, want string
	}{
		{1, "BilledCost", "-1.000000000000000001"},
		{1, "EffectiveCost", "0.000000000000000001"},
		{1, "ListCost", "99999999999.5"},
		{1, "ContractedCost", "2.4"},
		{2, "ContractedCost", "2.5"}, // x_UnblendedCost
		{1, "ChargePeriodStart", "2026-09-14T03:00:00Z"},
		{2, "ChargePeriodStart", "2026-09-14T03:00:00Z"}, // in UTC whatever the zone
		{1, "BillingPeriodEnd", "2026-10-01T00:00:00Z"},
		{1, "PricingQuantity", "24.0"},
		{2, "PricingQuantity", ""}, // null
		{1, "Tags", `{"env":"prod","k\"ey":"v\\al\nue","only-key":""}`},
		{2, "Tags", ""},
		{1, "x_CostCategories", `{"Unit":"Data \u0026 AI"}`},
		{1, "x_SkuMeterCategory", "Virtual Machines"},
		{2, "x_SkuMeterCategory", ""},
		{1, "SubAccountId", "000000000042"},
		{1, "x_UnblendedCost", "2.5"},
		{1, "x_BlendedCost", "2.25"},
		{1, "x_LineItemType", "SavingsPlanCoveredUsage"},
	} {
		if got := cell(c.row, c.column); got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.column, got, c.want)
		}
	}
}

func TestTheWriterRefusesWhatFOCUSDoesNotAllow(t *testing.T) {
	for _, c := range []struct {
		name   string
		tweak  func(*cost.Row)
		column string
	}{
		{"an empty charge category", func(r *cost.Row) { r.ChargeCategory = "" }, "ChargeCategory"},
		{"a charge category in the wrong case", func(r *cost.Row) { r.ChargeCategory = "usage" }, "ChargeCategory"},
		{"a charge class other than Correction", func(r *cost.Row) { r.ChargeClass = "Refund" }, "ChargeClass"},
		{"a charge frequency FOCUS does not have", func(r *cost.Row) { r.ChargeFrequency = "Monthly" }, "ChargeFrequency"},
		{"a pricing category from the 1.0 preview", func(r *cost.Row) { r.PricingCategory = "On-Demand" }, "PricingCategory"},
		{"a service category FOCUS does not have", func(r *cost.Row) { r.ServiceCategory = "AI/ML" }, "ServiceCategory"},
		{"no charge period", func(r *cost.Row) { r.ChargePeriodStart = time.Time{} }, "ChargePeriodStart"},
		{"an extra column the header lacks", func(r *cost.Row) { r.Extra = append(r.Extra, cost.Tag{Key: "x_Zone", Value: "z"}) }, "x_Zone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := fullRow()
			c.tweak(r)
			var out bytes.Buffer
			w, err := NewWriter(&out, []string{"x_SkuMeterCategory", "x_Discounts"})
			if err != nil {
				t.Fatal(err)
			}
			err = w.Write(r)
			if cost.ErrorCode(err) != cost.EInvalid || !strings.Contains(err.Error(), c.column) || !strings.Contains(err.Error(), "row 1") {
				t.Fatalf("Write = %v, want an Invalid error naming row 1 and %s", err, c.column)
			}
			if w.Flush(); bytes.Count(out.Bytes(), []byte("\n")) != 1 {
				t.Errorf("the refused row was written: %q", out.String())
			}
		})
	}
	for _, extra := range [][]string{{"Discounts"}, {"x_"}, {"x_A", "x_A"}, {"x_UnblendedCost"}, {"x_unblendedcost"}, {"x_ "}, {"x_a "}} {
		if _, err := NewWriter(io.Discard, extra); cost.ErrorCode(err) != cost.EInvalid {
			t.Errorf("NewWriter with extra %q = %v, want Invalid", extra, err)
		}
	}
}

// FuzzWriterRoundTrip writes a row holding fuzzed text and amounts and
// reads it back: every value must come back as written.
func FuzzWriterRoundTrip(f *testing.F) {
	f.Add("plain", "env", "prod", "x_Note", "1.5", "n")
	f.Add("a,\"b\"\nc", "k\"\\", "\u00e9\t", "x_a", "-0.000000000000000001", "\r\n")
	f.Add("", "", "", "x_", "99999999999", " ")
	f.Fuzz(func(t *testing.T, text, tagKey, tagValue, extraKey, amount, extraValue string) {
		r := fullRow()
		d, err := decimal.Parse(amount)
		if err != nil || !d.InRange() || d.Abs().Cmp(maxAmount) >= 0 {
			return
		}
		for _, s := range []string{text, tagKey, tagValue, extraKey, extraValue} {
			if !validText(s) {
				return
			}
		}
		r.ChargeDescription, r.ResourceID, r.BilledCost, r.ConsumedQuantity.Decimal = text, text, d, d
		r.Tags, r.Extra = nil, nil
		if tagKey != "" {
			r.Tags = []cost.Tag{{Key: tagKey, Value: tagValue}}
		}
		var extra []string
		// NewWriter refuses a name a reader would not give back (spaces at
		// its ends; TestWriterRefuses checks it).
		if len(extraKey) > 2 && strings.HasPrefix(extraKey, "x_") && lookupNone(extraKey) && extraKey == strings.TrimSpace(extraKey) {
			extra = []string{extraKey}
			if extraValue != "" {
				r.Extra = []cost.Tag{{Key: extraKey, Value: extraValue}}
			}
		}
		got, err := readString(string(writeRows(t, extra, r)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(normal(got[0]), normal(r)) {
			t.Fatalf("read back as\n%+v\nwant\n%+v", got, r)
		}
	})
}

// validText reports whether s is text a FOCUS CSV file gives back as
// written: the reader refuses text that is not UTF-8, reads the word null
// as FOCUS's null, and reads a CR LF inside a quoted cell as LF, as RFC
// 4180 readers do.
func validText(s string) bool {
	return strings.ToValidUTF8(s, "\ufffd") == s && !strings.EqualFold(s, "null") && !strings.Contains(s, "\r\n")
}

// lookupNone reports whether name is no column the reader knows.
func lookupNone(name string) bool {
	f, _ := lookup(name)
	return f < 0
}
