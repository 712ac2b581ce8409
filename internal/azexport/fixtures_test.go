package azexport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// kokuDir holds project-koku's Azure samples (testdata/FIXTURES.md).
const kokuDir = "testdata/koku"

// rawExport is an export read with encoding/csv: nothing of the package
// under test (scanner, header mapping, decimals, dates) computes what the
// reader should produce.
type rawExport struct {
	rows [][]string
	col  map[string]int // lower-cased header name → index
}

func readRaw(t *testing.T, path string) rawExport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read %s: %v", path, err)
	}
	c := rawExport{rows: records[1:], col: map[string]int{}}
	for i, name := range records[0] {
		c.col[strings.ToLower(name)] = i
	}
	return c
}

// cell returns the first of the named columns (lower case) the file has.
func (c rawExport) cell(row []string, names ...string) string {
	for _, n := range names {
		if i, ok := c.col[n]; ok {
			return row[i]
		}
	}
	return ""
}

// round18 rounds x half to even at 18 decimal places, as the store keeps it.
func round18(x *big.Rat) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	num := new(big.Int).Mul(x.Num(), scale)
	q, r := new(big.Int).QuoRem(num, x.Denom(), new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if c := twice.Cmp(x.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(int64(x.Sign())))
	}
	return new(big.Rat).SetFrac(q, scale)
}

func (c rawExport) amount(t *testing.T, row []string, names ...string) *big.Rat {
	t.Helper()
	s := c.cell(row, names...)
	if s == "" {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("%s is not a number: %q", names[0], s)
	}
	return round18(r)
}

// rawCategory is the FOCUS 1.2 ChargeCategory of an Azure ChargeType, as
// this test reads the specification.
var rawCategory = map[string]string{
	"": "Usage", "Usage": "Usage", "UnusedReservation": "Usage", "UnusedSavingsPlan": "Usage",
	"Purchase": "Purchase", "Refund": "Purchase", "Tax": "Tax", "RoundingAdjustment": "Adjustment",
}

// rawDay is the day of a date cell, parsed with the time package.
func rawDay(t *testing.T, s string) string {
	for _, layout := range []string{"01/02/2006", "2006-01-02", "2006-01-02 15:04:05"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm.Format(time.DateOnly)
		}
	}
	t.Fatalf("date %q is in no known layout", s)
	return ""
}

// rawTags lists a Tags cell as "key=value", with or without its braces.
func rawTags(t *testing.T, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if !strings.HasPrefix(s, "{") {
		s = "{" + s + "}"
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("tags %q: %v", s, err)
	}
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
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

func (s totals) addRow(v *big.Rat, sub, service, category, day, currency string, tags []string) {
	s.add("all", "", v)
	s.add("subscription", sub, v)
	s.add("service", service, v)
	s.add("charge category", category, v)
	s.add("day", day, v)
	s.add("currency", currency, v)
	for _, kv := range tags {
		s.add("tag", kv, v)
	}
}

// rawTotals computes BilledCost and EffectiveCost sums from the raw cells:
// in an amortized export, rows covered by a commitment were billed through
// its purchase, so they bill 0.
func rawTotals(t *testing.T, c rawExport, amortized bool) (billed, effective totals) {
	billed, effective = totals{}, totals{}
	for _, row := range c.rows {
		v := c.amount(t, row, "costinbillingcurrency", "pretaxcost")
		bill := v
		if model := c.cell(row, "pricingmodel"); amortized && (model == "Reservation" || model == "SavingsPlan") {
			bill = new(big.Rat)
		}
		sub := strings.ToLower(c.cell(row, "subscriptionguid", "subscriptionid"))
		service := c.cell(row, "metercategory")
		for _, alt := range []string{"servicename", "consumedservice", "product", "productname"} {
			if service == "" {
				service = c.cell(row, alt)
			}
		}
		category, ok := rawCategory[c.cell(row, "chargetype")]
		if !ok {
			t.Fatalf("charge type %q is not in the test's table", c.cell(row, "chargetype"))
		}
		day := rawDay(t, c.cell(row, "date", "usagedatetime"))
		currency := c.cell(row, "billingcurrency", "billingcurrencycode", "currency")
		tags := rawTags(t, c.cell(row, "tags"))
		billed.addRow(bill, sub, service, category, day, currency, tags)
		effective.addRow(v, sub, service, category, day, currency, tags)
	}
	return billed, effective
}

// readerTotals sums what the reader produced, by the same dimensions.
func readerTotals(t *testing.T, rows []*cost.Row) (billed, effective totals) {
	billed, effective = totals{}, totals{}
	for _, r := range rows {
		var tags []string
		for _, tag := range r.Tags {
			tags = append(tags, tag.Key+"="+tag.Value)
		}
		day := r.ChargePeriodStart.Format(time.DateOnly)
		billed.addRow(rat(t, r.BilledCost), r.SubAccountID, r.ServiceName, r.ChargeCategory, day, r.BillingCurrency, tags)
		effective.addRow(rat(t, r.EffectiveCost), r.SubAccountID, r.ServiceName, r.ChargeCategory, day, r.BillingCurrency, tags)
	}
	return billed, effective
}

// compareTotals reports every group whose sums differ at all.
func compareTotals(t *testing.T, what string, got, want totals) {
	t.Helper()
	dims := slices.Sorted(maps.Keys(want))
	if g := slices.Sorted(maps.Keys(got)); !slices.Equal(g, dims) {
		t.Errorf("%s: dimensions %v, want %v", what, g, dims)
	}
	for _, dim := range dims {
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
			case g.Cmp(w) != 0:
				t.Errorf("%s by %s %q: got %s, want %s", what, dim, k, g.FloatString(20), w.FloatString(20))
			}
		}
	}
}

func TestFixturesLoadWithExactTotals(t *testing.T) {
	tests := []struct {
		path      string
		amortized bool
		dialect   Dialect
		rows      int
		warnings  int
		// The exact sums of the cost column over the file, worked out by
		// hand from the files (rounded at 18 places where they have more).
		wantBilled, wantEffective string
	}{
		{kokuDir + "/koku_azure_camelCased.csv", false, UsageCamel, 3, 0, "0.00011016", "0.00011016"},
		{kokuDir + "/koku_azure_version_2.csv", false, CostDetails, 5, 0, "19.998413754", "19.998413754"},
		{kokuDir + "/koku_camel_azure_version_2.csv", false, CostDetailsCamel, 4, 0, "0.0000262412", "0.0000262412"},
		{kokuDir + "/koku_costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv", false, Usage, 3, 0, "0.00011016", "0.00011016"},
		// 1234.5 - 300.25 - 0.000001 + 150 + 0.10625 + 0.00000000619947 + 0.000000007292255759
		{"testdata/ea-actual.csv", false, CostDetails, 8, 0, "1084.356249013491725759", "1084.356249013491725759"},
		// effective 12.5 + 3.25 + 7 + 0.46 + 5.43; billed without the savings plan's 12.5 + 3.25
		{"testdata/mca-amortized.csv", true, CostDetailsCamel, 5, 0, "12.89", "28.64"},
	}
	paths, _ := filepath.Glob(kokuDir + "/*.csv")
	if len(paths) != 4 {
		t.Fatalf("%s holds %d CSV files, the test knows 4: add the new ones to this table", kokuDir, len(paths))
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path)+" loads and its sums match the raw file", func(t *testing.T) {
			f, err := os.Open(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rd, err := NewReader(f, tt.path, Options{Amortized: tt.amortized})
			if err != nil {
				t.Fatal(err)
			}
			if rd.Dialect() != tt.dialect {
				t.Errorf("dialect %q, want %q", rd.Dialect(), tt.dialect)
			}
			f.Close()
			raw := readRaw(t, tt.path)
			rows, warnings := readFile(t, tt.path, Options{Amortized: tt.amortized})
			if len(rows) != tt.rows || len(raw.rows) != tt.rows {
				t.Fatalf("got %d rows, encoding/csv read %d, want %d", len(rows), len(raw.rows), tt.rows)
			}
			if len(warnings) != tt.warnings {
				t.Errorf("warnings %v, want %d", warnings, tt.warnings)
			}
			checkByteAtATime(t, tt.path, Options{Amortized: tt.amortized}, rows)
			wantBilled, wantEffective := rawTotals(t, raw, tt.amortized)
			gotBilled, gotEffective := readerTotals(t, rows)
			compareTotals(t, "BilledCost", gotBilled, wantBilled)
			compareTotals(t, "EffectiveCost", gotEffective, wantEffective)
			for what, c := range map[string]struct {
				raw  totals
				want string
			}{"BilledCost": {wantBilled, tt.wantBilled}, "EffectiveCost": {wantEffective, tt.wantEffective}} {
				exact, _ := new(big.Rat).SetString(c.want)
				if w := c.raw["all"][""]; w.Cmp(exact) != 0 {
					t.Errorf("%s: the raw file sums to %s, the test expects %s", what, w.FloatString(20), c.want)
				}
			}
			for i, r := range rows {
				if r.ProviderName != "Microsoft" || r.BillingAccountID == "" || r.SubAccountID != strings.ToLower(r.SubAccountID) ||
					r.ResourceID != strings.ToLower(r.ResourceID) || r.ServiceName == "" || r.BillingCurrency == "" ||
					!r.ChargePeriodEnd.Equal(r.ChargePeriodStart.AddDate(0, 0, 1)) || !r.BillingPeriodEnd.After(r.BillingPeriodStart) {
					t.Errorf("row %d: %+v", i, *r)
				}
			}
		})
	}
}

// checkByteAtATime reads the file again a byte at a time, so that the
// scanner's buffer moves under every row, and wants the same rows.
func checkByteAtATime(t *testing.T, path string, opts Options, want []*cost.Row) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readAll(iotest.OneByteReader(bytes.NewReader(data)), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("a byte at a time: %d rows, want %d", len(rows), len(want))
	}
	for i := range rows {
		if got, w := describe(rows[i]), describe(want[i]); !maps.Equal(got, w) {
			t.Errorf("a byte at a time, row %d:\n got %v\nwant %v", i, got, w)
		}
	}
}
