package duckstore

import (
	"context"
	"database/sql"
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
			// The widest differences the encoding must hold: 19-digit values of
			// opposite signs.
			r.BilledCost, r.UnblendedCost = d("-9999999999999999999.999999999999999999"), d("9999999999999999999.999999999999999999")
			r.EffectiveCost, r.ListCost, r.BlendedCost = d("-9999999999999999999.999999999999999999"), d("9.3"), d("-9.3")
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
		ResourceId, CAST(Tags AS VARCHAR), CAST(x_CostCategories AS VARCHAR), SubAccountId, ServiceName, BillingPeriodStart
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
			acct, svc                      string
		)
		if err := got.Scan(&start, &billed, &eff, &list, &unbl, &blend, &pq, &cq, &res, &tags, &cats, &acct, &svc, &bp); err != nil {
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
		if got := res.Rows[0][0].(decimal.Decimal); got.Cmp(want) != 0 {
			t.Errorf("%s total = %s, want %s", m.typ, got, want)
		}
	}
}

func TestReopenedStoreReusesItsIds(t *testing.T) {
	dir := t.TempDir()
	rows := makeRows(month(2026, 8), 50, "1", "1", "2")
	for _, r := range rows {
		r.Tags = []cost.Tag{r.Tags[0], {Key: "Owner", Value: "R&D <ops>"}, r.Tags[1]} // sorted, as Row requires
		r.CostCategories = []cost.Tag{{Key: "Unit", Value: "A & B"}}
		r.ResourceID = "i-1"
	}
	count := func(s *Store) (n [3]int) {
		for i, table := range []string{"dims", "tag_sets", "resources"} {
			if err := s.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n[i]); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	load(t, s, "a", "v", rows)
	before := count(s)
	s.Close()
	s = openStore(t, dir, Options{})
	load(t, s, "b", "v", rows)
	if after := count(s); after != before {
		t.Fatalf("dims, tag sets, resources went from %v to %v after reopening", before, after)
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
	want := append([]string{"dim_id", "dim_key"}, dimColumns...)
	if len(dimColumns) != numDims || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("dims columns are\n%v\nthe code writes\n%v", got, want)
	}
}
