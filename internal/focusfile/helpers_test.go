package focusfile

import (
	"encoding/csv"
	"errors"
	"io"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// readAll reads every row of a FOCUS file, cloned, and fails the test on
// any error.
func readAll(t *testing.T, path string) ([]*cost.Row, []Warning) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := NewReader(f, path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []*cost.Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, rd.Warnings()
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row.Clone())
	}
}

// readString reads FOCUS text to its first error, or to the end.
func readString(text string) ([]*cost.Row, error) {
	rd, err := NewReader(strings.NewReader(text), "in.csv")
	if err != nil {
		return nil, err
	}
	var rows []*cost.Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row.Clone())
	}
}

// csvTable reads a file with encoding/csv, independently of the reader:
// each record as a map from column name to cell, the BOM dropped, blank
// lines skipped as encoding/csv does.
func csvTable(t *testing.T, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff")))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, name := range recs[0] {
			v := rec[i]
			if strings.EqualFold(v, "null") {
				v = ""
			}
			m[name] = v
		}
		out = append(out, m)
	}
	return out
}

// rat parses an amount as written in a file, in plain or scientific
// notation; empty is zero.
func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	if s == "" {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("the test cannot read the amount %q", s)
	}
	return r
}
