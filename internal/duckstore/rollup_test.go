package duckstore

import (
	"context"
	"testing"
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
		err := s.db.QueryRow(`WITH raw AS (SELECT ` + r.keys + `, date_trunc('` + r.grain + `', ChargePeriodStart) AS day, ` + sums + `
				FROM cost_rows GROUP BY ALL),
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
