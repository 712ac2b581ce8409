package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// usdOnly is the view of the dollar billing account.
var usdOnly = []cost.Filter{{Dimension: dim("BillingAccountId"), Values: []string{PayerUSD}}}

func testTop(t *testing.T, s Store) {
	f := loadAll(t, s, 250)
	q := &cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostActual, GroupBy: []cost.Dimension{dim("RegionId")}, Top: 2, View: usdOnly}
	res, err := s.Query(ctx(), q)
	if err != nil {
		t.Fatal(err)
	}
	// The top two regions over the whole range, by the oracle.
	whole := oracle(&cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: q.GroupBy, View: usdOnly}, f.rows)
	var regions []string
	for k := range whole {
		regions = append(regions, k)
	}
	slices.SortFunc(regions, func(a, b string) int { return whole[b][0].Cmp(whole[a][0]) })
	want := map[string]bool{cost.Others: true}
	for _, k := range regions[:2] {
		want[k[strings.LastIndex(k, "|")+1:]] = true
	}
	byDay := oracle(&cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostActual, View: usdOnly}, f.rows)
	gotDay := map[string]decimal.Decimal{}
	for _, row := range res.Rows {
		if !want[row.Groups[0]] {
			t.Errorf("group %q is neither of the top two regions %v nor Others", row.Groups[0], regions[:2])
		}
		k := key(row.Date, row.Currency, nil)
		gotDay[k] = gotDay[k].Add(row.Cost)
	}
	for k, w := range byDay {
		if gotDay[k].Cmp(w[0]) != 0 {
			t.Errorf("%s: the top two and Others sum to %s, want the day's %s", k, gotDay[k], w[0])
		}
	}
}

func testPages(t *testing.T, s Store) {
	loadAll(t, s, 150)
	q := cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostActual, GroupBy: []cost.Dimension{dim("SubAccountId"), dim("ServiceName")}}
	whole, err := s.Query(ctx(), &q)
	if err != nil {
		t.Fatal(err)
	}
	var paged []cost.ResultRow
	q.Limit = 7
	for q.Skip = 0; ; q.Skip += q.Limit {
		page, err := s.Query(ctx(), &q)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page.Rows...)
		if !page.More {
			break
		}
		if len(page.Rows) != q.Limit {
			t.Fatalf("a page with more after it has %d rows, not %d", len(page.Rows), q.Limit)
		}
	}
	if fmt.Sprint(paged) != fmt.Sprint(whole.Rows) {
		t.Fatalf("pages of 7 give %d rows unlike the %d of the whole answer, or in another order", len(paged), len(whole.Rows))
	}
	q.Skip = 14
	var streamed []cost.ResultRow
	if err := s.Each(ctx(), &q, func(r *cost.ResultRow) error { streamed = append(streamed, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	if n := min(len(whole.Rows), 14+8); fmt.Sprint(streamed) != fmt.Sprint(whole.Rows[14:n]) {
		t.Errorf("Each of the third page gave %d rows unlike the page and the one after it", len(streamed))
	}
}

func testValues(t *testing.T, s Store) {
	f := loadAll(t, s, 120)
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, View: []cost.Filter{{Dimension: dim("BillingAccountId"), Values: []string{PayerEUR}}}}
	vals, err := s.Values(ctx(), q, cost.ValueQuery{Dimensions: []cost.Dimension{dim("ServiceName"), tag("env")}, Limit: cost.MaxValueLimit})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []cost.Dimension{dim("ServiceName"), tag("env")} {
		want := oracle(&cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{d}, View: q.View}, f.rows)
		list := vals.Dimensions[i]
		if len(list.Values) == 0 {
			t.Errorf("%s: no values", d.Name())
		}
		for j, v := range list.Values {
			w, ok := want[key(time.Time{}, v.Currency, []string{v.Value})]
			if !ok {
				t.Errorf("%s: value %q (%s) is not in the view's rows", d.Name(), v.Value, v.Currency)
				continue
			}
			if v.Cost.Cmp(w[0]) != 0 {
				t.Errorf("%s %q costs %s, want %s", d.Name(), v.Value, v.Cost, w[0])
			}
			if j > 0 && v.Cost.Cmp(list.Values[j-1].Cost) > 0 {
				t.Errorf("%s: %q costs more than the value before it", d.Name(), v.Value)
			}
		}
	}
}

// fingerprint is what a stored row must keep of a loaded one.
func fingerprint(r *cost.Row) string {
	return strings.Join([]string{r.BillingAccountID, r.SubAccountID, r.BillingPeriodStart.UTC().Format(time.RFC3339), r.ChargePeriodStart.UTC().Format(time.RFC3339),
		r.ChargeCategory, r.ChargeDescription, r.ServiceName, r.RegionID, r.ResourceID, r.BillingCurrency, r.UsageType,
		r.BilledCost.String(), r.EffectiveCost.String(), r.ListCost.String(), r.UnblendedCost.String(), nullable(r.ConsumedQuantity), fmt.Sprint(r.Tags)}, "|")
}

func nullable(d cost.NullDecimal) string {
	if !d.Valid {
		return "null"
	}
	return d.Decimal.String()
}

func testRows(t *testing.T, s Store) {
	f := loadAll(t, s, 80)
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, From: Months[1], To: Months[2], View: []cost.Filter{{Dimension: dim("SubAccountId"), Values: []string{"000000000001", PayerEUR}}}}
	want := map[string]int{}
	for _, r := range f.rows {
		if keeps(q, r) {
			want[fingerprint(r)]++
		}
	}
	got := map[string]int{}
	if err := s.Rows(ctx(), q, func(r *cost.Row) error { got[fingerprint(r)]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the query keeps no row: the comparison says little")
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("row %s: %d back, want %d", k, got[k], n)
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			t.Errorf("%d rows outside the query: %s", n, k)
		}
	}
}
