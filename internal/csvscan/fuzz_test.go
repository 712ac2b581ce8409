package csvscan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"testing"
)

// FuzzScanner checks the zero-copy scanner against encoding/csv: both must
// accept the same inputs and return the same records.
func FuzzScanner(f *testing.F) {
	f.Add([]byte("identity/LineItemId,bill/PayerAccountId\nabc,\"012345678901\"\n"))
	f.Add([]byte("\ufeffDate,CostInBillingCurrency,Tags\n01/02/2026,6.19947E-9,\"\"\"env\"\": \"\"prod\"\"\"\n"))
	for _, s := range []string{"a,b\r\n\r\nc", "\"a\r\nb\",c\r", "\"\"\"\",\"\"", ",,\n,", "a\rb,c\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := stdlibRecords(data)
		got, gotErr := scannerRecords(data)
		if wantErr == nil && slices.ContainsFunc(want, func(r []string) bool { return len(r) > MaxFields }) {
			// The scanner's one limit a fuzzed input can reach.
			if !errors.Is(gotErr, ErrTooManyFields) {
				t.Fatalf("a record of more than %d cells: scanner error %v", MaxFields, gotErr)
			}
			return
		}
		if (wantErr != nil) != (gotErr != nil) {
			t.Fatalf("encoding/csv error %v, scanner error %v\ninput %q\nencoding/csv %q\nscanner %q", wantErr, gotErr, data, want, got)
		}
		if wantErr == nil && !slices.EqualFunc(got, want, slices.Equal[[]string]) {
			t.Fatalf("input %q\nencoding/csv %q\nscanner      %q", data, want, got)
		}
	})
}

func stdlibRecords(data []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

func scannerRecords(data []byte) ([][]string, error) {
	s := New(bytes.NewReader(data))
	var out [][]string
	for {
		fields, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		rec := make([]string, len(fields))
		for i, f := range fields {
			rec[i] = string(f)
		}
		out = append(out, rec)
	}
}
