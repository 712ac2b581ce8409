package duckstore

import (
	"context"
	"errors"
	"io"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestLoadsListAndGiveBackTheRowsAsLoaded loads two sources over three
// billing periods, replaces one period, and checks that Loads lists what
// each period holds and LoadRows gives its rows back field for field.
func TestLoadsListAndGiveBackTheRowsAsLoaded(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	aug, sep := month(2026, 8), month(2026, 9)
	d := decimal.MustParse
	q := func(v string) cost.NullDecimal { return cost.NullDecimal{Decimal: d(v), Valid: true} }
	var first []*cost.Row
	for i, tweak := range []func(r *cost.Row){
		func(r *cost.Row) {},
		func(r *cost.Row) { r.EffectiveCost, r.ListCost, r.BlendedCost = d("0.5"), d("2"), d("1.3") },
		func(r *cost.Row) { r.ConsumedQuantity = q("0.75"); r.SubAccountName = "" },
		func(r *cost.Row) { r.PricingQuantity = cost.NullDecimal{}; r.ConsumedQuantity = q("3"); r.Tags = nil },
		func(r *cost.Row) { r.CostCategories = []cost.Tag{{Key: "BusinessUnit", Value: "Data & AI"}} },
		func(r *cost.Row) {
			r.BilledCost, r.UnblendedCost = d("-99999999999.999999999999999999"), d("99999999999.999999999999999999")
			r.ContractedCost = q("0.000000000000000001")
			r.Extra = []cost.Tag{{Key: "x_SkuMeterCategory", Value: "Virtual Machines"}}
		},
	} {
		for _, p := range []time.Time{aug, sep} {
			r := makeRows(p, 1, "1.25", "000000000042")[0]
			r.ChargePeriodStart = p.Add(time.Duration(i) * time.Hour)
			r.ChargePeriodEnd = r.ChargePeriodStart.Add(time.Hour)
			r.LineItemID = "" // not stored
			tweak(r)
			first = append(first, r)
		}
	}
	mustLoad := func(l cost.Load, rs []*cost.Row) {
		t.Helper()
		if _, err := s.ReplacePeriods(ctx, l, &rows{list: rs}); err != nil {
			t.Fatal(err)
		}
	}
	cur := cost.Load{Source: "aws-cur/012345678901/r", Version: "v1", Origin: "s3://b/r", BillingAccount: "012345678901"}
	mustLoad(cur, first)
	// September again, at v2, with one row: August keeps v1's rows.
	sept := makeRows(sep, 1, "7", "000000000042")
	cur.Version = "v2"
	mustLoad(cur, sept)
	own := makeRows(aug, 3, "0.1", "000000000043")
	mustLoad(cost.Load{Source: "own", Version: "o1", Periods: []time.Time{aug}}, own)
	mustLoad(cost.Load{Source: "own", Version: "empty", Periods: []time.Time{sep}, AllowEmpty: true}, nil)

	// A name in the catalog names the account in answers, not in the rows as loaded.
	if err := s.Update(ctx, func(tx cost.CatalogTx) error {
		if err := cost.AddScope(ctx, tx, cost.Scope{ID: "aws/billing/012345678901", Name: "Payer"}); err != nil {
			return err
		}
		return cost.AddScope(ctx, tx, cost.Scope{ID: "aws/accounts/000000000042", Name: "From the catalog", BillingAccount: "aws/billing/012345678901"})
	}); err != nil {
		t.Fatal(err)
	}
	loads, err := s.Loads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := func(l StoredLoad) StoredLoad { l.LoadedAt = time.Time{}; return l }
	want := []StoredLoad{
		{Source: cur.Source, Period: aug, PeriodEnd: sep, Version: "v1", Origin: "s3://b/r", BillingAccount: cur.BillingAccount, Rows: 6,
			BilledCost: d("-99999999999.999999999999999999").Add(d("6.25"))},
		{Source: cur.Source, Period: sep, PeriodEnd: month(2026, 10), Version: "v2", Origin: "s3://b/r", BillingAccount: cur.BillingAccount,
			Rows: 1, BilledCost: d("7")},
		{Source: "own", Period: aug, PeriodEnd: sep, Version: "o1", Rows: 3, BilledCost: d("0.3")},
		{Source: "own", Period: sep, PeriodEnd: month(2026, 10), Version: "empty", BilledCost: decimal.Zero},
	}
	if len(loads) != len(want) {
		t.Fatalf("Loads listed %d: %+v", len(loads), loads)
	}
	for i := range want {
		if loads[i].LoadedAt.IsZero() || loads[i].LoadedAt.Location() != time.UTC {
			t.Errorf("load %d was loaded at %v", i, loads[i].LoadedAt)
		}
		// The empty period has no end of its own to check: the store records the one it computed.
		if want[i].Version == "empty" {
			want[i].PeriodEnd = loads[i].PeriodEnd
		}
		if got := at(loads[i]); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("load %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}

	var augV1 []*cost.Row
	for _, r := range first {
		if r.BillingPeriodStart.Equal(aug) {
			augV1 = append(augV1, r)
		}
	}
	defer func(w int64) { loadWindow = w }(loadWindow)
	for _, window := range []int64{loadWindow, 2} {
		loadWindow = window // 2: the rows come in several windows
		for _, tt := range []struct {
			source string
			period time.Time
			want   []*cost.Row
		}{
			{cur.Source, aug, augV1}, {cur.Source, sep, sept}, {"own", aug, own}, {"own", sep, nil}, {"unknown", aug, nil},
		} {
			for _, r := range tt.want {
				// The store keeps no absent ContractedCost: x_UnblendedCost stands for it.
				if !r.ContractedCost.Valid {
					r.ContractedCost = cost.NullDecimal{Decimal: r.UnblendedCost, Valid: true}
				}
			}
			got := readLoad(t, s, tt.source, tt.period)
			// In no particular order: by charge period, distinct in each.
			slices.SortFunc(got, func(a, b *cost.Row) int { return a.ChargePeriodStart.Compare(b.ChargePeriodStart) })
			if len(got) != len(tt.want) {
				t.Errorf("%s %s: %d rows, want %d", tt.source, tt.period.Format("2006-01"), len(got), len(tt.want))
				continue
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Errorf("%s %s row %d:\n got %+v\nwant %+v", tt.source, tt.period.Format("2006-01"), i, got[i], tt.want[i])
				}
			}
		}
	}
}

// readLoad reads every row of a stored load.
func readLoad(t *testing.T, s *Store, source string, period time.Time) []*cost.Row {
	t.Helper()
	l, err := s.LoadRows(context.Background(), source, period)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out []*cost.Row
	for {
		r, err := l.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Clone())
	}
}
