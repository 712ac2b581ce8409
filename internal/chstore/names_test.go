package chstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestAccountNames checks that account names a source left empty come
// from Options.AccountNames in group values, filters, value listings and
// Rows, and that a row's own name wins.
func TestAccountNames(t *testing.T) {
	var calls int
	var fail bool
	s := openTestWith(t, func(o *Options) {
		o.AccountNames = func(context.Context) (map[string]string, error) {
			calls++
			if fail {
				return nil, errors.New("the catalog is down")
			}
			m := map[string]string{
				"111122223333": "Payer", "000000000001": "One", "000000000002": "Two", "ABCDEF-GUID": "Azure sub",
				"000000000009": "Unused", "it's": "quoted's",
			}
			// Accounts that hold no row, past ClickHouse's default
			// max_query_size of 256 KiB.
			for i := range 20_000 {
				m[fmt.Sprintf("9%011d", i)] = fmt.Sprint("An account of the catalog with no row, number ", i)
			}
			return m, nil
		}
	})
	ctx := context.Background()
	rows := testRows(28, "1")
	for i, r := range rows {
		r.SubAccountID = []string{"000000000001", "000000000002", "000000000003", "abcdef-guid"}[i%4]
		if i%7 == 0 {
			r.SubAccountName = "Own name" // the row's own name wins
		}
	}
	rows[1].BillingAccountName = "Payer's own" // row 1: sub-account 2
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "s", Version: "1", BillingAccount: "111122223333"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	group := func(d string, where string) string {
		t.Helper()
		q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: d}}}
		if where != "" {
			e, err := cost.ParseFilter(where)
			if err != nil {
				t.Fatal(err)
			}
			q.Where = e
		}
		res, err := s.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range res.Rows {
			out = append(out, r.Groups[0]+"="+r.Cost.String())
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ name, dim, where, want string }{
		{"sub-accounts by name", "SubAccountName", "", "=6.0 Azure sub=6.0 One=6.0 Own name=4.0 Two=6.0"},
		{"billing accounts by name", "BillingAccountName", "", "Payer's own=1.0 Payer=27.0"},
		{"a filter on a catalog name", "SubAccountId", `SubAccountName in (One, "Azure sub")`, "000000000001=6.0 abcdef-guid=6.0"},
		{"a filter on an empty name", "SubAccountId", `SubAccountName = ""`, "000000000003=6.0"},
		{"contains in a catalog name", "SubAccountId", `SubAccountName contains "AZURE"`, "abcdef-guid=6.0"},
		{"not a catalog name", "SubAccountName", `not SubAccountName = Two`, "=6.0 Azure sub=6.0 One=6.0 Own name=4.0"},
	} {
		if got := group(c.dim, c.where); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
	vals, err := s.Values(ctx, q, cost.ValueQuery{Dimensions: []cost.Dimension{{Column: "SubAccountName"}}, Limit: 10, Search: "o"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(vals.Dimensions[0].Values), "[{One USD 6.0} {Two USD 6.0} {Own name USD 4.0}]"; got != want {
		t.Errorf("the sub-account names with an o: %s, want %s", got, want)
	}
	names := map[string]int{}
	if err := s.Rows(ctx, q, func(r *cost.Row) error {
		names[r.SubAccountID+"/"+r.SubAccountName+"/"+r.BillingAccountName]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(names), "map[000000000001/One/Payer:6 000000000001/Own name/Payer:1 000000000002/Own name/Payer:1 "+
		"000000000002/Two/Payer:5 000000000002/Two/Payer's own:1 000000000003//Payer:6 000000000003/Own name/Payer:1 "+
		"abcdef-guid/Azure sub/Payer:6 abcdef-guid/Own name/Payer:1]"; got != want {
		t.Errorf("Rows: %s,\nwant %s", got, want)
	}
	// A query that names no account does not ask the catalog.
	calls = 0
	if _, err := s.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "SubAccountId"}}}); err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Errorf("a query by sub-account ID read the names %d times", calls)
	}
	fail = true
	if _, err := s.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "SubAccountName"}}}); err == nil ||
		!strings.Contains(err.Error(), "the catalog is down") {
		t.Errorf("a query by name while the names fail: %v", err)
	}
}
