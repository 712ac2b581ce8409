package azexport

import (
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/csvscan"
)

const eaHead = "SubscriptionId,Date,MeterCategory,CostInBillingCurrency,BillingCurrency,Tags"

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestBadInputNamesFileLineAndColumn(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		line    int
		column  string
		index   int
		problem string // a substring of the message
	}{
		{"an empty file", "", 1, "", 0, "the file is empty"},
		{"an AWS CUR", lines("identity/LineItemId,bill/PayerAccountId,lineItem/UnblendedCost", "a,1,2"), 1, "", 0, "AWS Cost and Usage Report"},
		{"an Athena CUR", lines("line_item_usage_account_id,line_item_unblended_cost", "1,2"), 1, "", 0, "AWS Cost and Usage Report"},
		{"a FOCUS file", lines("BilledCost,ChargePeriodStart,SubAccountId", "1,2026-11-01,x"), 1, "", 0, "FOCUS file"},
		{"a file of something else", lines("name,age", "bob,3"), 1, "", 0, "none of the columns of an Azure cost export"},
		{"cost details without a cost column", lines("SubscriptionId,Date,MeterCategory,BillingCurrency", "s,2026-11-01,VM,USD"), 1,
			"CostInBillingCurrency", 0, "looks like the EA/MCA cost details dialect but lacks the required column CostInBillingCurrency"},
		{"camelCase without date and currency", lines("subscriptionId,meterCategory,costInBillingCurrency", "s,VM,1"), 1,
			"date", 0, "EA/MCA cost details (camelCase) dialect but lacks the required columns date, billingCurrency"},
		{"the older layout without its date", lines("SubscriptionGuid,MeterCategory,PreTaxCost,Currency", "s,VM,1,USD"), 1,
			"UsageDateTime", 0, "usage (older layout) dialect but lacks the required column UsageDateTime"},
		{"a non-numeric cost", lines(eaHead, "s,2026-11-01,VM,1.5,USD,", "s,2026-11-01,VM,twelve,USD,"), 3,
			"CostInBillingCurrency", 4, `"twelve" is not a number`},
		{"a cost with a comma for a decimal point", lines(eaHead, `s,2026-11-01,VM,"1,5",USD,`), 2,
			"CostInBillingCurrency", 4, `"1,5" is not a number`},
		{"a cost beyond 10^19", lines(eaHead, "s,2026-11-01,VM,1E19,USD,"), 2, "CostInBillingCurrency", 4, "out of range"},
		{"a file cut short in a row", lines(eaHead, "s,2026-11-01,VM,1.5,USD,", "s,2026-11-0")[:len(lines(eaHead, "s,2026-11-01,VM,1.5,USD,", "s,2026-11-0"))-1], 3,
			"MeterCategory", 3, "the row has 2 cells but the header 6"},
		{"a file cut short in a quoted cell", eaHead + "\ns,2026-11-01,VM,1.5,USD,\"{\"\"env\"\": \"\"pr", 2, "", 0, "malformed CSV"},
		{"a row with an extra cell", lines(eaHead, "s,2026-11-01,VM,1.5,USD,,x"), 2, "", 7, "the row has 7 cells but the header only 6"},
		{"a date in no known form", lines(eaHead, "s,1st November,VM,1.5,USD,"), 2, "Date", 2, `"1st November" is not a date`},
		{"an empty date", lines(eaHead, "s,,VM,1.5,USD,"), 2, "Date", 2, "the date is empty"},
		{"an empty subscription", lines(eaHead, ",2026-11-01,VM,1.5,USD,"), 2, "SubscriptionId", 1, "the subscription is empty"},
		{"an empty currency", lines(eaHead, "s,2026-11-01,VM,1.5,,"), 2, "BillingCurrency", 5, "the billing currency is empty"},
		{"tags that are not JSON", lines(eaHead, `s,2026-11-01,VM,1.5,USD,env=prod`), 2, "Tags", 6, "not a JSON object of tags"},
		{"Latin-1 text", lines(eaHead, "s,2026-11-01,Caf\xe9,1.5,USD,"), 2, "MeterCategory", 3, "invalid UTF-8"},
		{"a billing period that ends before it starts", lines("SubscriptionId,Date,CostInBillingCurrency,BillingCurrency,BillingPeriodStartDate,BillingPeriodEndDate",
			"s,2026-11-01,1,USD,2026-11-01,2026-10-01"), 2, "BillingPeriodEndDate", 6, "ends (2026-10-01) before it starts (2026-11-01)"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused with its place", func(t *testing.T) {
			_, _, err := readAll(strings.NewReader(tt.in), "export.csv", Options{})
			if err == nil {
				t.Fatal("no error")
			}
			pe := mustParseError(t, err)
			if pe.File != "export.csv" || pe.Line != tt.line || pe.Column != tt.column || pe.Index != tt.index || !strings.Contains(pe.Problem, tt.problem) {
				t.Errorf("got file %q line %d column %q #%d: %q\nwant line %d column %q #%d, problem containing %q",
					pe.File, pe.Line, pe.Column, pe.Index, pe.Problem, tt.line, tt.column, tt.index, tt.problem)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "export.csv: line ") {
				t.Errorf("message %q does not start with the file and line", msg)
			}
		})
	}
}

func TestReaderGoesOnAfterABadRow(t *testing.T) {
	rd, err := NewReader(strings.NewReader(lines(eaHead, "s,2026-11-01,VM,x,USD,", "s,2026-11-02,VM,2,USD,")), "e.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err == nil {
		t.Fatal("the bad row was read")
	}
	row, err := rd.Next()
	if err != nil || row.BilledCost.String() != "2.0" || rd.Line() != 3 || rd.Rows() != 1 {
		t.Fatalf("after the bad row: %v, %v, line %d, rows %d", row, err, rd.Line(), rd.Rows())
	}
}

func TestErrorMessageReadsAsASentence(t *testing.T) {
	err := &ParseError{File: "x.csv", Line: 3, Column: "Cost", Index: 4, Problem: `"a" is not a number`}
	if got, want := err.Error(), `x.csv: line 3, column Cost (#4): "a" is not a number`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestHostileInputStopsAtTheLimits(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		line    int
		column  string
		index   int
		problem string
	}{
		{"a cell over 1 MiB", lines(eaHead, "s,2026-11-01,"+strings.Repeat("x", csvscan.MaxFieldBytes+1)+",1,USD,"), 2, "MeterCategory", 3, "over the limit"},
		{"a quote never closed", eaHead + "\ns,2026-11-01,\"" + strings.Repeat("x\n", csvscan.MaxRecordBytes/2+1), 2, "", 0, "longer than"},
		{"a line without end", eaHead + "\n" + strings.Repeat("x", csvscan.MaxRecordBytes+1), 2, "", 0, "longer than"},
		{"a header of too many cells", strings.Repeat("a,", csvscan.MaxFields) + "\n", 1, "", 0, "more than 65536 cells"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			_, _, err := readAll(strings.NewReader(tt.in), "big.csv", Options{})
			if err == nil {
				t.Fatal("no error")
			}
			pe := mustParseError(t, err)
			if pe.Line != tt.line || pe.Column != tt.column || pe.Index != tt.index || !strings.Contains(pe.Problem, tt.problem) {
				t.Errorf("got line %d column %q #%d: %q; want line %d column %q #%d, %q", pe.Line, pe.Column, pe.Index, pe.Problem, tt.line, tt.column, tt.index, tt.problem)
			}
		})
	}
}
