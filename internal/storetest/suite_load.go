package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// total is the store's whole BilledCost in one currency.
func total(t *testing.T, s Store, currency string) decimal.Decimal {
	t.Helper()
	res, err := s.Query(ctx(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if r.Currency == currency {
			return r.Cost
		}
	}
	return decimal.Zero
}

func billed(rows []*cost.Row) decimal.Decimal {
	s := decimal.Zero
	for _, r := range rows {
		s = s.Add(r.BilledCost)
	}
	return s
}

func testRestatement(t *testing.T, s Store) {
	aug, sep := Months[0], Months[1]
	src := cost.Load{Source: "aws-cur/" + PayerUSD + "/r", Version: "A", BillingAccount: PayerUSD}
	augA, sepA := fixtureRows(PayerUSD, aug, 120, 1), fixtureRows(PayerUSD, sep, 80, 2)
	mustLoad(t, s, src, append(slices.Clone(augA), sepA...))
	if v, err := s.LoadedVersion(ctx(), src.Source, aug); err != nil || v != "A" {
		t.Fatalf("the loaded version of August is %q, %v; want A", v, err)
	}
	// B restates September alone: August stays A's.
	sepB := fixtureRows(PayerUSD, sep, 60, 3)
	src.Version = "B"
	mustLoad(t, s, src, sepB)
	if got, want := total(t, s, "USD"), billed(augA).Add(billed(sepB)); got.Cmp(want) != 0 {
		t.Errorf("after B: %s, want August A %s + September B %s", got, billed(augA), billed(sepB))
	}
	for m, want := range map[int]string{0: "A", 1: "B"} {
		if v, _ := s.LoadedVersion(ctx(), src.Source, Months[m]); v != want {
			t.Errorf("the version of %s is %q, want %s", Months[m].Format("2006-01"), v, want)
		}
	}
	// An empty restatement empties September only when it says so.
	empty := cost.Load{Source: src.Source, Version: "C", BillingAccount: PayerUSD, Periods: []time.Time{sep}}
	if _, err := s.ReplacePeriods(ctx(), empty, &rowList{}); err == nil {
		t.Error("an empty load of September without AllowEmpty was taken")
	}
	if got, want := total(t, s, "USD"), billed(augA).Add(billed(sepB)); got.Cmp(want) != 0 {
		t.Errorf("a refused empty load changed the total to %s, want %s", got, want)
	}
	empty.AllowEmpty = true
	mustLoad(t, s, empty, nil)
	if got, want := total(t, s, "USD"), billed(augA); got.Cmp(want) != 0 {
		t.Errorf("after emptying September: %s, want August's %s", got, want)
	}
}

func testFailedLoad(t *testing.T, s Store) {
	aug := Months[0]
	src := cost.Load{Source: "aws-cur/" + PayerUSD + "/r", Version: "A", BillingAccount: PayerUSD}
	a := fixtureRows(PayerUSD, aug, 150, 4)
	mustLoad(t, s, src, a)
	src.Version = "B"
	if _, err := s.ReplacePeriods(ctx(), src, &rowList{rows: fixtureRows(PayerUSD, aug, 150, 5), failAt: 100}); err == nil {
		t.Fatal("a load whose source broke was taken")
	}
	if got := total(t, s, "USD"); got.Cmp(billed(a)) != 0 {
		t.Errorf("after a failed load: %s, want A's %s", got, billed(a))
	}
	if v, _ := s.LoadedVersion(ctx(), src.Source, aug); v != "A" {
		t.Errorf("after a failed load the version is %q, want A", v)
	}
	// A row of another billing account than the load's is refused whole.
	bad := fixtureRows(PayerUSD, aug, 20, 6)
	bad[10].BillingAccountID = PayerEUR
	if _, err := s.ReplacePeriods(ctx(), src, &rowList{rows: bad}); err == nil {
		t.Error("a load with a row of another billing account was taken")
	}
	if got := total(t, s, "USD"); got.Cmp(billed(a)) != 0 {
		t.Errorf("after a refused load: %s, want A's %s", got, billed(a))
	}
}

func testOneSource(t *testing.T, s Store) {
	aug := Months[0]
	first := cost.Load{Source: "aws-cur/" + PayerUSD + "/hourly", Version: "1", BillingAccount: PayerUSD}
	a := fixtureRows(PayerUSD, aug, 50, 7)
	mustLoad(t, s, first, a)
	other := cost.Load{Source: "aws-cur/" + PayerUSD + "/daily", Version: "1", BillingAccount: PayerUSD}
	b := fixtureRows(PayerUSD, aug, 40, 8)
	if _, err := s.ReplacePeriods(ctx(), other, &rowList{rows: b}); err == nil {
		t.Fatal("a second source of the same billing account and period was taken beside the first: its costs would count twice")
	}
	if got := total(t, s, "USD"); got.Cmp(billed(a)) != 0 {
		t.Errorf("after the refusal: %s, want the first source's %s", got, billed(a))
	}
	other.Replace = true
	mustLoad(t, s, other, b)
	if got := total(t, s, "USD"); got.Cmp(billed(b)) != 0 {
		t.Errorf("after a load that replaces: %s, want the second source's %s", got, billed(b))
	}
}

func testDeleteBillingAccount(t *testing.T, s Store) {
	f := loadAll(t, s, 60)
	n, err := s.DeleteBillingAccount(ctx(), PayerEUR)
	if err != nil {
		t.Fatal(err)
	}
	eur := 0
	var usd []*cost.Row
	for _, r := range f.rows {
		if r.BillingAccountID == PayerEUR {
			eur++
		} else {
			usd = append(usd, r)
		}
	}
	if n != int64(eur) {
		t.Errorf("deleted %d rows, want %d", n, eur)
	}
	if got := total(t, s, "EUR"); !got.IsZero() {
		t.Errorf("EUR left: %s", got)
	}
	if got := total(t, s, "USD"); got.Cmp(billed(usd)) != 0 {
		t.Errorf("USD is %s after deleting the EUR account, want %s", got, billed(usd))
	}
}
