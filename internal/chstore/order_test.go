package chstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestSumsSortExactly: groups whose sums a Float64 cannot tell apart, on
// both sides of zero and of a billion, come in the order of their exact
// sums, largest first (sortKey's three integer keys).
func TestSumsSortExactly(t *testing.T) {
	s := openTest(t)
	want := []string{ // largest first
		"98765432109.000000000000000002",
		"98765432109.000000000000000001",
		"1000000000.5",
		"999999999.999999999999999999",
		"0.000000000000000001",
		"-0.000000000000000001",
		"-999999999.999999999999999999",
		"-98765432109.000000000000000001",
		"-98765432109.000000000000000002",
	}
	rows := testRows(len(want), "0")
	for i, r := range rows {
		// Shuffled: the i-th row holds the (i*4 mod 9)-th value.
		v := decimal.MustParse(want[i*4%len(want)])
		r.BilledCost, r.UnblendedCost, r.ResourceID = v, v, want[i*4%len(want)]
	}
	if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "s", Version: "1"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
		GroupBy: []cost.Dimension{{Column: "ResourceId"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, r.Groups[0])
	}
	if !slices.Equal(got, want) {
		t.Errorf("groups by their sums, largest first:\n got %q\nwant %q", got, want)
	}
}

// TestAQueryPastItsDeadlineIsATimeout: a query whose deadline passes is
// answered with the Timeout code, never as an internal error, and a limit's
// own words (its cause) are kept.
func TestAQueryPastItsDeadlineIsATimeout(t *testing.T) {
	s := openTest(t)
	if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "s", Version: "1"}, &rowList{rows: testRows(50, "1")}); err != nil {
		t.Fatal(err)
	}
	q := &cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "ResourceId"}}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if _, err := s.Query(ctx, q); cost.ErrorCode(err) != cost.ETimeout {
		t.Errorf("past its deadline: %v, want a Timeout", err)
	}
	limit := cost.Errorf(cost.ETimeout, "the server's limit of 30s")
	ctx, cancel = context.WithTimeoutCause(context.Background(), time.Nanosecond, limit)
	defer cancel()
	<-ctx.Done()
	if _, err := s.Query(ctx, q); err != limit {
		t.Errorf("past the server's limit: %v, want its words", err)
	}
}
