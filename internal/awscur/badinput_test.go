package awscur

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	legacyHead = "identity/LineItemId,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/UsageAmount,lineItem/LineItemDescription"
	goodRow    = "a,123456789012,Usage,2023-11-01T00:00:00Z,1.5,1,fine"
)

// TestBadCellsNameFileLineColumnAndValue checks that a user can find and fix
// a bad cell from the message alone.
func TestBadCellsNameFileLineColumnAndValue(t *testing.T) {
	tests := []struct {
		name   string
		csv    string
		line   int
		column string
		value  string
	}{
		{"a non-numeric cost", csvLines(legacyHead, goodRow, "b,123456789012,Usage,2023-11-01T00:00:00Z,12,5O,USD 12"),
			3, "lineItem/UsageAmount", `"5O"`},
		{"a cost with a thousands separator", csvLines(legacyHead, goodRow, `b,123456789012,Usage,2023-11-01T00:00:00Z,"1,234.5",1,x`),
			3, "lineItem/UnblendedCost", `"1,234.5"`},
		{"a snake_case column is named as the file writes it",
			csvLines("bill_payer_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost",
				"123456789012,Usage,2023-11-01 00:00:00,abc"), 2, "line_item_unblended_cost", `"abc"`},
		{"an impossible date", csvLines(legacyHead, goodRow, goodRow, "c,123456789012,Usage,2023-02-30T00:00:00Z,1,1,x"),
			4, "lineItem/UsageStartDate", `"2023-02-30T00:00:00Z"`},
		{"a 13th month in the billing period",
			csvLines("bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,bill/BillingPeriodStartDate",
				"123456789012,Usage,2023-11-01T00:00:00Z,1,2023-13-01T00:00:00Z"), 2, "bill/BillingPeriodStartDate", `"2023-13-01T00:00:00Z"`},
		{"a time interval without its slash",
			csvLines("bill/PayerAccountId,lineItem/LineItemType,identity/TimeInterval,lineItem/UnblendedCost",
				"123456789012,Usage,2023-11-01T00:00:00Z,1"), 2, "identity/TimeInterval", `"2023-11-01T00:00:00Z"`},
		{"a garbage net cost",
			csvLines("bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/NetUnblendedCost",
				"123456789012,Usage,2023-11-01T00:00:00Z,1,NaN"), 2, "lineItem/NetUnblendedCost", `"NaN"`},
		{"a bad amortization column on the row whose formula reads it",
			csvLines("bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,savingsPlan/SavingsPlanEffectiveCost",
				"123456789012,SavingsPlanCoveredUsage,2023-11-01T00:00:00Z,1,--1"), 2, "savingsPlan/SavingsPlanEffectiveCost", `"--1"`},
		{"an empty payer",
			csvLines(legacyHead, ",,Usage,2023-11-01T00:00:00Z,1,1,x"), 2, "bill/PayerAccountId", "payer account is empty"},
		{"a row with no time",
			csvLines(legacyHead, "a,123456789012,Usage,,1,1,x"), 2, "lineItem/UsageStartDate", "no usage start date"},
		{"a CUR 2.0 product map that is not JSON",
			csvLines("bill_payer_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,product",
				`123456789012,Usage,2023-11-01T00:00:00Z,1,{product_name: EC2}`), 2, "product", "not a JSON object"},
		{"a CUR 2.0 tag map that is a JSON array",
			csvLines("bill_payer_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,resource_tags",
				`123456789012,Usage,2023-11-01T00:00:00Z,1,"[""a""]"`), 2, "resource_tags", "not a JSON object"},
		{"a bad row after a description spanning three lines is counted by physical line",
			csvLines(legacyHead, goodRow, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"first line`, `second, with a comma`, `third ""quoted"""`,
				"c,123456789012,Usage,2023-11-01T00:00:00Z,x1,1,y"), 6, "lineItem/UnblendedCost", `"x1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is reported on line "+strconv.Itoa(tt.line)+" in column "+tt.column, func(t *testing.T) {
			_, _, err := readCUR(strings.NewReader(tt.csv), "s3://bucket/cur/report-00001.csv.gz")
			pe := mustParseError(t, err)
			if pe.File != "s3://bucket/cur/report-00001.csv.gz" || pe.Line != tt.line || pe.Column != tt.column {
				t.Errorf("got file %q line %d column %q, want line %d column %q", pe.File, pe.Line, pe.Column, tt.line, tt.column)
			}
			msg := pe.Error()
			for _, part := range []string{"s3://bucket/cur/report-00001.csv.gz", "line " + strconv.Itoa(tt.line), "column " + tt.column, tt.value} {
				if !strings.Contains(msg, part) {
					t.Errorf("message %q does not contain %q", msg, part)
				}
			}
		})
	}
}

func TestMalformedCSV(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		line int
	}{
		{"a quoted field that is never closed", legacyHead + "\n" + goodRow + "\n" + `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"no end` + "\nmore\n", 3},
		{"a quoted field never closed, without a final newline", legacyHead + "\n" + `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"no end`, 2},
		{"a quote inside an unquoted field", csvLines(legacyHead, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,5" disk`, goodRow), 2},
		{"text after a closing quote", csvLines(legacyHead, `b,123456789012,Usage,2023-11-01T00:00:00Z,1,1,"a"b`, goodRow), 2},
		{"an unclosed quote in the header", `bill/PayerAccountId,"lineItem/LineItemType` + "\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a malformed CSV error on line "+strconv.Itoa(tt.line), func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, _, err := readCUR(strings.NewReader(tt.csv), "r.csv")
				done <- err
			}()
			select {
			case err := <-done:
				pe := mustParseError(t, err)
				if pe.Line != tt.line || !strings.Contains(pe.Problem, "malformed CSV") {
					t.Errorf("got %q (line %d), want a malformed CSV error on line %d", pe, pe.Line, tt.line)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the reader did not return: it loops on the malformed input")
			}
		})
	}
}

func TestEmptyAndCompressedInputs(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(csvLines(legacyHead, goodRow, goodRow)))
	zw.Close()
	truncated := gz.Bytes()[:gz.Len()-12]

	tests := []struct {
		name    string
		in      []byte
		rows    int
		wantErr func(t *testing.T, err error)
	}{
		{"an empty file is an error on line 1", nil, 0, func(t *testing.T, err error) {
			if pe := mustParseError(t, err); pe.Line != 1 || !strings.Contains(pe.Problem, "empty") {
				t.Errorf("got %v", err)
			}
		}},
		{"a file of blank lines is empty too", []byte("\n\r\n\n"), 0, func(t *testing.T, err error) {
			if pe := mustParseError(t, err); !strings.Contains(pe.Problem, "empty") {
				t.Errorf("got %v", err)
			}
		}},
		{"a header alone has no rows", []byte(legacyHead + "\n"), 0, nil},
		{"a ZIP file is refused with advice", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), 0, func(t *testing.T, err error) {
			if !errors.Is(err, ErrZip) {
				t.Errorf("got %v, want ErrZip", err)
			}
		}},
		{"a gzip file is recognised by its magic bytes", gz.Bytes(), 2, nil},
		{"a truncated gzip file is a read error", truncated, 0, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "r.csv") {
				t.Errorf("got %v, want an error naming the file", err)
			}
		}},
		{"CRLF line ends read like LF", []byte(strings.ReplaceAll(csvLines(legacyHead, goodRow), "\n", "\r\n")), 1, nil},
		{"a last line without newline is read", []byte(legacyHead + "\n" + goodRow), 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _, err := readCUR(bytes.NewReader(tt.in), "r.csv")
			if tt.wantErr != nil {
				tt.wantErr(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tt.rows {
				t.Fatalf("got %d rows, want %d", len(rows), tt.rows)
			}
			for _, r := range rows {
				checkRow(t, "row", r, map[string]string{"ChargeDescription": "fine", "BilledCost": "1.5"})
			}
		})
	}
}

func TestReaderGoesOnAfterABadRow(t *testing.T) {
	rd, err := NewReader(strings.NewReader(csvLines(legacyHead, goodRow, "b,123456789012,Usage,2023-11-01T00:00:00Z,oops,1,x", goodRow)), "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		_, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			got = append(got, "error@"+strconv.Itoa(rd.Line()))
			continue
		}
		got = append(got, "row@"+strconv.Itoa(rd.Line()))
	}
	if want := "row@2 error@3 row@4"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
	if rd.Rows() != 2 {
		t.Errorf("Rows() = %d, want 2", rd.Rows())
	}
}

func TestRowLengthWarnings(t *testing.T) {
	_, warnings := readString(t, csvLines(legacyHead, goodRow, "a,123456789012,Usage,2023-11-01T00:00:00Z,1.5,1", goodRow+",extra", goodRow+",extra,more", "a,123456789012,Usage,2023-11-01T00:00:00Z,1.5"))
	checkWarnings(t, warnings, []string{
		"line 3: 2 rows have fewer cells than the header's 7; the missing trailing cells are read as empty",
		"line 4: 2 rows have more cells than the header's 7; the extra cells are ignored",
	})
}
