package duckstore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/focusfile"
)

// exportRows are rows that use every storage shortcut: amounts stored as
// differences, the three kinds of consumed quantity, shared and distinct
// tags, resources and descriptions, cost categories, two accounts.
func exportRows() []*cost.Row {
	d := decimal.MustParse
	q := func(v string) cost.NullDecimal { return cost.NullDecimal{Decimal: d(v), Valid: true} }
	rows := makeRows(month(2026, 8), 8, "1.25", "000000000042", "000000000043")
	for i, tweak := range []func(r *cost.Row){
		func(r *cost.Row) {},
		func(r *cost.Row) {
			r.EffectiveCost, r.ListCost, r.BlendedCost = d("0.5"), d("2"), d("1.3")
			r.ContractedCost = q("0.9")
		},
		func(r *cost.Row) {
			r.UnblendedCost, r.ChargeDescription = d("-7.000000000000000001"), ""
			r.Extra = []cost.Tag{{Key: "x_SkuMeterCategory", Value: "Virtual Machines"}, {Key: "x_quoted", Value: `"a,b"`}}
		},
		func(r *cost.Row) { r.ConsumedQuantity = r.PricingQuantity },
		func(r *cost.Row) { r.ConsumedQuantity = q("0.75"); r.ResourceID = "i-1" },
		func(r *cost.Row) { r.PricingQuantity = cost.NullDecimal{}; r.ConsumedQuantity = q("3"); r.Tags = nil },
		func(r *cost.Row) { r.Tags = []cost.Tag{{Key: "quote\"d", Value: "multi\nline"}}; r.ResourceID = "i-1" },
		func(r *cost.Row) {
			r.CostCategories = []cost.Tag{{Key: "Unit", Value: "Data & AI"}}
			r.ChargeCategory, r.ChargeClass, r.ChargeFrequency, r.PricingCategory = cost.ChargeCredit, "Correction", "One-Time", ""
		},
	} {
		tweak(rows[i])
		rows[i].LineItemID = ""
	}
	return rows
}

func readRows(t *testing.T, s interface {
	Rows(context.Context, *cost.Query, func(*cost.Row) error) error
}, q *cost.Query) []*cost.Row {
	t.Helper()
	var got []*cost.Row
	if err := s.Rows(context.Background(), q, func(r *cost.Row) error { got = append(got, r.Clone()); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRowsGiveBackEveryRowAsLoaded(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	want := exportRows()
	load(t, s, "src", "v1", want)
	got := readRows(t, s, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(normalRow(got[i]), normalRow(want[i])) {
			t.Errorf("row %d\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// normalRow makes empty and nil slices equal, and gives a row without a
// ContractedCost the one the store reads back: x_UnblendedCost.
func normalRow(r *cost.Row) *cost.Row {
	c := *r
	if !c.ContractedCost.Valid {
		c.ContractedCost = cost.NullDecimal{Decimal: c.UnblendedCost, Valid: true}
	}
	for _, p := range []*[]cost.Tag{&c.Tags, &c.CostCategories, &c.Extra} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return &c
}

func TestRowsKeepOnlyTheViewAndTheRange(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	rows := exportRows()
	load(t, s, "src", "v1", rows)
	from, to := month(2026, 8).Add(2*time.Hour), month(2026, 8).Add(7*time.Hour)
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, From: from, To: to,
		View: []cost.Filter{{Dimension: cost.Dimension{Column: "SubAccountId"}, Values: []string{"000000000043"}}}}
	got := readRows(t, s, q)
	var want []*cost.Row
	for _, r := range rows {
		if r.SubAccountID == "000000000043" && !r.ChargePeriodStart.Before(from) && r.ChargePeriodStart.Before(to) {
			want = append(want, r)
		}
	}
	if len(got) != len(want) || len(want) != 2 {
		t.Fatalf("%d rows, want %d (2)", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(normalRow(got[i]), normalRow(want[i])) {
			t.Errorf("row %d\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if n := len(readRows(t, s, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
		View: []cost.Filter{{Dimension: cost.Dimension{Column: "BillingAccountId"}, Values: []string{"999999999999"}}}})); n != 0 {
		t.Errorf("another billing account's view gave %d rows", n)
	}
}

// TestRowsReadWhatFocusRowsShows keeps rowColumns in step with the
// focus_rows view: the same columns, and the same rows.
func TestRowsReadWhatFocusRowsShows(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	load(t, s, "src", "v1", exportRows())
	res, err := s.DB().Query("SELECT column_name FROM (DESCRIBE focus_rows) WHERE column_name <> 'x_LoadId'")
	if err != nil {
		t.Fatal(err)
	}
	var view []string
	for res.Next() {
		var name string
		must(t, res.Scan(&name))
		view = append(view, name)
	}
	res.Close()
	var ours, sqls []string
	for _, c := range rowColumns {
		ours, sqls = append(ours, c.name), append(sqls, c.sql)
	}
	if !slices.Equal(ours, view) {
		t.Fatalf("Rows reads %q,\nfocus_rows has %q: add the view's new columns to rowColumns", ours, view)
	}
	from, _, _, err := rowsFrom(&cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	must(t, err)
	ourSQL := "SELECT " + strings.Join(sqls, ", ") + from
	viewSQL := "SELECT " + strings.Join(view, ", ") + " FROM focus_rows"
	for _, diff := range []string{ourSQL + " EXCEPT ALL " + viewSQL, viewSQL + " EXCEPT ALL " + ourSQL} {
		var n int
		must(t, s.DB().QueryRow("SELECT count(*) FROM ("+diff+")").Scan(&n))
		if n != 0 {
			t.Errorf("%d rows differ: %s", n, diff)
		}
	}
}

func TestParquetExportHasFOCUSColumnsTypesAndTotals(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	rows := exportRows()
	load(t, s, "src", "v1", rows)
	if want := slices.Concat(focusfile.Columns, focusfile.XColumns); !slices.Equal(parquetColumns, want) {
		t.Fatalf("Parquet columns %q,\nCSV columns %q", parquetColumns, want)
	}
	var out bytes.Buffer
	must(t, s.WriteParquet(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}, &out))
	if left, _ := filepath.Glob(filepath.Join(dir, "tmp", "*")); len(left) != 0 {
		t.Errorf("the export left %q in tmp/", left)
	}
	file := filepath.Join(t.TempDir(), "export.parquet")
	must(t, os.WriteFile(file, out.Bytes(), 0o600))
	types := map[string]string{}
	res, err := s.DB().Query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('" + file + "'))")
	must(t, err)
	var names []string
	for res.Next() {
		var name, typ string
		must(t, res.Scan(&name, &typ))
		names, types[name] = append(names, name), typ
	}
	res.Close()
	if !slices.Equal(names, parquetColumns) {
		t.Errorf("the file's columns are %q", names)
	}
	for name, want := range map[string]string{
		"BilledCost": "DECIMAL(38,18)", "ContractedCost": "DECIMAL(38,18)", "PricingQuantity": "DECIMAL(38,18)",
		"x_UnblendedCost": "DECIMAL(38,18)", "ChargePeriodStart": "TIMESTAMP WITH TIME ZONE", "Tags": "JSON",
		"SubAccountId": "VARCHAR",
	} {
		if types[name] != want {
			t.Errorf("%s is %s, want %s", name, types[name], want)
		}
	}
	sums := map[string]decimal.Decimal{}
	for _, r := range rows {
		sums["BilledCost"] = sums["BilledCost"].Add(r.BilledCost)
		sums["EffectiveCost"] = sums["EffectiveCost"].Add(r.EffectiveCost)
		sums["x_UnblendedCost"] = sums["x_UnblendedCost"].Add(r.UnblendedCost)
		contracted := r.UnblendedCost // where the row has none
		if r.ContractedCost.Valid {
			contracted = r.ContractedCost.Decimal
		}
		sums["ContractedCost"] = sums["ContractedCost"].Add(contracted)
	}
	for col, want := range sums {
		var got string
		must(t, s.DB().QueryRow("SELECT CAST(sum("+col+") AS VARCHAR) FROM read_parquet('"+file+"')").Scan(&got))
		if decimal.MustParse(got).Cmp(want) != 0 {
			t.Errorf("sum(%s) = %s, want %s", col, got, want)
		}
	}
}

func TestParquetExportRefusesAValueFOCUSDoesNotAllow(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	rows := exportRows()
	rows[3].ServiceCategory = "AI/ML"
	load(t, s, "src", "v1", rows)
	var out bytes.Buffer
	err := s.WriteParquet(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}, &out)
	if cost.ErrorCode(err) != cost.EInvalid || !strings.Contains(err.Error(), `ServiceCategory "AI/ML" is not a FOCUS 1.2 value`) {
		t.Fatalf("WriteParquet = %v, want an Invalid error naming the value", err)
	}
	if out.Len() != 0 {
		t.Errorf("%d bytes written before the error", out.Len())
	}
}

func TestAnExportWaitsForTheExportSlot(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{MemoryLimit: "64MB"})
	load(t, s, "src", "v1", exportRows())
	l, err := s.Limit(QueryLimits{Memory: "64MB"})
	must(t, err)
	reading, release := make(chan struct{}), make(chan struct{})
	exported := make(chan error, 1)
	q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
	go func() {
		first := true
		exported <- l.Rows(context.Background(), q, func(*cost.Row) error {
			if first {
				first = false
				close(reading)
				<-release
			}
			return nil
		})
	}()
	select {
	case <-reading:
	case err := <-exported:
		t.Fatalf("the first export ended before its first row: %v", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.WriteParquet(cancelled, q, &bytes.Buffer{}); cost.ErrorCode(err) != cost.ECanceled {
		t.Errorf("a second export while the first runs: %v, want it to wait until cancelled", err)
	}
	if err := l.Rows(cancelled, q, func(*cost.Row) error { return nil }); cost.ErrorCode(err) != cost.ECanceled {
		t.Errorf("a second export while the first runs: %v, want it to wait until cancelled", err)
	}
	close(release)
	must(t, <-exported)
	if got := readRows(t, l, q); len(got) != len(exportRows()) {
		t.Errorf("after the first export: %d rows", len(got))
	}
}

func TestExtraKeysNameTheOtherSourcesColumnsOfTheRange(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	load(t, s, "src", "v1", exportRows())
	ctx := context.Background()
	keys, err := s.ExtraKeys(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil || !slices.Equal(keys, []string{"x_SkuMeterCategory", "x_quoted"}) {
		t.Errorf("every row: %q, %v", keys, err)
	}
	// The row with the Extra is charged at 02:00; a range after it has none.
	keys, err = s.ExtraKeys(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
		From: month(2026, 8).Add(3 * time.Hour), To: month(2026, 9)})
	if err != nil || len(keys) != 0 {
		t.Errorf("from 03:00: %q, %v", keys, err)
	}
}
