package awscur

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// readAll reads every row of a CUR file through Decompress, NewReader and
// Next, the way ingestion does, and keeps a clone of each.
func readAll(t testing.TB, path string) ([]*cost.Row, []Warning) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, warnings, err := readCUR(f, path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows, warnings
}

// readCUR is readAll for a stream; it stops at the first error.
func readCUR(r io.Reader, name string) ([]*cost.Row, []Warning, error) {
	plain, err := Decompress(r)
	if err != nil {
		return nil, nil, err
	}
	defer plain.Close()
	rd, err := NewReader(plain, name)
	if err != nil {
		return nil, nil, err
	}
	var rows []*cost.Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, rd.Warnings(), nil
		}
		if err != nil {
			return rows, rd.Warnings(), err
		}
		rows = append(rows, row.Clone())
	}
}

// readString reads a CUR held in a string.
func readString(t testing.TB, csv string) ([]*cost.Row, []Warning) {
	t.Helper()
	rows, warnings, err := readCUR(strings.NewReader(csv), "test.csv")
	if err != nil {
		t.Fatalf("read: %v\ninput:\n%s", err, csv)
	}
	return rows, warnings
}

// rat is d as an exact rational.
func rat(t testing.TB, d decimal.Decimal) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		t.Fatalf("big.Rat cannot read %q", d.String())
	}
	return r
}

var (
	decimalType     = reflect.TypeFor[decimal.Decimal]()
	nullDecimalType = reflect.TypeFor[cost.NullDecimal]()
	timeType        = reflect.TypeFor[time.Time]()
	tagsType        = reflect.TypeFor[[]cost.Tag]()
)

// fieldString renders a cost.Row field for comparison and for diffs:
// decimals as their value, NullDecimal as NULL or the value, times in
// RFC 3339 UTC, tags as k=v joined by ";".
func fieldString(v reflect.Value) string {
	switch v.Type() {
	case decimalType:
		return v.Interface().(decimal.Decimal).String()
	case nullDecimalType:
		n := v.Interface().(cost.NullDecimal)
		if !n.Valid {
			return "NULL"
		}
		return n.Decimal.String()
	case timeType:
		tm := v.Interface().(time.Time)
		if tm.Location() != time.UTC {
			return tm.Format(time.RFC3339Nano) + " (not UTC)"
		}
		return tm.Format(time.RFC3339Nano)
	case tagsType:
		var parts []string
		for _, tag := range v.Interface().([]cost.Tag) {
			parts = append(parts, tag.Key+"="+tag.Value)
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v.Interface())
}

// rowDiff compares the named fields of row with want, whose values are
// written as fieldString renders them (a decimal may be written in any form
// decimal.Parse reads: "10" matches 10.0). It returns one line per mismatch.
func rowDiff(row *cost.Row, want map[string]string) []string {
	var diffs []string
	v := reflect.ValueOf(row).Elem()
	for name, w := range want {
		f := v.FieldByName(name)
		if !f.IsValid() {
			diffs = append(diffs, fmt.Sprintf("%s: cost.Row has no such field", name))
			continue
		}
		got := fieldString(f)
		if f.Type() == decimalType || (f.Type() == nullDecimalType && w != "NULL") {
			if d, err := decimal.Parse(w); err == nil {
				w = d.String()
			}
		}
		if got != w {
			diffs = append(diffs, fmt.Sprintf("%s: got %q, want %q", name, got, w))
		}
	}
	return diffs
}

// checkRow fails t with every field of row that differs from want.
func checkRow(t testing.TB, label string, row *cost.Row, want map[string]string) {
	t.Helper()
	for _, d := range rowDiff(row, want) {
		t.Errorf("%s: %s", label, d)
	}
}

// mustParseError asserts that err is a *ParseError and returns it.
func mustParseError(t testing.TB, err error) *ParseError {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v (%T), want a *ParseError", err, err)
	}
	return pe
}

// csvLines joins lines into a CUR text with a trailing newline.
func csvLines(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
