package chstore

// Reads under restatements, sums past the limit, and the answer's order.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestRestatementUnderReaders restates a month again and again, with
// loaders killed half-way (rows written on the shards in small batches,
// never flipped) between them, while readers sum the whole store: every
// total a reader sees is one of the whole versions', never a mix.
func TestRestatementUnderReaders(t *testing.T) {
	s := openTest(t)
	s.batchRows = 97
	ctx := context.Background()
	src := cost.Load{Source: "aws-cur/111122223333/r", BillingAccount: "111122223333"}
	sep := testRows(500, "1")
	for _, r := range sep {
		r.BillingPeriodStart, r.BillingPeriodEnd = r.BillingPeriodStart.AddDate(0, 1, 0), r.BillingPeriodEnd.AddDate(0, 1, 0)
		r.ChargePeriodStart, r.ChargePeriodEnd = r.ChargePeriodStart.AddDate(0, 1, 0), r.ChargePeriodEnd.AddDate(0, 1, 0)
	}
	src.Version = "sep"
	if _, err := s.ReplacePeriods(ctx, src, &rowList{rows: sep}); err != nil {
		t.Fatal(err)
	}
	versions := map[string][]*cost.Row{"A": testRows(1500, "1"), "B": testRows(1000, "3.000000000000000001")}
	allowed := map[string]bool{"2000.0": true, "3500.000000000000001": true}
	src.Version = "A"
	if _, err := s.ReplacePeriods(ctx, src, &rowList{rows: versions["A"]}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	errs := make(chan error, 2)
	seen := make(chan int, 2)
	for range 2 {
		go func() {
			n := 0
			defer func() { seen <- n }()
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				res, err := s.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
				if err != nil {
					errs <- err
					return
				}
				if got := res.Rows[0].Cost.String(); !allowed[got] {
					errs <- fmt.Errorf("a reader saw a total of %s, neither version's", got)
					return
				}
				n++
			}
		}()
	}
	for i := range 6 {
		v := []string{"B", "A"}[i%2]
		// A loader killed half-way: some batches are on the shards.
		killed := src
		killed.Version = v + "-killed"
		id, err := s.v.NewLoad(ctx, killed)
		if err != nil {
			t.Fatal(err)
		}
		half := &rowList{rows: versions[v][:len(versions[v])/2]}
		w := s.newShardWriter(ctx, uint64(id))
		for n := uint64(1); ; n++ {
			r, err := half.Next()
			if err != nil {
				break
			}
			if err := w.add(r, n); err != nil {
				t.Fatal(err)
			}
		}
		w.close() // the full blocks land; the last one dies with the loader
		w.abort()
		src.Version = v
		if _, err := s.ReplacePeriods(ctx, src, &rowList{rows: versions[v]}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		n := <-seen
		if n == 0 {
			t.Error("a reader read nothing")
		}
		t.Logf("a reader summed the store %d times", n)
	}
	if _, err := s.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	if got := totalUSD(t, s).String(); got != "2000.0" {
		t.Errorf("after Cleanup the total is %s, want A's and September's 2000", got)
	}
}

// TestSumOverflow checks that a sum past Decimal(38, 18)'s range, which
// 18.16's sum() wraps silently, is refused rather than answered wrong.
// The rows bypass cost.CheckRow (which keeps real loads far from it).
func TestSumOverflow(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	load := cost.Load{Source: "s", Version: "1", BillingAccount: "111122223333"}
	id, err := s.v.NewLoad(ctx, load)
	if err != nil {
		t.Fatal(err)
	}
	rows := testRows(4, "90000000000000000000")
	w := s.newShardWriter(ctx, uint64(id))
	defer w.abort()
	for i, r := range rows {
		r.ResourceID = "same" // one shard: the wrap is in one server's sum
		if err := w.add(r, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	p := &cost.PeriodResult{Start: rows[0].BillingPeriodStart, End: rows[0].BillingPeriodEnd, Rows: 4}
	if err := s.v.Flip(ctx, load, id, []*cost.PeriodResult{p}, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if !errors.Is(err, errOverflow) {
		t.Fatalf("a sum of 3.6e20 was answered: %v, %v", res, err)
	}
	_, err = s.Values(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual},
		cost.ValueQuery{Dimensions: []cost.Dimension{{Column: "ServiceName"}}, Limit: 10})
	if !errors.Is(err, errOverflow) {
		t.Fatalf("values summing 3.6e20 were answered: %v", err)
	}
}

// TestOrder checks the answer's order: the caller's keys, then Date, the
// first measure from the largest, Currency and the groups, with Others
// last among a date's rows.
func TestOrder(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	rows := testRows(300, "1")
	services := []string{"EC2", "S3", "Tax", "", "RDS"}
	for i, r := range rows {
		r.ServiceName = services[i%len(services)]
		r.BilledCost = decimal.FromInt(int64(i%7 + 1))
	}
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "s", Version: "1", BillingAccount: "111122223333"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []cost.Query{
		{Granularity: cost.GranularityDaily, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "ServiceName"}}},
		{Granularity: cost.GranularityDaily, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "ServiceName"}}, Top: 2},
		{Granularity: cost.GranularityMonthly, Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "ServiceName"}, {Column: "SubAccountId"}},
			OrderBy: []cost.Order{{Column: "ServiceName", Desc: true}}},
		{Granularity: cost.GranularityDaily, Measures: []cost.Measure{cost.MeasureList, cost.MeasureBilled}, GroupBy: []cost.Dimension{{Column: "SubAccountId"}},
			OrderBy: []cost.Order{{Column: "BilledCost"}, {Column: "Date", Desc: true}}},
	} {
		res, err := s.Query(ctx, &q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) < 5 {
			t.Fatalf("%+v: %d rows", q, len(res.Rows))
		}
		cols := q.Columns()
		cell := func(r cost.ResultRow, name string) (string, decimal.Decimal, time.Time) {
			for i, c := range cols {
				if c.Name != name {
					continue
				}
				switch {
				case i < len(q.SummedMeasures()):
					return "", r.Values()[i], time.Time{}
				case name == "Date":
					return "", decimal.Zero, r.Date
				}
				return r.Groups[i-len(cols)+len(q.GroupBy)], decimal.Zero, time.Time{}
			}
			panic(name)
		}
		cmp := func(a, b cost.ResultRow) int {
			for _, o := range q.OrderBy {
				as, ad, at := cell(a, o.Column)
				bs, bd, bt := cell(b, o.Column)
				c := strings.Compare(as, bs)*4 + ad.Cmp(bd)*2 + at.Compare(bt)
				if o.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			if q.Top > 0 {
				ao, bo := a.Groups[0] == cost.Others, b.Groups[0] == cost.Others
				if ao != bo {
					if ao {
						return 1
					}
					return -1
				}
			}
			if c := b.Cost.Cmp(a.Cost); c != 0 {
				return c
			}
			if c := strings.Compare(a.Currency, b.Currency); c != 0 {
				return c
			}
			return strings.Compare(strings.Join(a.Groups, "\x00"), strings.Join(b.Groups, "\x00"))
		}
		for i := 1; i < len(res.Rows); i++ {
			if cmp(res.Rows[i-1], res.Rows[i]) >= 0 {
				t.Errorf("%+v: row %d %v is not before row %d %v", q.OrderBy, i-1, res.Rows[i-1], i, res.Rows[i])
				break
			}
		}
	}
}

// txCatalog is a catalog whose only use here is its transaction.
type txCatalog struct {
	cost.CatalogTx
	tx pgx.Tx
}
