package awscur

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// kokuDir holds real CUR files from project-koku's test suite, copied with
// their source and licence (testdata/FIXTURES.md).
const kokuDir = "testdata/koku"

// rawCUR is a CUR read with encoding/csv and compress/gzip: nothing of the
// package under test (scanner, header mapping, decimals, timestamps) is used
// to compute what the reader should produce.
type rawCUR struct {
	header []string
	rows   [][]string
	col    map[string]int
}

func readRaw(t *testing.T, path string) rawCUR {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // test_cur.csv has short rows
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read %s: %v", path, err)
	}
	c := rawCUR{header: records[0], rows: records[1:], col: map[string]int{}}
	for i, name := range c.header {
		c.col[name] = i
	}
	return c
}

// cell returns the first of the named columns that the file has (legacy
// name first, then snake_case), "" when it has none or the row is short.
func (c rawCUR) cell(row []string, names ...string) string {
	for _, n := range names {
		if i, ok := c.col[n]; ok {
			if i < len(row) {
				return row[i]
			}
			return ""
		}
	}
	return ""
}

func (c rawCUR) amount(t *testing.T, row []string, names ...string) *big.Rat {
	t.Helper()
	s := c.cell(row, names...)
	if s == "" {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("%s is not a number: %q", names[0], s)
	}
	return r
}

// totals are sums of cost grouped by dimension, then by key.
type totals map[string]map[string]*big.Rat

func (s totals) add(dim, key string, v *big.Rat) {
	if s[dim] == nil {
		s[dim] = map[string]*big.Rat{}
	}
	if s[dim][key] == nil {
		s[dim][key] = new(big.Rat)
	}
	s[dim][key].Add(s[dim][key], v)
}

// addRow adds v under every dimension the fixture tests group by.
func (s totals) addRow(v *big.Rat, account, service, lineItemType, day string, tags, categories []string) {
	s.add("all", "", v)
	s.add("usage account", account, v)
	s.add("service", service, v)
	s.add("line item type", lineItemType, v)
	s.add("day", day, v)
	for _, kv := range tags {
		s.add("tag", kv, v)
	}
	for _, kv := range categories {
		s.add("cost category", kv, v)
	}
}

// rawTotals computes BilledCost and EffectiveCost sums from the raw cells,
// following aws-facts.md rather than the package's code.
func rawTotals(t *testing.T, c rawCUR) (billed, effective totals) {
	billed, effective = totals{}, totals{}
	for _, row := range c.rows {
		unblended := c.amount(t, row, "lineItem/UnblendedCost", "line_item_unblended_cost")
		bill := unblended
		if c.cell(row, "lineItem/NetUnblendedCost", "line_item_net_unblended_cost") != "" {
			bill = c.amount(t, row, "lineItem/NetUnblendedCost", "line_item_net_unblended_cost")
		}
		typ := c.cell(row, "lineItem/LineItemType", "line_item_line_item_type")
		eff := rawEffectiveCost(t, c, row, typ, unblended)

		account := c.cell(row, "lineItem/UsageAccountId", "line_item_usage_account_id")
		service := c.cell(row, "product/ProductName", "product_product_name")
		if service == "" {
			service = c.cell(row, "lineItem/ProductCode", "line_item_product_code")
		}
		day := rawDay(t, c.cell(row, "lineItem/UsageStartDate", "line_item_usage_start_date"))
		tags, cats := rawTags(c, row)
		billed.addRow(bill, account, service, typ, day, tags, cats)
		effective.addRow(eff, account, service, typ, day, tags, cats)
	}
	return billed, effective
}

func rawEffectiveCost(t *testing.T, c rawCUR, row []string, typ string, unblended *big.Rat) *big.Rat {
	a := func(names ...string) *big.Rat { return c.amount(t, row, names...) }
	switch typ {
	case "SavingsPlanCoveredUsage":
		return a("savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost")
	case "SavingsPlanRecurringFee":
		total := a("savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date")
		return total.Sub(total, a("savingsPlan/UsedCommitment", "savings_plan_used_commitment"))
	case "SavingsPlanNegation", "SavingsPlanUpfrontFee":
		return new(big.Rat)
	case "DiscountedUsage":
		return a("reservation/EffectiveCost", "reservation_effective_cost")
	case "RIFee":
		upfront := a("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_unused_amortized_upfront_fee_for_billing_period")
		return upfront.Add(upfront, a("reservation/UnusedRecurringFee", "reservation_unused_recurring_fee"))
	case "Fee":
		if c.cell(row, "reservation/ReservationARN", "reservation_reservation_a_r_n") != "" {
			return new(big.Rat)
		}
	case "Refund":
		if c.cell(row, "lineItem/ProductCode", "line_item_product_code") == "ComputeSavingsPlans" {
			return new(big.Rat)
		}
	}
	return unblended
}

// rawDay is the UTC date of a usage start, parsed with the time package.
func rawDay(t *testing.T, s string) string {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04:05.000"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm.UTC().Format(time.DateOnly)
		}
	}
	t.Fatalf("usage start %q is in no known layout", s)
	return ""
}

// rawTags lists the row's non-empty tags and cost categories as "key=value",
// with the FOCUS key rules: "user:" dropped, "aws:" kept.
func rawTags(c rawCUR, row []string) (tags, cats []string) {
	for i, name := range c.header {
		if i >= len(row) || row[i] == "" {
			continue
		}
		switch {
		case strings.HasPrefix(name, "resourceTags/"):
			tags = append(tags, strings.TrimPrefix(strings.TrimPrefix(name, "resourceTags/"), "user:")+"="+row[i])
		case strings.HasPrefix(name, "resource_tags_user_"):
			tags = append(tags, strings.TrimPrefix(name, "resource_tags_user_")+"="+row[i])
		case strings.HasPrefix(name, "resource_tags_aws_"):
			tags = append(tags, "aws:"+strings.TrimPrefix(name, "resource_tags_aws_")+"="+row[i])
		case strings.HasPrefix(name, "costCategory/"):
			cats = append(cats, strings.TrimPrefix(name, "costCategory/")+"="+row[i])
		}
	}
	return tags, cats
}

// readerTotals sums what the reader produced, by the same dimensions.
func readerTotals(t *testing.T, rows []*cost.Row) (billed, effective totals) {
	billed, effective = totals{}, totals{}
	for _, r := range rows {
		var tags, cats []string
		for _, tag := range r.Tags {
			tags = append(tags, tag.Key+"="+tag.Value)
		}
		for _, c := range r.CostCategories {
			cats = append(cats, c.Key+"="+c.Value)
		}
		day := r.ChargePeriodStart.UTC().Format(time.DateOnly)
		billed.addRow(rat(t, r.BilledCost), r.SubAccountID, r.ServiceName, r.LineItemType, day, tags, cats)
		effective.addRow(rat(t, r.EffectiveCost), r.SubAccountID, r.ServiceName, r.LineItemType, day, tags, cats)
	}
	return billed, effective
}

// compareTotals reports every group whose sums differ by more than tol.
func compareTotals(t *testing.T, what string, got, want totals, tol *big.Rat) {
	t.Helper()
	dims := map[string]bool{}
	for d := range want {
		dims[d] = true
	}
	for d := range got {
		dims[d] = true
	}
	for _, dim := range slices.Sorted(maps.Keys(dims)) {
		keys := map[string]bool{}
		for k := range want[dim] {
			keys[k] = true
		}
		for k := range got[dim] {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			g, w := got[dim][k], want[dim][k]
			switch {
			case g == nil:
				t.Errorf("%s by %s %q: missing from the reader's rows, want %s", what, dim, k, w.FloatString(20))
			case w == nil:
				t.Errorf("%s by %s %q: got %s, but the raw file has no such group", what, dim, k, g.FloatString(20))
			default:
				diff := new(big.Rat).Sub(g, w)
				if diff.Abs(diff).Cmp(tol) > 0 {
					t.Errorf("%s by %s %q: got %s, want %s (off by %s)", what, dim, k, g.FloatString(20), w.FloatString(20), diff.FloatString(20))
				}
			}
		}
	}
}

// roundingTolerance is how far a sum of n values may drift from the exact
// sum: each value is rounded at most twice (two columns, as in
// SavingsPlanRecurringFee) to 18 places, by at most half a unit each.
func roundingTolerance(n int) *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(int64(n)), new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil))
}

func TestFixturesLoadWithExactTotals(t *testing.T) {
	tests := []struct {
		file      string
		rows      int
		warnings  []string // substrings, one per expected warning
		wantTotal string   // the exact sum of BilledCost over the file
	}{
		{"test_cur.csv", 19, []string{"pricing/OfferingClasspricing/PurchaseOption", "19 rows have fewer cells than the header's 131"}, "0.0827499841274349353"},
		{"test_cur.csv.gz", 19, []string{"pricing/OfferingClasspricing/PurchaseOption", "19 rows have fewer cells than the header's 131"}, "0.0827499841274349353"},
		{"2023-06-01.csv", 3, []string{"pricing/OfferingClasspricing/PurchaseOption"}, "30"},
		{"2023-06-01-not-final.csv", 3, []string{"pricing/OfferingClasspricing/PurchaseOption"}, "30"},
		{"2022-07-01-alt-columns.csv", 2, nil, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" loads and its sums match the raw file", func(t *testing.T) {
			path := filepath.Join(kokuDir, tt.file)
			raw := readRaw(t, path)
			rows, warnings := readAll(t, path)
			if len(rows) != tt.rows || len(raw.rows) != tt.rows {
				t.Fatalf("got %d rows, encoding/csv read %d, want %d", len(rows), len(raw.rows), tt.rows)
			}
			checkWarnings(t, warnings, tt.warnings)

			wantBilled, wantEffective := rawTotals(t, raw)
			gotBilled, gotEffective := readerTotals(t, rows)
			tol := roundingTolerance(len(rows))
			compareTotals(t, "BilledCost", gotBilled, wantBilled, tol)
			compareTotals(t, "EffectiveCost", gotEffective, wantEffective, tol)

			exact, _ := new(big.Rat).SetString(tt.wantTotal)
			if w := wantBilled["all"][""]; w.Cmp(exact) != 0 {
				t.Errorf("the raw file sums to %s, the test expects %s", w.FloatString(19), tt.wantTotal)
			}
			for _, r := range rows {
				if r.ProviderName != "AWS" || r.BillingAccountID == "" || r.ChargePeriodStart.IsZero() {
					t.Errorf("row %s: ProviderName %q, BillingAccountID %q, ChargePeriodStart %v", r.LineItemID, r.ProviderName, r.BillingAccountID, r.ChargePeriodStart)
				}
			}
		})
	}
}

// checkWarnings wants exactly one warning per substring, in any order.
func checkWarnings(t *testing.T, got []Warning, want []string) {
	t.Helper()
	var list []string
	for _, w := range got {
		list = append(list, w.String())
	}
	if len(got) != len(want) {
		t.Errorf("got %d warnings, want %d:\n  %s", len(got), len(want), strings.Join(list, "\n  "))
	}
	for _, sub := range want {
		if !slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, sub) }) {
			t.Errorf("no warning mentions %q; got:\n  %s", sub, strings.Join(list, "\n  "))
		}
	}
}

func TestFixtureRowsMapToFOCUS(t *testing.T) {
	final := map[string]string{
		"ProviderName": "AWS", "PublisherName": "Amazon Web Services, Inc.", "InvoiceIssuerName": "Amazon Web Services, Inc.",
		"InvoiceID": "987654321", "BillingAccountID": "0099999999999", "SubAccountID": "0099999999999",
		"LineItemType": "SavingsPlanCoveredUsage", "ChargeCategory": cost.ChargeUsage, "ChargeFrequency": "Usage-Based",
		"PricingCategory": "Committed", "BilledCost": "10", "EffectiveCost": "0.1", "ListCost": "10", "UnblendedCost": "10",
		"BillingCurrency": "NOK", "ServiceName": "Amazon Elastic Compute Cloud", "ServiceCategory": "Compute",
		"RegionID": "us-west-1", "RegionName": "US West (N. California)", "AvailabilityZone": "us-west-1a",
		"ResourceID": "i-99995555", "ResourceType": "m5.large", "PricingQuantity": "1", "PricingUnit": "Hrs",
		"ConsumedQuantity": "1", "ConsumedUnit": "Hrs",
		"BillingPeriodStart": "2023-06-01T00:00:00Z", "BillingPeriodEnd": "2023-07-01T00:00:00Z",
		"ChargePeriodStart": "2023-06-01T00:00:00Z", "ChargePeriodEnd": "2023-06-01T01:00:00Z",
		"Tags":           "", // the fixture renamed its tag columns noTags/…: they are not tags
		"CostCategories": "cost_env=prod;name=compute;qe_source=aws-single",
	}
	notFinal := with(final, map[string]string{"InvoiceID": "", "BillingAccountID": "9999999999999", "SubAccountID": "9999999999999"})
	tests := []struct {
		name string
		file string
		row  int
		want map[string]string
	}{
		{"a closed month's savings plan usage keeps its invoice, payer digits and currency", "2023-06-01.csv", 0, final},
		{"the third hour of the closed month starts at 02:00", "2023-06-01.csv", 2, with(final, map[string]string{
			"ChargePeriodStart": "2023-06-01T02:00:00Z", "ChargePeriodEnd": "2023-06-01T03:00:00Z"})},
		{"an open month has no invoice yet", "2023-06-01-not-final.csv", 0, notFinal},
		{"an Athena marketplace row is published by its seller and keeps the aws: tag", "2022-07-01-alt-columns.csv", 0, map[string]string{
			"BillingAccountID": "999999", "SubAccountID": "999999", "InvoiceID": "1",
			"ServiceName": "Red Hat® Enterprise Linux®", "PublisherName": "Red Hat, Inc.", "InvoiceIssuerName": "Amazon Web Services, Inc.",
			"ChargePeriodStart": "2022-07-01T00:00:00Z", "ChargePeriodEnd": "2022-07-01T01:00:00Z",
			"BillingPeriodStart": "2022-07-01T00:00:00Z", "BillingPeriodEnd": "2022-08-01T00:00:00Z",
			"Tags": "aws:created_by=IAMUser:fake:and", "ServiceCode": "mra", "RegionID": "us-east-1",
			"BilledCost": "0", "EffectiveCost": "0", "PricingCategory": "Standard", "ResourceType": "SoftwareUsage:t2.nano",
			"ChargeDescription": "AWS Marketplace hourly software usage|us-east-1|t2.nano",
		}},
		{"an Athena row's second hour", "2022-07-01-alt-columns.csv", 1, map[string]string{
			"ChargePeriodStart": "2022-07-01T01:00:00Z", "ChargePeriodEnd": "2022-07-01T02:00:00Z",
		}},
		{"a koku data transfer row bills its unblended cost with 17 places", "test_cur.csv", 0, map[string]string{
			"BillingAccountID": "6838635603105", "InvoiceID": "", "BilledCost": "0.00165303109242778",
			"EffectiveCost": "0.00165303109242778", "ListCost": "0.00165303109242778",
			"ChargePeriodStart": "2018-06-01T00:00:00Z", "ChargePeriodEnd": "2018-07-01T00:00:00Z",
			"BillingPeriodStart": "2018-06-01T00:00:00Z", "BillingPeriodEnd": "2018-07-01T00:00:00Z",
			"LineItemID": "e4b85fdd7363544ce3db8d86a8dbf150c7709761", "PricingCategory": "Standard",
			"CostCategories": "", // the header's last column, which every short row lacks
		}},
		{"a koku value with 19 places is rounded half to even at 18", "test_cur.csv", 1, map[string]string{
			"BilledCost": "0.000745809604541701",
		}},
		{"the gzip copy reads the same", "test_cur.csv.gz", 0, map[string]string{
			"LineItemID": "e4b85fdd7363544ce3db8d86a8dbf150c7709761", "BilledCost": "0.00165303109242778",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _ := readAll(t, filepath.Join(kokuDir, tt.file))
			checkRow(t, fmt.Sprintf("%s row %d", tt.file, tt.row), rows[tt.row], tt.want)
		})
	}
}

// with returns a copy of base with the fields of over replaced.
func with(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
