package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// lines is a tiny format, enough to drive the Loader without any provider:
// a folder holds files named <account>_<report>_<YYYY-MM>_<version>.txt
// (account "-" when the delivery does not name it), each the current
// delivery of a period; a line is "<account>,<YYYY-MM>,<billed cost>", and
// may go on with ",<charge start>,<charge end>" (RFC 3339; the charge
// period is otherwise the billing period's first hour).
type lines struct{}

func (lines) Find(root string) ([]*ingest.Delivery, error) {
	names, err := filepath.Glob(filepath.Join(root, "*.txt"))
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no deliveries under %s", root)
	}
	var out []*ingest.Delivery
	for _, path := range names {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(path), ".txt"), "_")
		start, err := time.Parse("2006-01", parts[2])
		if err != nil {
			return nil, err
		}
		d := &ingest.Delivery{Source: "lines/" + parts[0] + "/" + parts[1], Report: parts[1], BillingAccount: parts[0],
			Period: ingest.Period{Start: start, End: start.AddDate(0, 1, 0)}, Version: parts[3], Origin: path, Files: []string{path}}
		if parts[0] == "-" {
			d.BillingAccount = ""
		}
		out = append(out, d)
	}
	return out, nil
}

func (f lines) File(path string) (*ingest.Delivery, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	r, _ := f.Open(file, path, 0)
	row, err := r.Next()
	if err != nil {
		return nil, err
	}
	return &ingest.Delivery{Source: "lines/" + row.BillingAccountID, BillingAccount: row.BillingAccountID, FromRows: true,
		Period: ingest.Period{Start: row.BillingPeriodStart, End: row.BillingPeriodEnd}, Version: filepath.Base(path), Origin: path, Files: []string{path}}, nil
}

func (lines) Open(r io.Reader, name string, _ int64) (ingest.RowReader, error) {
	return &lineRows{sc: bufio.NewScanner(r), name: name}, nil
}

type lineRows struct {
	sc   *bufio.Scanner
	name string
	line int
	row  cost.Row
}

func (r *lineRows) Next() (*cost.Row, error) {
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	r.line++
	f := strings.Split(r.sc.Text(), ",")
	start, err := time.Parse("2006-01", f[1])
	if err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", r.name, r.line, err)
	}
	billed, err := decimal.Parse(f[2])
	if err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", r.name, r.line, err)
	}
	r.row = cost.Row{ProviderName: "Lines", BillingAccountID: f[0], SubAccountID: f[0],
		BillingPeriodStart: start, BillingPeriodEnd: start.AddDate(0, 1, 0),
		ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour), ChargeCategory: "Usage",
		BilledCost: billed, EffectiveCost: billed, ListCost: billed, BillingCurrency: "USD", ServiceName: "Lines"}
	if len(f) == 5 {
		if r.row.ChargePeriodStart, err = time.Parse(time.RFC3339, f[3]); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", r.name, r.line, err)
		}
		if r.row.ChargePeriodEnd, err = time.Parse(time.RFC3339, f[4]); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", r.name, r.line, err)
		}
	}
	return &r.row, nil
}

func (r *lineRows) Line() int          { return r.line }
func (r *lineRows) Warnings() []string { return nil }
func (r *lineRows) Close() error       { return nil }

// write puts a delivery file into dir.
func write(t *testing.T, dir, name string, rows ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func openStore(t *testing.T) *duckstore.Store {
	t.Helper()
	s, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// wantTotal checks the store's billed cost over everything.
func wantTotal(t *testing.T, s *duckstore.Store, want string) {
	t.Helper()
	res, err := s.Query(context.Background(), &cost.Query{Type: cost.CostActual, Granularity: cost.GranularityNone})
	if err != nil {
		t.Fatal(err)
	}
	sum := decimal.Zero
	for _, r := range res.Rows {
		sum = sum.Add(r.Cost)
	}
	if sum.Cmp(decimal.MustParse(want)) != 0 {
		t.Errorf("the store holds %s billed, want %s", sum, want)
	}
}

func mustMonth(t *testing.T, s string) time.Time {
	t.Helper()
	m, err := time.Parse("2006-01", s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
