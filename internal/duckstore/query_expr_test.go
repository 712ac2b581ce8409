package duckstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/storetest"
)

// randomExpr is a random filter over the dimensions of filterRows.
func randomExpr(rng *rand.Rand, depth int) *cost.Expr {
	if depth > 0 && rng.IntN(3) > 0 {
		switch rng.IntN(3) {
		case 0:
			return cost.Not(randomExpr(rng, depth-1))
		default:
			op := []cost.Op{cost.OpAnd, cost.OpOr}[rng.IntN(2)]
			args := []*cost.Expr{randomExpr(rng, depth-1), randomExpr(rng, depth-1)}
			if rng.IntN(3) == 0 {
				args = append(args, randomExpr(rng, depth-1))
			}
			return &cost.Expr{Op: op, Args: args}
		}
	}
	names := []string{"RegionId", "SubAccountId", "ResourceId", "ChargeDescription", "tag:Environment", "tag:k7", "tag:none"}
	pools := map[string][]string{
		"RegionId":          {"r1", "r2", "r10", "r100", "R1", "", "r"},
		"SubAccountId":      {"000000000001", "000000000002", "0000", ""},
		"ResourceId":        {"i-1", "i-2", "I-3", "", "i-"},
		"ChargeDescription": {`$0.10 per "thing", hourly`, "", "HOURLY", "thing"},
		"tag:Environment":   {"prod", "dev", "PROD", "", "d"},
		"tag:k7":            {"v", "", "V"},
		"tag:none":          {"x", ""},
	}
	name := names[rng.IntN(len(names))]
	d := dim(name)
	if d.Column == "" && rng.IntN(4) == 0 {
		return &cost.Expr{Op: []cost.Op{cost.OpExists, cost.OpNotExists}[rng.IntN(2)], Dimension: d}
	}
	e := &cost.Expr{Op: []cost.Op{cost.OpIn, cost.OpNotIn, cost.OpContains}[rng.IntN(3)], Dimension: d}
	for range 1 + rng.IntN(3) {
		e.Values = append(e.Values, pools[name][rng.IntN(len(pools[name]))])
	}
	return e
}

// TestFilterExpressionsKeepWhatTheyMean runs 300 random and/or/not trees of
// every operator on columns of each side table and on tags, over every
// rollup (monthly, daily, with and without resources) and the rows, and
// compares each total with the oracle's.
func TestFilterExpressionsKeepWhatTheyMean(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := filterRows()
	load(t, s, "src", "v", list)
	rng := rand.New(rand.NewPCG(9, 10))
	kept, all := 0, 0
	for i := range 300 {
		e := randomExpr(rng, 3)
		if err := e.Validate(); err != nil {
			continue
		}
		// Each rollup in turn: whole months, days, and cost_rows (for
		// ChargeDescription, whichever the range).
		q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
		switch i % 3 {
		case 1:
			q.Granularity = cost.GranularityDaily
		case 2:
			q.From, q.To = month(2026, 8).AddDate(0, 0, 2), month(2026, 8).AddDate(0, 0, 20)
		}
		w := decimal.Zero
		for _, r := range list {
			inRange := q.From.IsZero() || !r.ChargePeriodStart.Before(q.From) && r.ChargePeriodStart.Before(q.To)
			if inRange && storetest.Holds(e, r) {
				w = w.Add(r.BilledCost)
			}
		}
		// Through the language too: what it writes, it reads back the same.
		back, err := cost.ParseFilter(e.String())
		if err != nil {
			t.Fatalf("%s does not read back: %v", e, err)
		}
		q.Where = back
		res, err := s.Query(context.Background(), q)
		if err != nil {
			t.Fatalf("query %d %s: %v", i, e, err)
		}
		got := decimal.Zero
		for _, row := range res.Rows {
			got = got.Add(row.Cost)
		}
		if got.Cmp(w) != 0 {
			t.Fatalf("query %d %s: total %s, want %s", i, e, got, w)
		}
		switch {
		case w.Sign() == 0:
		case q.From.IsZero() && w.Cmp(decimal.FromInt(1200*1201/2)) == 0:
			all++
		default:
			kept++
		}
	}
	if kept < 100 {
		t.Fatalf("only %d queries kept some but not all rows: the comparison says little", kept)
	}
	t.Logf("%d queries kept some rows, %d all", kept, all)
}

// TestTopNWithOthersAddsUpToTheTotal: the top 3 regions by day, with the
// rest as Others, sum to each day's total; the top 3 are the 3 largest
// over the range; and pages of the answer concatenated are the answer.
func TestTopNWithOthersAddsUpToTheTotal(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := filterRows()
	load(t, s, "src", "v", list)
	region := dim("RegionId")
	q := cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostActual, GroupBy: []cost.Dimension{region}, Top: 3}
	res, err := s.Query(context.Background(), &q)
	if err != nil {
		t.Fatal(err)
	}
	byDay := map[string]decimal.Decimal{}
	for _, r := range list {
		day := r.ChargePeriodStart.Format("2006-01-02")
		byDay[day] = byDay[day].Add(r.BilledCost)
	}
	gotDay := map[string]decimal.Decimal{}
	groups := map[string]bool{}
	for _, row := range res.Rows {
		day := row.Date.Format("2006-01-02")
		gotDay[day] = gotDay[day].Add(row.Cost)
		groups[row.Groups[0]] = true
	}
	for day, w := range byDay {
		if gotDay[day].Cmp(w) != 0 {
			t.Errorf("%s: top 3 and Others sum to %s, want the day's total %s", day, gotDay[day], w)
		}
	}
	// Row i costs i+1 and has region r<i>: the largest are r1199, r1198, r1197.
	want := map[string]bool{"r1199": true, "r1198": true, "r1197": true, cost.Others: true}
	if fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	var paged []cost.ResultRow
	q.Limit = 7
	for q.Skip = 0; ; q.Skip += q.Limit {
		page, err := s.Query(context.Background(), &q)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page.Rows...)
		if !page.More {
			break
		}
	}
	if fmt.Sprint(paged) != fmt.Sprint(res.Rows) {
		t.Errorf("pages of 7 give %d rows unlike the %d of the whole answer", len(paged), len(res.Rows))
	}
}

// TestSeveralMeasuresAndASortAtOnce: each measure of a query with several
// equals the query of that measure alone, and a sort by a dimension orders
// the rows by it.
func TestSeveralMeasuresAndASortAtOnce(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := makeRows(month(2026, 8), 40, "1.5", "000000000001", "000000000002")
	for i, r := range list {
		r.EffectiveCost = decimal.MustParse("1.25")
		r.ListCost = decimal.FromInt(int64(2 + i%2))
		r.UnblendedCost = decimal.MustParse("1.75")
		r.ConsumedQuantity = cost.NullDecimal{Decimal: decimal.FromInt(int64(i)), Valid: true}
	}
	load(t, s, "src", "v", list)
	all := []cost.Measure{cost.MeasureList, cost.MeasureBilled, cost.MeasureEffective, cost.MeasureUnblended, cost.MeasureConsumed}
	q := cost.Query{Granularity: cost.GranularityNone, Measures: all, GroupBy: []cost.Dimension{dim("SubAccountId")},
		OrderBy: []cost.Order{{Column: "SubAccountId"}}}
	res, err := s.Query(context.Background(), &q)
	if err != nil {
		t.Fatal(err)
	}
	// Account 1 has the even rows: list 2 each, consumed 0+2+…+38 = 380.
	want := [][]string{
		{"40.0", "30.0", "25.0", "35.0", "380.0"},
		{"60.0", "30.0", "25.0", "35.0", "400.0"},
	}
	if len(res.Rows) != 2 || res.Rows[0].Groups[0] != "000000000001" {
		t.Fatalf("rows %v, want the two accounts in order", res.Rows)
	}
	for i, row := range res.Rows {
		for j, v := range row.Values() {
			if v.Cmp(decimal.MustParse(want[i][j])) != 0 {
				t.Errorf("account %d %s = %s, want %s", i+1, all[j], v, want[i][j])
			}
		}
	}
	if cols := res.Columns; cols[0].Name != "ListCost" || cols[4].Name != "ConsumedQuantity" || cols[5].Name != "Currency" {
		t.Errorf("columns %v", cols)
	}
}

// TestBillingPeriodRangeSelectsByTheBill: a credit billed in September but
// dated in August counts in September's bill, not in August's.
func TestBillingPeriodRangeSelectsByTheBill(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug, sep := month(2026, 8), month(2026, 9)
	list := makeRows(aug, 3, "10", "1")
	late := makeRows(sep, 1, "-4", "1")[0]
	late.ChargePeriodStart, late.ChargePeriodEnd = aug.AddDate(0, 0, 30), sep
	list = append(list, late)
	load(t, s, "src", "v", list)
	total := func(p cost.Period) string {
		res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
			From: aug, To: sep, Period: p})
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0].Cost.String()
	}
	if got := total(cost.PeriodCharge); got != "26.0" {
		t.Errorf("charged in August: %s, want 26.0", got)
	}
	if got := total(cost.PeriodBilling); got != "30.0" {
		t.Errorf("billed in August: %s, want 30.0", got)
	}
}

// TestEachQueryReadsTheSmallestTableThatAnswersIt: the rollup by month
// for whole months, by day otherwise, with resources when the query names
// them, and cost_rows for descriptions.
func TestEachQueryReadsTheSmallestTableThatAnswersIt(t *testing.T) {
	aug, mid := month(2026, 8), month(2026, 8).AddDate(0, 0, 14)
	for _, tt := range []struct {
		q    cost.Query
		want string
	}{
		{cost.Query{Granularity: cost.GranularityNone}, "cost_monthly"},
		{cost.Query{Granularity: cost.GranularityMonthly, From: aug, To: aug.AddDate(0, 2, 0)}, "cost_monthly"},
		{cost.Query{Granularity: cost.GranularityMonthly, From: mid}, "cost_daily"},
		{cost.Query{Granularity: cost.GranularityNone, From: mid, To: aug.AddDate(0, 1, 0), Period: cost.PeriodBilling}, "cost_monthly"},
		{cost.Query{Granularity: cost.GranularityDaily}, "cost_daily"},
		{cost.Query{GroupBy: []cost.Dimension{dim("ResourceId")}}, "cost_monthly_resources"},
		{cost.Query{Granularity: cost.GranularityDaily, Where: cost.In(dim("ResourceId"), "i-1")}, "cost_daily_resources"},
		{cost.Query{View: []cost.Filter{{Dimension: dim("ResourceId"), Values: []string{"x"}}}, From: mid}, "cost_daily_resources"},
		{cost.Query{GroupBy: []cost.Dimension{dim("ResourceId")}, Filters: []cost.Filter{{Dimension: dim("ChargeDescription"), Values: []string{"x"}}}}, "cost_rows"},
		{cost.Query{Where: cost.Not(cost.In(dim("tag:env"), "dev"))}, "cost_monthly"},
	} {
		if got := (&compiler{q: &tt.q}).source(); got != tt.want {
			t.Errorf("%+v reads %s, want %s", tt.q, got, tt.want)
		}
	}
}
