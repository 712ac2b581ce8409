package azexport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
)

// fuzzSeeds are export texts: the head of every fixture plus crafted rows
// that reach each branch of the header and row mapping.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	paths, _ := filepath.Glob(filepath.Join(kokuDir, "*.csv"))
	more, _ := filepath.Glob("testdata/*.csv")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		var head []byte
		for i := 0; i < 3 && sc.Scan(); i++ {
			head = append(append(head, sc.Bytes()...), '\n')
		}
		seeds = append(seeds, head)
	}
	for _, s := range []string{
		lines(eaHead, `S,11/01/2026,VM,6.19947E-9,USD,"""env"": ""prod"",""org"": ""trey"""`, "s,2026-11-01,VM,x,USD,"),
		lines("SubscriptionGuid,UsageDateTime,PreTaxCost,Currency,ResourceLocation,InstanceId,Tags",
			`s,2019-07-29 00:00:00,0.0000000072922557592391990000,USD,US East 2,/subscriptions/S/resourceGroups/R/providers/Microsoft.Compute/virtualMachines/V,{}`),
		lines("subscriptionId,date,costInBillingCurrency,billingCurrency,chargeType,pricingModel,billingPeriodStartDate,billingPeriodEndDate,benefitId,reservationId,quantity",
			"s,2026-10-05,1,EUR,UnusedSavingsPlan,SavingsPlan,2026-10-01,2026-10-31,b,,1", "s,2026-10-05,-1,EUR,Refund,Reservation,,,,r,", "s,2026-10-05,1,EUR,Other,Spot,,,,,"),
		lines(eaHead, "s,2026-11-01,VM,1,USD", `s,2026-11-01,VM,1,USD,,x`, "s,2026-11-01,caf\xff,1,USD,"),
		eaHead + "\ns,2026-11-01,VM,1,USD,\"{\"\"a",
		lines("identity/LineItemId,lineItem/UnblendedCost", "a,1"),
		lines("BilledCost,ChargePeriodStart", "1,2"),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

var chargeCategories = []string{cost.ChargeUsage, cost.ChargePurchase, cost.ChargeTax, cost.ChargeCredit, cost.ChargeAdjustment}

// FuzzReader feeds arbitrary bytes to the reader: it must never panic or
// loop, every error must be a *ParseError at a line of the file, and every
// row it returns must be a valid FOCUS row.
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, amortized bool) {
		rd, err := NewReader(bytes.NewReader(data), "fuzz.csv", Options{Amortized: amortized})
		if err != nil {
			if pe := mustParseError(t, err); pe.File != "fuzz.csv" || pe.Line < 1 {
				t.Fatalf("error %q: file %q line %d", pe, pe.File, pe.Line)
			}
			return
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for n := 0; ; n++ {
			if n > lines {
				t.Fatalf("more records (%d) than lines (%d)", n, lines)
			}
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				pe := mustParseError(t, err)
				if pe.File != "fuzz.csv" || pe.Line < 2 || !utf8.ValidString(pe.Error()) && utf8.Valid(data) {
					t.Fatalf("error %q: file %q line %d", pe, pe.File, pe.Line)
				}
				continue // the reader goes on after a bad row
			}
			checkFuzzedRow(t, row, amortized)
		}
		for _, w := range rd.Warnings() {
			_ = w.String()
		}
	})
}

func checkFuzzedRow(t *testing.T, row *cost.Row, amortized bool) {
	t.Helper()
	if row.SubAccountID == "" || row.SubAccountID != strings.ToLower(row.SubAccountID) || row.BillingAccountID == "" ||
		row.ProviderName != "Microsoft" || row.BillingCurrency == "" || row.ResourceID != strings.ToLower(row.ResourceID) {
		t.Fatalf("SubAccountID %q, BillingAccountID %q, ProviderName %q, BillingCurrency %q, ResourceID %q",
			row.SubAccountID, row.BillingAccountID, row.ProviderName, row.BillingCurrency, row.ResourceID)
	}
	if !slices.Contains(chargeCategories, row.ChargeCategory) {
		t.Fatalf("ChargeCategory %q is not a FOCUS value", row.ChargeCategory)
	}
	for _, tm := range []time.Time{row.ChargePeriodStart, row.ChargePeriodEnd, row.BillingPeriodStart, row.BillingPeriodEnd} {
		if tm.IsZero() || tm.Location() != time.UTC {
			t.Fatalf("time %v is zero or not UTC", tm)
		}
	}
	if !row.ChargePeriodEnd.Equal(row.ChargePeriodStart.AddDate(0, 0, 1)) || !row.BillingPeriodEnd.After(row.BillingPeriodStart) {
		t.Fatalf("charge period %v – %v, billing period %v – %v", row.ChargePeriodStart, row.ChargePeriodEnd, row.BillingPeriodStart, row.BillingPeriodEnd)
	}
	for _, d := range []*big.Rat{rat(t, row.BilledCost), rat(t, row.EffectiveCost), rat(t, row.ListCost)} {
		if new(big.Rat).Abs(d).Cmp(new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(19), nil))) >= 0 {
			t.Fatalf("amount %s is not below 10^19", d.FloatString(18))
		}
	}
	if !amortized && row.BilledCost != row.EffectiveCost {
		t.Fatalf("an actual export's BilledCost %s differs from its EffectiveCost %s", row.BilledCost, row.EffectiveCost)
	}
	for _, s := range []string{row.SubAccountID, row.ChargeDescription, row.ServiceName, row.RegionID, row.ResourceID, row.ResourceType} {
		if !utf8.ValidString(s) {
			t.Fatalf("%q is not UTF-8", s)
		}
	}
	for i, tag := range row.Tags {
		if tag.Key == "" || tag.Value == "" || !utf8.ValidString(tag.Key) || !utf8.ValidString(tag.Value) {
			t.Fatalf("tags %q: an empty or invalid key or value", row.Tags)
		}
		if i > 0 && row.Tags[i-1].Key >= tag.Key {
			t.Fatalf("tags %q are not sorted with unique keys", row.Tags)
		}
	}
	if c := row.Clone(); c.BilledCost != row.BilledCost || c.SubAccountID != row.SubAccountID {
		t.Fatal("Clone differs from the row")
	}
}

var numberGrammar = regexp.MustCompile(`^[ \t]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t]*$`)

// referenceAmount reads s with math/big, rounds it half to even at 18
// places and refuses it from 10^19 in magnitude.
func referenceAmount(s string) (*big.Rat, bool) {
	if !numberGrammar.MatchString(s) {
		return nil, false
	}
	s = strings.Trim(s, " \t")
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if exp := strings.TrimLeft(strings.TrimLeft(s[i+1:], "+-"), "0"); len(exp) > 4 {
			// A huge exponent: zero stays zero, tiny values round to zero,
			// anything else is out of range. big.Rat would take ages.
			m, _ := new(big.Rat).SetString(s[:i])
			if m.Sign() == 0 || strings.HasPrefix(s[i+1:], "-") {
				return new(big.Rat), true
			}
			return nil, false
		}
	}
	x, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, false
	}
	r := round18(x)
	limit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(19), nil))
	if new(big.Rat).Abs(r).Cmp(limit) >= 0 {
		return nil, false
	}
	return r, true
}

// FuzzParseAmount checks the number parser against math/big: it accepts
// exactly the numbers the reference does, with the same value.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"6.19947E-9", "0.0000000072922557592391990000", "-1.5e+2", "1,5", "NaN", "9999999999999999999.4999999999999999995",
		"1e19", "0.0000000000000000005", ".5", "5.", "+0", "1e-99999", "0e99999", "1E5000", " 7 ", "--1", "1e", "0x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseAmount([]byte(s))
		want, ok := referenceAmount(s)
		switch {
		case err != nil && ok:
			t.Fatalf("parseAmount(%q) failed (%v), but it is %s", s, err, want.FloatString(18))
		case err == nil && !ok:
			t.Fatalf("parseAmount(%q) = %s, but the reference refuses it", s, got)
		case err == nil && rat(t, got).Cmp(want) != 0:
			t.Fatalf("parseAmount(%q) = %s, want %s", s, got, want.FloatString(18))
		case err != nil && !strings.Contains(err.Error(), "not a number") && !strings.Contains(err.Error(), "out of range"):
			t.Fatalf("parseAmount(%q): %v", s, err)
		}
	})
}

// FuzzParseTags checks the tag parser against encoding/json: what it
// accepts is a JSON object, with or without its braces, and it keeps every
// non-empty string value, sorted by key.
func FuzzParseTags(f *testing.F) {
	for _, s := range []string{`"env": "prod","org": "trey"`, `{"project":"p1"}`, ``, `{}`, `{"n":1,"z":null}`, `"a":"b"}`, `{"a":"b"} x`, `"a":"b","a":"c"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := parseTags([]byte(s), nil)
		text := strings.TrimSpace(s)
		if text != "" && !strings.HasPrefix(text, "{") {
			text = "{" + text + "}"
		}
		// Numbers as json.Number: a tag value of 1E700 is text to Azure,
		// not a float64 out of range.
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		jsonErr := dec.Decode(&m)
		if _, err := dec.Token(); jsonErr == nil && !errors.Is(err, io.EOF) {
			jsonErr = fmt.Errorf("data after the object (%v)", err)
		}
		if text == "" {
			jsonErr = nil
		}
		if (err == nil) != (jsonErr == nil) {
			t.Fatalf("parseTags(%q): %v, but encoding/json says %v", s, err, jsonErr)
		}
		if err != nil {
			return
		}
		want := 0
		for k, v := range m {
			if str, isStr := v.(string); k != "" && v != nil && (!isStr || str != "") {
				want++
			}
		}
		if len(tags) != want {
			t.Fatalf("parseTags(%q) = %q, want %d tags", s, tags, want)
		}
		for i, tag := range tags {
			if v, isStr := m[tag.Key].(string); isStr && v != tag.Value {
				t.Fatalf("parseTags(%q): %s=%q, encoding/json reads %q", s, tag.Key, tag.Value, v)
			}
			if i > 0 && tags[i-1].Key >= tag.Key {
				t.Fatalf("parseTags(%q) = %q: not sorted with unique keys", s, tags)
			}
		}
	})
}
