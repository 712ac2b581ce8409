package azexport

import (
	"errors"
	"io"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// readFile reads every row of an export file and keeps a clone of each.
func readFile(t testing.TB, path string, opts Options) ([]*cost.Row, []Warning) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, warnings, err := readAll(f, path, opts)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows, warnings
}

// readAll reads a stream to its end; it stops at the first error.
func readAll(r io.Reader, name string, opts Options) ([]*cost.Row, []Warning, error) {
	rd, err := NewReader(r, name, opts)
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

// readString reads an export held in a string.
func readString(t testing.TB, text string, opts Options) ([]*cost.Row, []Warning) {
	t.Helper()
	rows, warnings, err := readAll(strings.NewReader(text), "test.csv", opts)
	if err != nil {
		t.Fatalf("read: %v\ninput:\n%s", err, text)
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

// mustParseError fails unless err is a *ParseError.
func mustParseError(t testing.TB, err error) *ParseError {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	return pe
}
