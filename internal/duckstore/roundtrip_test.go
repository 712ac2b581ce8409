package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestFocusRowsGiveBackEveryField loads rows that exercise every storage
// shortcut (amounts stored as NULL when equal to another, consumed quantity
// kinds, shared dims, tags and resources) and reads them back through
// focus_rows, field by field.
func TestFocusRowsGiveBackEveryField(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	d := decimal.MustParse
	q := func(v string) cost.NullDecimal { return cost.NullDecimal{Decimal: d(v), Valid: true} }
	base := makeRows(aug, 1, "1.25", "000000000042")[0]
	var rows []*cost.Row
	for i, tweak := range []func(r *cost.Row){
		func(r *cost.Row) {},
		func(r *cost.Row) { r.EffectiveCost, r.ListCost, r.BlendedCost = d("0.5"), d("2"), d("1.3") },
		func(r *cost.Row) {
			r.UnblendedCost = d("1.5")
			r.EffectiveCost = d("1.5")
			r.ListCost = d("1.5")
			r.BlendedCost = d("1.5")
		},
		func(r *cost.Row) { r.ConsumedQuantity = r.PricingQuantity },
		func(r *cost.Row) { r.ConsumedQuantity = q("0.75") },
		func(r *cost.Row) { r.PricingQuantity = cost.NullDecimal{}; r.ConsumedQuantity = q("3") },
		func(r *cost.Row) { r.ResourceID = "i-0123456789abcdef0"; r.Tags = nil },
		func(r *cost.Row) {
			r.ResourceID = "arn:aws:s3:::a-bucket"
			r.Tags = []cost.Tag{{Key: "quote\"d", Value: "multi\nline"}}
		},
		func(r *cost.Row) { r.CostCategories = []cost.Tag{{Key: "BusinessUnit", Value: "Data & AI"}} },
		func(r *cost.Row) {
			// The widest differences the encoding must hold: the largest
			// costs a load accepts (below 10^11), of opposite signs.
			r.BilledCost, r.UnblendedCost = d("-99999999999.999999999999999999"), d("99999999999.999999999999999999")
			r.EffectiveCost, r.ListCost, r.BlendedCost = d("-99999999999.999999999999999999"), d("9.3"), d("-9.3")
		},
		func(r *cost.Row) {
			r.ContractedCost = q("1.1")
			r.Extra = []cost.Tag{{Key: "x_SkuMeterCategory", Value: "Virtual Machines"}, {Key: "x_odd", Value: "\"quoted\"\n"}}
		},
		func(r *cost.Row) {
			// Quantities are not summed: they keep the readers' wider bound.
			r.PricingQuantity, r.ConsumedQuantity = q("9999999999999999999.999999999999999999"), q("-9999999999999999999.999999999999999999")
		},
	} {
		r := base.Clone()
		r.ChargePeriodStart = aug.Add(time.Duration(i) * time.Hour)
		r.ChargePeriodEnd = r.ChargePeriodStart.Add(time.Hour)
		r.LineItemID = ""
		tweak(r)
		rows = append(rows, r)
	}
	load(t, s, "src", "v", rows)

	got, err := s.DB().Query(`SELECT ChargePeriodStart, BilledCost::VARCHAR, EffectiveCost::VARCHAR, ListCost::VARCHAR,
		x_UnblendedCost::VARCHAR, x_BlendedCost::VARCHAR, PricingQuantity::VARCHAR, ConsumedQuantity::VARCHAR,
		ResourceId, CAST(Tags AS VARCHAR), CAST(x_CostCategories AS VARCHAR), SubAccountId, ServiceName, BillingPeriodStart,
		ContractedCost::VARCHAR, CAST(x_Extra AS VARCHAR)
		FROM focus_rows ORDER BY ChargePeriodStart`)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	i := 0
	for got.Next() {
		var (
			start, bp                      time.Time
			billed, eff, list, unbl, blend string
			pq, cq, res, tags, cats        sql.NullString
			acct, svc, contracted          string
			extra                          sql.NullString
		)
		if err := got.Scan(&start, &billed, &eff, &list, &unbl, &blend, &pq, &cq, &res, &tags, &cats, &acct, &svc, &bp, &contracted, &extra); err != nil {
			t.Fatal(err)
		}
		w := rows[i]
		check := func(name, got string, want decimal.Decimal) {
			if d(got).Cmp(want) != 0 {
				t.Errorf("row %d %s = %s, want %s", i, name, got, want)
			}
		}
		check("BilledCost", billed, w.BilledCost)
		check("EffectiveCost", eff, w.EffectiveCost)
		check("ListCost", list, w.ListCost)
		check("x_UnblendedCost", unbl, w.UnblendedCost)
		check("x_BlendedCost", blend, w.BlendedCost)
		// Without a ContractedCost of its own, x_UnblendedCost stands for it.
		wantContracted := w.UnblendedCost
		if w.ContractedCost.Valid {
			wantContracted = w.ContractedCost.Decimal
		}
		check("ContractedCost", contracted, wantContracted)
		if want := string(appendTagsJSON(nil, w.Extra)); extra.String != want {
			t.Errorf("row %d x_Extra = %s, want %s", i, extra.String, want)
		}
		for _, nq := range []struct {
			name string
			got  sql.NullString
			want cost.NullDecimal
		}{{"PricingQuantity", pq, w.PricingQuantity}, {"ConsumedQuantity", cq, w.ConsumedQuantity}} {
			if nq.got.Valid != nq.want.Valid || (nq.want.Valid && d(nq.got.String).Cmp(nq.want.Decimal) != 0) {
				t.Errorf("row %d %s = %v, want %v", i, nq.name, nq.got, nq.want)
			}
		}
		if res.String != w.ResourceID {
			t.Errorf("row %d ResourceId = %q, want %q", i, res.String, w.ResourceID)
		}
		if want := string(appendTagsJSON(nil, w.Tags)); tags.String != want {
			t.Errorf("row %d Tags = %s, want %s", i, tags.String, want)
		}
		if want := string(appendTagsJSON(nil, w.CostCategories)); cats.String != want {
			t.Errorf("row %d x_CostCategories = %s, want %s", i, cats.String, want)
		}
		if !start.Equal(w.ChargePeriodStart) || !bp.Equal(w.BillingPeriodStart) || acct != w.SubAccountID || svc != w.ServiceName {
			t.Errorf("row %d = %v %v %s %s, want %v %v %s %s", i, start, bp, acct, svc, w.ChargePeriodStart, w.BillingPeriodStart, w.SubAccountID, w.ServiceName)
		}
		i++
	}
	if i != len(rows) {
		t.Fatalf("focus_rows has %d rows, want %d", i, len(rows))
	}
	// Each cost type sums its column through the difference encoding.
	for _, m := range []struct {
		typ   cost.CostType
		value func(*cost.Row) decimal.Decimal
	}{
		{cost.CostActual, func(r *cost.Row) decimal.Decimal { return r.BilledCost }},
		{cost.CostAmortized, func(r *cost.Row) decimal.Decimal { return r.EffectiveCost }},
		{cost.CostUnblended, func(r *cost.Row) decimal.Decimal { return r.UnblendedCost }},
	} {
		want := decimal.Zero
		for _, r := range rows {
			want = want.Add(m.value(r))
		}
		res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: m.typ})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Rows[0].Cost; got.Cmp(want) != 0 {
			t.Errorf("%s total = %s, want %s", m.typ, got, want)
		}
	}
}

func TestSideTablesHoldOnlyWhatLoadedPeriodsUse(t *testing.T) {
	dir := t.TempDir()
	rows := makeRows(month(2026, 8), 50, "1", "1", "2")
	for _, r := range rows {
		r.Tags = []cost.Tag{r.Tags[0], {Key: "Owner", Value: "R&D <ops>"}, r.Tags[1]} // sorted, as Row requires
		r.CostCategories = []cost.Tag{{Key: "Unit", Value: "A & B"}}
		r.ResourceID = "i-1"
	}
	count := func(s *Store) (n [4]int) {
		for i, table := range []string{"dims", "descriptions", "tag_sets", "resources"} {
			if err := s.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n[i]); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	s := openStore(t, dir, Options{})
	load(t, s, "a", "v1", rows)
	first := count(s)
	if want := [4]int{2, 1, 2, 1}; first != want {
		t.Fatalf("dims, descriptions, tag sets, resources = %v after one load, want %v", first, want)
	}
	s.Close()
	s = openStore(t, dir, Options{})
	load(t, s, "a", "v2", rows) // a restatement: the first load's values go with its rows
	if after := count(s); after != first {
		t.Fatalf("side tables went from %v to %v after a restatement", first, after)
	}
	load(t, s, "b", "v1", rows) // another source: its own copies
	if after := count(s); after != [4]int{4, 2, 4, 2} {
		t.Fatalf("side tables = %v after a second source, want each doubled", after)
	}
	assertFocusRowsMatch(t, s, rows)
}

// assertFocusRowsMatch checks that every row reads back whole through the
// focus_rows view, with its description, tags and resource.
func assertFocusRowsMatch(t *testing.T, s *Store, rows []*cost.Row) {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM focus_rows WHERE ChargeDescription = ? AND ResourceId = 'i-1'
		AND json_extract_string(Tags, '$.Owner') = 'R&D <ops>' AND json_extract_string(x_CostCategories, '$.Unit') = 'A & B'`, rows[0].ChargeDescription).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 || n%len(rows) != 0 {
		t.Fatalf("%d focus rows carry the description, resource, tags and cost categories; want a multiple of %d", n, len(rows))
	}
}

func TestARepeatedValueAfterTheCacheEmptiesStillGroupsAsOne(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	var list []*cost.Row
	// maxRecent distinct resources, then the first again: its key is new.
	for i := range maxRecent + 2 {
		r := makeRows(aug, 1, "1", "1")[0]
		r.ResourceID = fmt.Sprintf("i-%d", i%(maxRecent+1))
		list = append(list, r)
	}
	load(t, s, "src", "v1", list)
	res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
		Filters: []cost.Filter{{Dimension: cost.Dimension{Column: "ResourceId"}, Values: []string{"i-0"}}},
		GroupBy: []cost.Dimension{{Column: "ResourceId"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].Cost.Cmp(decimal.FromInt(2)) != 0 {
		t.Fatalf("i-0 = %v, want one group of 2", res.Rows)
	}
	// Unfiltered, that is 262,145 groups: more than a page holds. Pages
	// of it, each of MaxResultRows, say when more follow.
	q := cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "ResourceId"}}}
	groups := 0
	for page := 0; ; page++ {
		q.Skip = page * cost.MaxResultRows
		res, err := s.Query(context.Background(), &q)
		if err != nil {
			t.Fatal(err)
		}
		groups += len(res.Rows)
		if !res.More {
			break
		}
	}
	if groups != maxRecent+1 {
		t.Fatalf("pages hold %d groups, want %d", groups, maxRecent+1)
	}
}

// TestDimsColumnsMatchTheTable guards the order the appender writes dims in.
func TestDimsColumnsMatchTheTable(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	rows, err := s.DB().Query(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'dims' ORDER BY column_index`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	want := append([]string{"dim_id"}, dimColumns...)
	if len(dimColumns) != numDims || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("dims columns are\n%v\nthe code writes\n%v", got, want)
	}
}
