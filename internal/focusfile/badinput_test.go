package focusfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/csvscan"
)

const (
	goodHead = "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ProviderName,ChargeCategory,BilledCost,EffectiveCost,Tags"
	goodRow  = `2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,2026-09-14T00:00:00Z,2026-09-14T01:00:00Z,Oracle,Usage,1.5,1.25,"{""team"":""web""}"`
)

func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

// withCell returns goodRow with the cell at index i replaced.
func withCell(i int, v string) string {
	cells := strings.Split(strings.SplitN(goodRow, `,"{`, 2)[0], ",")
	tags := `"{` + strings.SplitN(goodRow, `,"{`, 2)[1]
	cells = append(cells, tags)
	cells[i] = v
	return strings.Join(cells, ",")
}

func TestBadInputNamesFileLineAndColumn(t *testing.T) {
	for _, tc := range []struct {
		name    string
		text    string
		line    int
		column  string
		problem string
	}{
		{"an empty file", "", 1, "", "the file is empty"},
		{"a missing required column", lines("BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ProviderName,EffectiveCost", "a,b,c,d,e,f"), 1, "BilledCost", "the required column is missing"},
		{"a non-numeric cost", lines(goodHead, goodRow, withCell(6, "$1.50")), 3, "BilledCost", `not a number: "$1.50"`},
		{"a cost with a thousands separator", lines(goodHead, withCell(7, `"1,000.00"`)), 2, "EffectiveCost", "not a number"},
		{"an empty BilledCost", lines(goodHead, withCell(6, "")), 2, "BilledCost", "the cost is empty"},
		{"a NULL EffectiveCost", lines(goodHead, withCell(7, "NULL")), 2, "EffectiveCost", "the cost is empty"},
		{"a cost out of range", lines(goodHead, withCell(6, "1e19")), 2, "BilledCost", "out of range"},
		{"a file truncated in a row", lines(goodHead, goodRow) + goodRow[:60], 3, "ChargePeriodEnd", "the row has 3 cells, the header 9: the file may be truncated"},
		{"a file truncated in a quoted cell", lines(goodHead, goodRow) + goodRow[:len(goodRow)-9], 3, "", "malformed CSV"},
		{"a row with an extra cell", lines(goodHead, goodRow+",x"), 2, "#10", "the row has 10 cells, the header 9"},
		{"a date that is not ISO 8601", lines(goodHead, withCell(2, "9/14/26")), 2, "ChargePeriodStart", `"9/14/26" is not a timestamp`},
		{"an impossible date", lines(goodHead, withCell(0, "2026-02-30T00:00:00Z")), 2, "BillingPeriodStart", "not a timestamp"},
		{"an empty required date", lines(goodHead, withCell(1, "")), 2, "BillingPeriodEnd", "the date is empty"},
		{"a charge period that ends before it starts", lines(goodHead, withCell(3, "2026-09-13T00:00:00Z")), 2, "ChargePeriodEnd", "the charge period ends"},
		{"an unknown charge category", lines(goodHead, withCell(5, "Refund")), 2, "ChargeCategory", `"Refund" is not a FOCUS ChargeCategory`},
		{"tags that are not a JSON object", lines(goodHead, withCell(8, `"[""team""]"`)), 2, "Tags", "not a JSON object of tags"},
		{"a cell that is not UTF-8", lines(goodHead, withCell(4, "Or\xe9cle")), 2, "ProviderName", "invalid UTF-8: byte 0xe9"},
		{"a quote inside an unquoted cell", lines(goodHead, withCell(4, `Ora"cle`)), 2, "", "malformed CSV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readString(tc.text)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if pe.File != "in.csv" || pe.Line != tc.line || pe.Column != tc.column || !strings.Contains(pe.Problem, tc.problem) {
				t.Fatalf("got file %q line %d column %q problem %q\nwant in.csv line %d column %q problem containing %q",
					pe.File, pe.Line, pe.Column, pe.Problem, tc.line, tc.column, tc.problem)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "in.csv: line ") {
				t.Fatalf("message %q does not start with the file and line", msg)
			}
		})
	}
}

func TestReaderGoesOnAfterABadRow(t *testing.T) {
	rd, err := NewReader(strings.NewReader(lines(goodHead, withCell(6, "x"), goodRow)), "in.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err == nil {
		t.Fatal("a bad row read without error")
	}
	row, err := rd.Next()
	if err != nil || row.ProviderName != "Oracle" || rd.Line() != 3 {
		t.Fatalf("row %+v, error %v, line %d", row, err, rd.Line())
	}
}

func TestHostileSizesStopWithAnError(t *testing.T) {
	t.Run("a cell over csvscan.MaxFieldBytes names its column", func(t *testing.T) {
		_, err := readString(lines(goodHead, withCell(4, strings.Repeat("x", csvscan.MaxFieldBytes+1))))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != "ProviderName" || !strings.Contains(pe.Problem, "over the limit") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("a quote never closed stops at csvscan.MaxRecordBytes", func(t *testing.T) {
		text := lines(goodHead) + `a,"` + strings.Repeat("line\n", csvscan.MaxRecordBytes/5+1)
		_, err := readString(text)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(pe.Problem, "longer than") {
			t.Fatalf("error %v", err)
		}
	})
}
