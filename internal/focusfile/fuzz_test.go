package focusfile

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
)

// fuzzSeeds are FOCUS texts: the head of every sample plus crafted files
// that reach the branches of the scanner, the header and the row mapping.
// More seeds are committed under testdata/fuzz.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	paths, _ := filepath.Glob("testdata/*.csv")
	for _, p := range paths {
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
		lines(goodHead, goodRow),
		lines(goodHead, withCell(6, "1e-7"), withCell(7, "NULL"), withCell(5, "usage")),
		lines(goodHead, goodRow) + goodRow[:60],
		lines(goodHead, goodRow) + goodRow[:len(goodRow)-9],
		"\ufeff" + lines("billedcost,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,x_A,x_a,Tags,x_CostCategories",
			`9,2026-09-01,2026-10-01,2026-09-14,2026-09-15,1,a,b,"{""k"":null,""n"":1,"""":2}","{""c"":[1]}"`),
		lines(goodHead, withCell(4, "\"multi\nline\"")),
		lines(goodHead, withCell(4, "Or\xe9cle")),
		lines("ServiceProviderName,ProviderName,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost",
			"S,P,2026-09-01T00:00:00+02:00,2026-10-01T00:00:00.5Z,20260914T000000Z,2026-09-14 01:00:00,-0,0E5"),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzReader feeds arbitrary bytes to the reader: it must never panic or
// loop, every error must be a *ParseError naming the file and a line, and
// every row it returns must be a valid row.
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			mustParseError(t, err, 1)
			return
		}
		records := bytes.Count(data, []byte{'\n'}) + 1
		for n := 0; ; n++ {
			if n > records {
				t.Fatalf("more records (%d) than lines (%d)", n, records)
			}
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				mustParseError(t, err, 2)
				continue // the reader goes on after a bad row
			}
			checkFuzzedRow(t, row, rd.Extra())
		}
		for _, w := range rd.Warnings() {
			_ = w.String()
		}
	})
}

func mustParseError(t *testing.T, err error, minLine int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if pe.File != "fuzz.csv" || pe.Line < minLine || pe.Problem == "" {
		t.Fatalf("error %q: file %q line %d", pe, pe.File, pe.Line)
	}
}

var fuzzCategories = []string{"", cost.ChargeUsage, cost.ChargePurchase, cost.ChargeTax, cost.ChargeCredit, cost.ChargeAdjustment}

func checkFuzzedRow(t *testing.T, row *cost.Row, extra []cost.Tag) {
	t.Helper()
	if !slices.Contains(fuzzCategories, row.ChargeCategory) {
		t.Fatalf("ChargeCategory %q is not a FOCUS value", row.ChargeCategory)
	}
	for _, tm := range []time.Time{row.ChargePeriodStart, row.ChargePeriodEnd, row.BillingPeriodStart, row.BillingPeriodEnd} {
		if tm.IsZero() || tm.Location() != time.UTC {
			t.Fatalf("time %v is zero or not UTC", tm)
		}
	}
	if row.ChargePeriodEnd.Before(row.ChargePeriodStart) || row.BillingPeriodEnd.Before(row.BillingPeriodStart) {
		t.Fatalf("a period ends before it starts: %v", row)
	}
	for _, d := range []interface{ InRange() bool }{row.BilledCost, row.EffectiveCost, row.ListCost} {
		if !d.InRange() {
			t.Fatalf("amount %v out of range", d)
		}
	}
	for _, s := range []string{row.ProviderName, row.BillingAccountID, row.SubAccountID, row.ChargeDescription, row.ServiceName, row.ResourceID} {
		if !utf8.ValidString(s) || s == "NULL" {
			t.Fatalf("%q is not UTF-8, or is NULL", s)
		}
	}
	for _, tags := range [][]cost.Tag{row.Tags, row.CostCategories} {
		for i, tag := range tags {
			if tag.Key == "" || !utf8.ValidString(tag.Key) || !utf8.ValidString(tag.Value) {
				t.Fatalf("tag %q=%q: empty key or not UTF-8", tag.Key, tag.Value)
			}
			if i > 0 && tags[i-1].Key >= tag.Key {
				t.Fatalf("tags not sorted with unique keys: %q", tags)
			}
		}
	}
	for _, x := range extra {
		if x.Value == "" || len(x.Key) < 3 {
			t.Fatalf("extra %q=%q", x.Key, x.Value)
		}
	}
	if c := row.Clone(); c.BilledCost != row.BilledCost || c.ProviderName != row.ProviderName {
		t.Fatal("Clone differs from the row")
	}
}
