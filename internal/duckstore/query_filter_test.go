package duckstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// filterRows are 1,200 rows, row i costing i+1, each with a region of its
// own (r0…r1199), on one of three accounts; every other row has tags k0…k49
// and Environment, every third a resource, every fourth no description.
func filterRows() []*cost.Row {
	aug := month(2026, 8)
	list := makeRows(aug, 1200, "1", "000000000001", "000000000002", "000000000003")
	for i, r := range list {
		r.BilledCost = decimal.FromInt(int64(i + 1))
		r.RegionID = fmt.Sprintf("r%d", i)
		r.Tags = nil
		if i%2 == 0 {
			for k := range 50 {
				r.Tags = append(r.Tags, cost.Tag{Key: fmt.Sprintf("k%d", k), Value: "v"})
			}
			r.Tags = append(r.Tags, cost.Tag{Key: "Environment", Value: []string{"prod", "dev", "test"}[i/2%3]})
		}
		if i%3 == 0 {
			r.ResourceID = fmt.Sprintf("i-%d", i%7)
		}
		if i%4 == 0 {
			r.ChargeDescription = ""
		}
	}
	return list
}

// want sums the rows every filter keeps, as cost.Filter documents it.
func want(list []*cost.Row, filters ...cost.Filter) decimal.Decimal {
	sum := decimal.Zero
	for _, r := range list {
		if !slices.ContainsFunc(filters, func(f cost.Filter) bool { return !slices.Contains(f.Values, r.Value(f.Dimension)) }) {
			sum = sum.Add(r.BilledCost)
		}
	}
	return sum
}

func regions(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("r%d", i))
	}
	return out
}

// semiJoins counts the semi-joins of compiled SQL.
func semiJoins(sql string) int { return strings.Count(sql, " IN (SELECT ") }

// TestFiltersCompileToOneSemiJoinPerDimension checks the SQL of many
// filters and values: one semi-join per dimension with its values as an IN
// list, whatever the number of filters, and the answer they give. A query
// that would plan for minutes fails its deadline instead.
func TestFiltersCompileToOneSemiJoinPerDimension(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := filterRows()
	load(t, s, "src", "v", list)
	region, account := dim("RegionId"), dim("SubAccountId")
	var tags []cost.Filter
	for k := range 50 {
		tags = append(tags, cost.Filter{Dimension: dim(fmt.Sprintf("tag:k%d", k)), Values: []string{"v"}})
	}
	var views []string
	for i := range 5000 {
		views = append(views, fmt.Sprintf("%012d", i))
	}
	tests := []struct {
		name      string
		q         cost.Query
		semiJoins int
	}{
		{"one filter with 1,000 values is one IN list", cost.Query{
			Filters: []cost.Filter{{Dimension: region, Values: regions(0, 1000)}}}, 1},
		{"50 filters on one dimension are one semi-join", cost.Query{
			Filters: slices.Repeat([]cost.Filter{{Dimension: region, Values: regions(0, 20)}}, 50)}, 1},
		{"50 filters on 50 tags are 50 semi-joins", cost.Query{Filters: tags}, 50},
		{"a view of 5,000 accounts merges with a filter on accounts", cost.Query{
			Filters: []cost.Filter{{Dimension: account, Values: []string{"000000000002", "999999999999"}}, {Dimension: region, Values: regions(0, 600)}},
			View:    []cost.Filter{{Dimension: account, Values: views}}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Granularity, q.Type = cost.GranularityNone, cost.CostActual
			c, err := compileQuery(&q, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := semiJoins(c.sql); got != tt.semiJoins {
				t.Errorf("%d semi-joins, want %d:\n%.2000s", got, tt.semiJoins, c.sql)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			res, err := s.Query(ctx, &q)
			if err != nil {
				t.Fatal(err)
			}
			got := decimal.Zero
			for _, row := range res.Rows {
				got = got.Add(row.Cost)
			}
			if w := want(list, slices.Concat(q.Filters, q.View)...); got.Cmp(w) != 0 {
				t.Errorf("total %s, want %s", got, w)
			}
		})
	}
}

// TestFiltersOverTheLimitsAreRefused sends what took the server down: a
// thousand filters on one dimension, and 300 on different ones.
func TestFiltersOverTheLimitsAreRefused(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	var onOne, onMany []cost.Filter
	for i := range 1000 {
		onOne = append(onOne, cost.Filter{Dimension: dim("RegionId"), Values: []string{fmt.Sprintf("r%d", i)}})
	}
	for i := range 300 {
		onMany = append(onMany, cost.Filter{Dimension: dim(fmt.Sprintf("tag:k%d", i)), Values: []string{"v"}})
	}
	tests := []struct {
		name    string
		filters []cost.Filter
		wants   string
	}{
		{"1,000 filters on one dimension", onOne, "at most 50 filters; this one has 1000"},
		{"300 filters on different dimensions", onMany, "at most 50 filters; this one has 300"},
		{"1,001 values", []cost.Filter{{Dimension: dim("RegionId"), Values: regions(0, 1001)}}, "at most 1000 values in all; this one's hold 1001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, Filters: tt.filters}
			_, err := s.Query(context.Background(), q)
			if cost.ErrorCode(err) != cost.EInvalid || !strings.Contains(err.Error(), tt.wants) {
				t.Fatalf("error %v, want an Invalid saying %q", err, tt.wants)
			}
		})
	}
}

// TestFiltersKeepWhatEachOfThemKeeps compares random filters, several on
// one dimension, with empty values and values no row has, against the rows
// they should keep.
func TestFiltersKeepWhatEachOfThemKeeps(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := filterRows()
	load(t, s, "src", "v", list)
	pools := map[string][]string{
		"RegionId":          append(regions(0, 8), "", "nowhere"),
		"SubAccountId":      {"000000000001", "000000000002", "000000000003", ""},
		"ResourceId":        {"i-0", "i-1", "i-2", "", "i-9"},
		"ChargeDescription": {`$0.10 per "thing", hourly`, "", "other"},
		"tag:Environment":   {"prod", "dev", "test", ""},
		"tag:k7":            {"v", ""},
	}
	names := []string{"RegionId", "SubAccountId", "ResourceId", "ChargeDescription", "tag:Environment", "tag:k7"}
	rng := rand.New(rand.NewPCG(1, 2))
	kept := 0 // queries that keep some rows: the comparison is not all zeros
	for i := range 200 {
		var filters []cost.Filter
		for range 1 + rng.IntN(4) {
			name := names[rng.IntN(len(names))]
			pool := pools[name]
			var values []string
			for range 1 + rng.IntN(len(pool)) {
				values = append(values, pool[rng.IntN(len(pool))])
			}
			filters = append(filters, cost.Filter{Dimension: dim(name), Values: values})
		}
		w := want(list, filters...)
		if got := total(t, s, filters...); got.Cmp(w) != 0 {
			t.Fatalf("query %d %+v: total %s, want %s", i, filters, got, w)
		}
		if w.Sign() != 0 {
			kept++
		}
	}
	if kept < 50 {
		t.Errorf("only %d of 200 queries kept any row", kept)
	}
}

// BenchmarkQueryFilters times the largest filters a query may have on the
// 1,200 rows of filterRows.
func BenchmarkQueryFilters(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "src", Version: "v"}, &rows{list: filterRows()}); err != nil {
		b.Fatal(err)
	}
	var tags []cost.Filter
	for k := range cost.MaxFilters {
		tags = append(tags, cost.Filter{Dimension: dim(fmt.Sprintf("tag:k%d", k)), Values: []string{"v"}})
	}
	var accounts []string
	for i := range 5000 {
		accounts = append(accounts, fmt.Sprintf("%012d", i))
	}
	for _, bb := range []struct {
		name          string
		filters, view []cost.Filter
	}{
		{"1000 values of one dimension", []cost.Filter{{Dimension: dim("RegionId"), Values: regions(0, 1000)}}, nil},
		{"50 filters on one dimension", slices.Repeat([]cost.Filter{{Dimension: dim("RegionId"), Values: regions(0, 20)}}, 50), nil},
		{"50 filters on 50 tags", tags, nil},
		{"a view of 5000 accounts", nil, []cost.Filter{{Dimension: dim("SubAccountId"), Values: accounts}}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, Filters: bb.filters, View: bb.view}
			for b.Loop() {
				if _, err := s.Query(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
