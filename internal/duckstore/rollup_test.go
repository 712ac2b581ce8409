package duckstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// rollupsMatch checks that each daily rollup sums exactly what cost_rows
// holds, by every key it keeps.
func rollupsMatch(t *testing.T, s *Store, when string) {
	t.Helper()
	for _, r := range []struct{ table, keys, grain string }{
		{"cost_daily", "load_id, dim_id, tag_set_id, BillingPeriodStart", "day"},
		{"cost_daily_resources", "load_id, dim_id, tag_set_id, resource_key, BillingPeriodStart", "day"},
		{"cost_monthly", "load_id, dim_id, tag_set_id, BillingPeriodStart", "month"},
		{"cost_monthly_resources", "load_id, dim_id, tag_set_id, resource_key, BillingPeriodStart", "month"},
	} {
		sums := `sum(BilledCost) AS b, sum(PricingQuantity) AS pq, sum(d_unblended) AS u, sum(d_effective) AS e, sum(d_list) AS l, sum(consumed) AS c`
		var diff int
		rows := "(SELECT * FROM cost_rows WHERE load_id NOT IN (SELECT load_id FROM unrolled_loads))"
		err := s.db.QueryRow(`WITH raw AS (SELECT ` + r.keys + `, date_trunc('` + r.grain + `', ChargePeriodStart) AS day, ` + sums + `
				FROM ` + rows + ` GROUP BY ALL),
			rolled AS (SELECT ` + r.keys + `, ChargePeriodStart AS day, ` + sums + ` FROM ` + r.table + ` GROUP BY ALL)
			SELECT count(*) FROM ((SELECT * FROM raw EXCEPT ALL SELECT * FROM rolled) UNION ALL (SELECT * FROM rolled EXCEPT ALL SELECT * FROM raw))`).Scan(&diff)
		if err != nil {
			t.Fatal(err)
		}
		if diff != 0 {
			t.Errorf("%s: %s differs from cost_rows in %d groups", when, r.table, diff)
		}
	}
}

// TestRollupsFollowEveryChangeOfTheRows: loads, a restatement, another
// source, an empty period and a deleted billing account leave the rollups
// summing exactly what cost_rows holds.
func TestRollupsFollowEveryChangeOfTheRows(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	aug, sep := month(2026, 8), month(2026, 9)
	load(t, s, "src", "v1", append(makeRows(aug, 300, "1.25", "1", "2"), makeRows(sep, 100, "2", "3")...))
	rollupsMatch(t, s, "after the first load")
	load(t, s, "src", "v2", makeRows(aug, 200, "0.5", "1"))
	rollupsMatch(t, s, "after a restatement of August")
	load(t, s, "other", "v1", makeRows(month(2026, 10), 50, "3", "4"))
	rollupsMatch(t, s, "after another source")
	if _, err := s.DeleteBillingAccount(context.Background(), "012345678901"); err != nil {
		t.Fatal(err)
	}
	rollupsMatch(t, s, "after the billing account is deleted")
	var n int
	if err := s.db.QueryRow(`SELECT (SELECT count(*) FROM cost_daily) + (SELECT count(*) FROM cost_daily_resources) +
		(SELECT count(*) FROM cost_monthly) + (SELECT count(*) FROM cost_monthly_resources)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rollup rows left after the only billing account went (%v)", n, err)
	}
}

// TestALoadWithAResourceOnEveryRowHasNoRollups: a load with fewer than
// rowsPerKey rows per resource is recorded in unrolled_loads instead of
// rolled up, and queries read its rows from cost_rows beside the others'
// rollups, with the same totals.
func TestALoadWithAResourceOnEveryRowHasNoRollups(t *testing.T) {
	defer func(n int64) { minUnrolled = n }(minUnrolled)
	minUnrolled = 100
	s := openStore(t, t.TempDir(), Options{})
	aug, sep := month(2026, 8), month(2026, 9)
	dense := makeRows(aug, 400, "1", "1")
	for i, r := range dense {
		r.ResourceID = fmt.Sprintf("i-%d", i%5)
	}
	sparse := makeRows(sep, 300, "2", "2")
	for i, r := range sparse {
		r.ResourceID = fmt.Sprintf("i-%d", i) // i-0…i-4 again, and 295 of their own
	}
	load(t, s, "dense", "v1", dense)
	load(t, s, "sparse", "v1", sparse)
	rollupsMatch(t, s, "after both loads")
	if got := s.unrolledLoads(); len(got) != 1 {
		t.Fatalf("unrolled loads %v, want the sparse one", got)
	}
	// i-0…i-4 have 80 dense rows of 1 and one sparse row of 2 each.
	for _, q := range []cost.Query{
		{Granularity: cost.GranularityNone, GroupBy: []cost.Dimension{dim("ResourceId")}, Top: 5},
		{Granularity: cost.GranularityDaily, GroupBy: []cost.Dimension{dim("ResourceId")}, Top: 5, From: aug.AddDate(0, 0, 1)},
	} {
		q.Type = cost.CostActual
		if sql, _ := compileQuery(&q, s.unrolledLoads()); !strings.Contains(sql.sql, "UNION ALL") {
			t.Fatalf("the SQL reads no rows of the unrolled load:\n%s", sql.sql)
		}
		res, err := s.Query(context.Background(), &q)
		if err != nil {
			t.Fatal(err)
		}
		total, others, top := decimal.Zero, decimal.Zero, decimal.Zero
		for _, row := range res.Rows {
			total = total.Add(row.Cost)
			if row.Groups[0] == cost.Others {
				others = others.Add(row.Cost)
			} else {
				top = top.Add(row.Cost)
			}
		}
		want := decimal.FromInt(400 + 600)
		if !q.From.IsZero() { // August 1 holds 24 dense rows
			want = decimal.FromInt(400 - 24 + 600)
		}
		if total.Cmp(want) != 0 {
			t.Errorf("%v: total %s, want %s", q.Granularity, total, want)
		}
		if q.From.IsZero() && (top.Cmp(decimal.FromInt(410)) != 0 || others.Cmp(decimal.FromInt(590)) != 0) {
			t.Errorf("top 5 resources %s and Others %s, want 410 and 590", top, others)
		}
	}
	// A load with a distinct tag value on every row is not rolled up
	// either, and a query by day and tag reads its rows.
	oct := month(2026, 10)
	tagged := makeRows(oct, 200, "3", "3")
	for i, r := range tagged {
		r.Tags = []cost.Tag{{Key: "Request", Value: fmt.Sprintf("r-%d", i)}}
	}
	load(t, s, "tagged", "v1", tagged)
	if got := s.unrolledLoads(); len(got) != 2 {
		t.Fatalf("unrolled loads %v, want the sparse and the tagged one", got)
	}
	res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityMonthly, Type: cost.CostActual,
		GroupBy: []cost.Dimension{dim("tag:Request")}, Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	total := decimal.Zero
	for _, row := range res.Rows {
		total = total.Add(row.Cost)
	}
	// The untagged rows (1000) are the top 1; October's 200 requests are Others.
	if total.Cmp(decimal.FromInt(400+600+600)) != 0 || len(res.Rows) != 3 || res.Rows[2].Groups[0] != cost.Others {
		t.Errorf("by month and request tag, top 1: %v, total %s, want 1600 in 3 rows, October's Others", res.Rows, total)
	}
	rollupsMatch(t, s, "after the tagged load")
	// The restated sparse month goes, and its load with it; a small load is
	// rolled up whatever its keys.
	load(t, s, "sparse", "v2", makeRows(sep, 10, "2", "2"))
	if got := s.unrolledLoads(); len(got) != 1 {
		t.Errorf("unrolled loads %v after the sparse load was replaced, want the tagged one", got)
	}
	rollupsMatch(t, s, "after the restatement")
}
