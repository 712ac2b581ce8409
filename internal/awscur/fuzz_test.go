package awscur

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
)

// fuzzSeeds are CUR texts: the head of every fixture plus crafted rows that
// reach each branch of the scanner, the header mapping and the row mapping.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	paths, _ := filepath.Glob(filepath.Join(kokuDir, "*.csv"))
	paths = append(paths, "testdata/cur2-sample.csv")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// The header and the first two rows keep seeds small.
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		var head []byte
		for i := 0; i < 3 && sc.Scan(); i++ {
			head = append(append(head, sc.Bytes()...), '\n')
		}
		seeds = append(seeds, head)
	}
	for _, s := range []string{
		csvLines(legacyHead, goodRow),
		csvLines(legacyHead, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"multi`, `line, ""quoted"""`, goodRow),
		legacyHead + "\n" + `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"no end`,
		csvLines(legacyHead, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,5" disk`),
		"\ufeff" + strings.ReplaceAll(csvLines(legacyHead, goodRow), "\n", "\r\n"),
		csvLines("bill/PayerAccountId,lineItem/LineItemType,identity/TimeInterval,lineItem/UnblendedCost,resourceTags/user:Team,costCategory/Env",
			"123456789012,SavingsPlanRecurringFee,2023-11-01T00:00:00Z/2023-11-01T01:00:00Z,1,a,prod", "123456789012,Tax,,2"),
		csvLines("bill_payer_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,product,resource_tags,cost_category",
			`1,Usage,2023-11-01 00:00:00.000,1e-7,"{""product_name"":""EC2"",""region"":""us-east-1""}","{""user:Team"":""a"",""aws_x"":""b"",""user_"":""c""}","{""n"":1}"`),
		effectiveCostCSV(true, false),
		effectiveCostCSV(false, true),
		csvLines(legacyHead, goodRow, "b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,caf\xff\xfe", goodRow),
		csvLines(legacyHead, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"ok`, "\x80\"", goodRow),
		csvLines("bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/UnblendedCost",
			"1,Usage,2026-10-02T00:00:00Z,2026-10-01T00:00:00Z,1", "1,Usage,1970-01-01T00:00:00Z,9999-12-31T23:59:59Z,1"),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

var chargeCategories = []string{cost.ChargeUsage, cost.ChargePurchase, cost.ChargeTax, cost.ChargeCredit, cost.ChargeAdjustment}

// FuzzReader feeds arbitrary bytes to the reader as a plain CUR: it must
// never panic or loop, every error must be a *ParseError, and every row it
// returns must be a valid FOCUS row.
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			mustParseError(t, err)
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
				if pe.File != "fuzz.csv" || pe.Line < 2 {
					t.Fatalf("error %q: file %q line %d", pe, pe.File, pe.Line)
				}
				continue // the reader goes on after a bad row
			}
			checkFuzzedRow(t, row)
		}
		for _, w := range rd.Warnings() {
			_ = w.String()
		}
	})
}

func checkFuzzedRow(t *testing.T, row *cost.Row) {
	t.Helper()
	if row.BillingAccountID == "" || row.SubAccountID == "" || row.ProviderName != "AWS" || row.BillingCurrency == "" {
		t.Fatalf("BillingAccountID %q, SubAccountID %q, ProviderName %q, BillingCurrency %q",
			row.BillingAccountID, row.SubAccountID, row.ProviderName, row.BillingCurrency)
	}
	if !slices.Contains(chargeCategories, row.ChargeCategory) {
		t.Fatalf("ChargeCategory %q is not a FOCUS value", row.ChargeCategory)
	}
	for _, tm := range []time.Time{row.ChargePeriodStart, row.ChargePeriodEnd, row.BillingPeriodStart, row.BillingPeriodEnd} {
		if tm.IsZero() || tm.Location() != time.UTC {
			t.Fatalf("time %v is zero or not UTC", tm)
		}
	}
	if row.ChargePeriodEnd.Before(row.ChargePeriodStart) {
		t.Fatalf("the charge period ends (%v) before it starts (%v)", row.ChargePeriodEnd, row.ChargePeriodStart)
	}
	for _, s := range []string{row.BillingAccountID, row.SubAccountID, row.ChargeDescription, row.ServiceName, row.RegionID, row.ResourceID, row.LineItemType} {
		if !utf8.ValidString(s) {
			t.Fatalf("%q is not UTF-8", s)
		}
	}
	for _, tag := range append(slices.Clone(row.Tags), row.CostCategories...) {
		if !utf8.ValidString(tag.Key) || !utf8.ValidString(tag.Value) {
			t.Fatalf("tag %q=%q is not UTF-8", tag.Key, tag.Value)
		}
	}
	for name, tags := range map[string][]cost.Tag{"Tags": row.Tags, "CostCategories": row.CostCategories} {
		for i, tag := range tags {
			if tag.Key == "" || tag.Value == "" {
				t.Fatalf("%s has an empty key or value: %q", name, tags)
			}
			if i > 0 && tags[i-1].Key >= tag.Key {
				t.Fatalf("%s are not sorted with unique keys: %q", name, tags)
			}
		}
	}
	if c := row.Clone(); c.BilledCost != row.BilledCost || c.BillingAccountID != row.BillingAccountID {
		t.Fatal("Clone differs from the row")
	}
}

// FuzzManifest: a manifest never panics the parser, and an accepted one has
// a billing period that starts before it ends.
func FuzzManifest(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(manifestDir, "*.json"))
	more, _ := filepath.Glob("testdata/manifest-*.json")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{"billingPeriod":{"start":"20231101T000000.000Z","end":"20231201T000000.000Z"},"dataFiles":["s3://b/k","s3://b","k"]}`,
		`{"billingPeriod":{"start":"2023-12-01","end":"2023-11-01"}}`,
		`{"billingPeriod":null,"additionalArtifactKeys":["a",{"name":"b"},null]}`,
		`{"billingPeriod":{"start":"20260801T000000.000Z","end":"20260901T000000.000Z"},"reportKeys":["../../../../../../../../etc/passwd"]}`,
		`{"billingPeriod":{"start":"20260801T000000.000Z","end":"20260901T000000.000Z"},"dataFiles":["s3://other/cur/x.csv.gz","s3:///k","s3://b/"]}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data, "m.json")
		if err != nil {
			mustParseError(t, err)
			return
		}
		p := m.BillingPeriod
		if !p.Start.Before(p.End) || p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Fatalf("accepted billing period %v – %v", p.Start, p.End)
		}
		if m.Version() == "" {
			t.Fatal("empty Version()")
		}
		keys, objects := m.Keys(), m.Objects()
		if len(keys) != len(objects) {
			t.Fatalf("%d keys, %d objects", len(keys), len(objects))
		}
		for i, o := range objects {
			if o.Key != keys[i] || (o.Bucket != "" && len(m.ReportKeys) > 0) {
				t.Fatalf("object %+v, key %q", o, keys[i])
			}
			if o.Bucket != "" && "s3://"+o.Bucket+"/"+o.Key != m.DataFiles[i] {
				t.Fatalf("object %+v from data file %q", o, m.DataFiles[i])
			}
		}
		_ = m.Name()
		_ = p.String()
	})
}
