package duckstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// seed loads three days of rows: on each day d (1..3) of August, one row per
// account costing d, tagged Environment=prod on account A and dev on B;
// EffectiveCost is d-0.5.
func seed(t *testing.T) *Store {
	t.Helper()
	s := openStore(t, t.TempDir(), Options{})
	aug := month(2026, 8)
	var list []*cost.Row
	for d := 1; d <= 3; d++ {
		for i, acct := range []string{"000000000001", "000000000002"} {
			r := makeRows(aug, 1, fmt.Sprint(d), acct)[0]
			r.ChargePeriodStart = aug.AddDate(0, 0, d-1).Add(5 * time.Hour)
			r.EffectiveCost = decimal.MustParse(fmt.Sprintf("%d.5", d-1))
			r.Tags = []cost.Tag{{Key: "Environment", Value: []string{"prod", "dev"}[i]}}
			if d == 3 && i == 1 {
				r.Tags = nil // an untagged row
			}
			list = append(list, r)
		}
	}
	load(t, s, "src", "v", list)
	return s
}

func run(t *testing.T, s *Store, q cost.Query) []string {
	t.Helper()
	if q.Granularity == "" {
		q.Granularity = cost.GranularityNone
	}
	if q.Type == "" {
		q.Type = cost.CostActual
	}
	res, err := s.Query(context.Background(), &q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range res.Rows {
		cells := []string{row.Cost.String(), row.Currency}
		if res.HasDate() {
			cells = append(cells, row.Date.Format(time.DateOnly))
		}
		cells = append(cells, row.Groups...)
		out = append(out, strings.Join(cells, " "))
	}
	return out
}

func dim(name string) cost.Dimension {
	d, err := cost.ParseDimension(name)
	if err != nil {
		panic(err)
	}
	return d
}

func TestQuery(t *testing.T) {
	s := seed(t)
	aug := month(2026, 8)
	tests := []struct {
		name string
		q    cost.Query
		want []string
	}{
		{"total actual cost sums BilledCost", cost.Query{}, []string{"12.0 USD"}},
		{"amortized cost sums EffectiveCost", cost.Query{Type: cost.CostAmortized}, []string{"9.0 USD"}},
		{"unblended cost sums x_UnblendedCost", cost.Query{Type: cost.CostUnblended}, []string{"12.0 USD"}},
		{"daily granularity buckets by charge day", cost.Query{Granularity: cost.GranularityDaily},
			[]string{"2.0 USD 2026-08-01", "4.0 USD 2026-08-02", "6.0 USD 2026-08-03"}},
		{"monthly granularity dates the first of the month", cost.Query{Granularity: cost.GranularityMonthly},
			[]string{"12.0 USD 2026-08-01"}},
		{"to is exclusive", cost.Query{From: aug, To: aug.AddDate(0, 0, 2)}, []string{"6.0 USD"}},
		{"from is inclusive", cost.Query{From: aug.AddDate(0, 0, 2)}, []string{"6.0 USD"}},
		{"group by a column, largest first", cost.Query{GroupBy: []cost.Dimension{dim("SubAccountId")}},
			[]string{"6.0 USD 000000000001", "6.0 USD 000000000002"}},
		{"group by a tag, untagged rows grouped as empty", cost.Query{GroupBy: []cost.Dimension{dim("tag:Environment")}},
			[]string{"6.0 USD prod", "3.0 USD ", "3.0 USD dev"}},
		{"filter by a tag", cost.Query{Filters: []cost.Filter{{Dimension: dim("tag:Environment"), Values: []string{"dev"}}}},
			[]string{"3.0 USD"}},
		{"filter by a column with a group by another", cost.Query{
			Filters: []cost.Filter{{Dimension: dim("subaccountid"), Values: []string{"000000000002"}}},
			GroupBy: []cost.Dimension{dim("ServiceName"), dim("tag:Environment")}},
			[]string{"3.0 USD Amazon Elastic Compute Cloud ", "3.0 USD Amazon Elastic Compute Cloud dev"}},
		{"a filter matching nothing returns no rows", cost.Query{
			Filters: []cost.Filter{{Dimension: dim("RegionId"), Values: []string{"eu-west-1"}}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, s, tt.q)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestQueryRejectsWhatItCannotAnswer(t *testing.T) {
	s := seed(t)
	aug := month(2026, 8)
	for _, q := range []cost.Query{
		{Granularity: "hourly", Type: cost.CostActual},
		{Granularity: cost.GranularityNone, Type: "blended"},
		{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{dim("RegionId"), dim("ServiceName"), dim("SubAccountId")}},
		{Granularity: cost.GranularityNone, Type: cost.CostActual, From: aug, To: aug},
		{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{{Tag: `a"b`}}},
		{Granularity: cost.GranularityNone, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "load_id"}}},
	} {
		if _, err := s.Query(context.Background(), &q); cost.ErrorCode(err) != cost.EInvalid {
			t.Errorf("query %+v: error %v, want Invalid", q, err)
		}
	}
}
