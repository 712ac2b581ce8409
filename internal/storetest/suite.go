package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Run runs the suite; open returns a new, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("queries answer what the oracle sums, to the last decimal place", func(t *testing.T) { testQueries(t, open(t)) })
	t.Run("random filter expressions keep what they mean", func(t *testing.T) { testExpressions(t, open(t)) })
	t.Run("the top groups and Others add up to the total", func(t *testing.T) { testTop(t, open(t)) })
	t.Run("pages put together are the whole answer", func(t *testing.T) { testPages(t, open(t)) })
	t.Run("a restated period replaces its source's old version whole", func(t *testing.T) { testRestatement(t, open(t)) })
	t.Run("a load that fails leaves the old version", func(t *testing.T) { testFailedLoad(t, open(t)) })
	t.Run("a billing period belongs to one source unless a load replaces it", func(t *testing.T) { testOneSource(t, open(t)) })
	t.Run("deleting a billing account deletes its rows only", func(t *testing.T) { testDeleteBillingAccount(t, open(t)) })
	t.Run("dimension values come from the rows the view keeps", func(t *testing.T) { testValues(t, open(t)) })
	t.Run("rows come back as they were loaded", func(t *testing.T) { testRows(t, open(t)) })
}

func dim(c string) cost.Dimension { return cost.Dimension{Column: c} }
func tag(k string) cost.Dimension { return cost.Dimension{Tag: k} }
func ctx() context.Context        { return context.Background() }
func filter(e string) *cost.Expr  { x, err := cost.ParseFilter(e); must(err); return x }
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// check runs q and compares the answer with the oracle, exactly.
func check(t *testing.T, s Store, f *fixture, name string, q *cost.Query) {
	t.Helper()
	res, err := s.Query(ctx(), q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.More {
		t.Fatalf("%s: the answer has more pages than the suite expects", name)
	}
	want, got := oracle(q, f.rows), answer(res)
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", name, len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: no row %q", name, k)
			continue
		}
		for i := range w {
			if g[i].Cmp(w[i]) != 0 {
				t.Errorf("%s: row %q measure %d is %s, want %s", name, k, i, g[i], w[i])
			}
		}
	}
}

func testQueries(t *testing.T, s Store) {
	f := loadAll(t, s, 300)
	sep, oct := Months[1], Months[2]
	all := []cost.Measure{cost.MeasureBilled, cost.MeasureEffective, cost.MeasureList, cost.MeasureUnblended, cost.MeasureConsumed}
	for name, q := range map[string]*cost.Query{
		"the total":                     {Granularity: cost.GranularityNone, Type: cost.CostActual},
		"amortized by month":            {Granularity: cost.GranularityMonthly, Type: cost.CostAmortized},
		"every measure by day":          {Granularity: cost.GranularityDaily, Measures: all},
		"by account and service":        {Granularity: cost.GranularityMonthly, Type: cost.CostActual, GroupBy: []cost.Dimension{dim("SubAccountId"), dim("ServiceName")}},
		"by tag, daily in September":    {Granularity: cost.GranularityDaily, Type: cost.CostActual, GroupBy: []cost.Dimension{tag("env")}, From: sep, To: oct},
		"by region and team, unblended": {Granularity: cost.GranularityNone, Type: cost.CostUnblended, GroupBy: []cost.Dimension{dim("RegionId"), tag("team")}},
		"a filter on a value and a tag": {Granularity: cost.GranularityNone, Type: cost.CostActual, Filters: []cost.Filter{{Dimension: dim("ServiceName"), Values: []string{"Tax", "Amazon Simple Storage Service"}}, {Dimension: tag("env"), Values: []string{"prod"}}}},
		"a view of one billing account": {Granularity: cost.GranularityMonthly, Type: cost.CostActual, View: []cost.Filter{{Dimension: dim("BillingAccountId"), Values: []string{PayerEUR}}}},
		"a view of accounts and an expression": {Granularity: cost.GranularityNone, Type: cost.CostAmortized, GroupBy: []cost.Dimension{dim("ChargeCategory")},
			View:  []cost.Filter{{Dimension: dim("SubAccountId"), Values: []string{"000000000001", "055566667777"}}},
			Where: filter(`(ServiceName in (Tax, "Amazon Elastic Compute Cloud") or RegionId = "") and not tag:env = dev`)},
		"September's bill, by charge period": {Granularity: cost.GranularityDaily, Type: cost.CostActual, Period: cost.PeriodBilling, From: sep, To: oct},
		"contains, ignoring case":            {Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{dim("x_UsageType")}, Where: filter(`ResourceId contains "I-001"`)},
		"a tag that exists or not":           {Granularity: cost.GranularityMonthly, Type: cost.CostActual, Where: filter(`tag:team exists and not tag:env exists`)},
	} {
		check(t, s, f, name, q)
	}
}

func testExpressions(t *testing.T, s Store) {
	f := loadAll(t, s, 200)
	rng := rand.New(rand.NewPCG(1, 2))
	kept := 0
	for i := range 150 {
		e := randomExpr(rng, 3)
		if e.Validate() != nil {
			continue
		}
		back, err := cost.ParseFilter(e.String())
		if err != nil {
			t.Fatalf("%s does not read back: %v", e, err)
		}
		q := &cost.Query{Granularity: []cost.Granularity{cost.GranularityNone, cost.GranularityMonthly}[i%2], Type: cost.CostActual, Where: back}
		if len(oracle(q, f.rows)) > 0 {
			kept++
		}
		check(t, s, f, fmt.Sprintf("expression %d, %s", i, e), q)
	}
	if kept < 50 {
		t.Fatalf("only %d expressions kept any row: the comparison says little", kept)
	}
}

// randomExpr is a random filter over the fixture's dimensions.
func randomExpr(rng *rand.Rand, depth int) *cost.Expr {
	if depth > 0 && rng.IntN(3) > 0 {
		ops := []cost.Op{cost.OpAnd, cost.OpOr, cost.OpNot}
		op := ops[rng.IntN(len(ops))]
		if op == cost.OpNot {
			return cost.Not(randomExpr(rng, depth-1))
		}
		return &cost.Expr{Op: op, Args: []*cost.Expr{randomExpr(rng, depth-1), randomExpr(rng, depth-1)}}
	}
	choices := []struct {
		d      cost.Dimension
		values []string
	}{
		{dim("ServiceName"), services}, {dim("RegionId"), regions}, {tag("env"), envs},
		{dim("SubAccountId"), []string{PayerUSD, "000000000001", "055566667777"}}, {tag("team"), []string{"t0", "t1", ""}},
	}
	c := choices[rng.IntN(len(choices))]
	vals := []string{c.values[rng.IntN(len(c.values))], c.values[rng.IntN(len(c.values))]}
	switch rng.IntN(5) {
	case 0:
		return &cost.Expr{Op: cost.OpNotIn, Dimension: c.d, Values: vals}
	case 1:
		if c.d.Tag != "" {
			return &cost.Expr{Op: []cost.Op{cost.OpExists, cost.OpNotExists}[rng.IntN(2)], Dimension: c.d}
		}
		return &cost.Expr{Op: cost.OpContains, Dimension: c.d, Values: []string{"east", "Storage"}[rng.IntN(2):][:1]}
	}
	return cost.In(c.d, vals...)
}
