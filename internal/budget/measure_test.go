package budget_test

import (
	"bytes"
	"context"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestABudgetOverTwoCurrencies(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	var charges []charge
	for d := oct; d.Before(day(2026, 10, 20)); d = d.AddDate(0, 0, 1) {
		charges = append(charges,
			charge{Day: d, Account: member, Service: "Amazon Elastic Compute Cloud", Amount: "31.17"},
			charge{Day: d, Account: payer, Service: "Sovereign Cloud Marketplace", Amount: "12.345", Currency: "EUR"})
	}
	deliver(t, store, oct, "v1", charges)
	b := atFull(oct)
	b.Amount = decimal.FromInt(800)
	b = saveBudget(t, store, b)
	now := day(2026, 10, 20).Add(6 * time.Hour)
	clk := &clock{t: now}
	rec := &recorder{clock: clk}
	var logs bytes.Buffer
	e := newEvaluator(store, clk, rec, &logs)
	period, _ := b.PeriodAt(now)

	t.Run("the scope's currencies are both", func(t *testing.T) {
		got, err := budget.Currencies(ctx, e.Query, billing, now)
		must(t, err)
		if !slices.Equal(got, []string{"EUR", "USD"}) {
			t.Errorf("currencies %v", got)
		}
	})
	t.Run("without a rate the budget is not evaluated, and says how to set one", func(t *testing.T) {
		must(t, e.Evaluate(ctx))
		if len(rec.take()) != 0 || len(alerts(t, store, b.ID)) != 0 {
			t.Error("a budget without a rate fired")
		}
		if !strings.Contains(logs.String(), "budget not evaluated") || !strings.Contains(logs.String(), "EUR") {
			t.Errorf("the log does not say why: %s", logs.String())
		}
		_, err := budget.Measure(ctx, e.Query, nil, &b, period, now)
		if cost.ErrorCode(err) != cost.EInvalid {
			t.Fatalf("Measure: %v, want an Invalid error", err)
		}
		for _, want := range []string{"EUR", "USD", "reckon rate set EUR USD", "/api/v1/exchangeRates"} {
			if !strings.Contains(cost.ErrorMessage(err), want) {
				t.Errorf("%q does not say %q", cost.ErrorMessage(err), want)
			}
		}
		if err := budget.CheckRates([]string{"EUR", "USD"}, nil, "USD"); cost.ErrorCode(err) != cost.EInvalid {
			t.Errorf("CheckRates: %v", err)
		}
	})
	rate := cost.ExchangeRate{From: "EUR", To: "USD", Rate: decimal.MustParse("1.0823"), Updated: day(2026, 10, 2)}
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) error { return tx.PutExchangeRate(ctx, rate) })
	rates := read(t, store, func(ctx context.Context, r cost.CatalogReader) (cost.Rates, error) { return r.ExchangeRates(ctx) })
	var usd, eur []charge
	for _, c := range charges {
		if c.Currency == "EUR" {
			eur = append(eur, c)
		} else {
			usd = append(usd, c)
		}
	}
	want := new(big.Rat).Add(sum(t, usd), new(big.Rat).Mul(sum(t, eur), rat(t, "1.0823")))

	t.Run("with a rate the spent is the dollars and the euros at the rate, exactly", func(t *testing.T) {
		must(t, budget.CheckRates([]string{"EUR", "USD"}, rates, "USD"))
		st, err := budget.Measure(ctx, e.Query, rates, &b, period, now)
		must(t, err)
		if !equalRat(t, st.Spent, want) {
			t.Errorf("spent %s, want %s", st.Spent, want.FloatString(18))
		}
		if len(st.Rates) != 1 || st.Rates[0].Rate.Cmp(rate.Rate) != 0 || st.Currency != "USD" {
			t.Errorf("rates %+v, currency %s", st.Rates, st.Currency)
		}
	})
	t.Run("the alert records the rate it used", func(t *testing.T) {
		must(t, e.Evaluate(ctx))
		a, ok := alertOf(t, store, b, b.Notifications[0].Name, oct)
		if !ok {
			t.Fatalf("no alert: %s over 800 did not fire", want.FloatString(2))
		}
		got := a.Budget.Rates
		if len(got) != 1 || got[0].From != "EUR" || got[0].To != "USD" || got[0].Rate.Cmp(rate.Rate) != 0 || !got[0].Updated.Equal(rate.Updated) {
			t.Errorf("the alert's rates %+v, want EUR to USD at 1.0823 set on 2026-10-02", got)
		}
		if !equalRat(t, a.Budget.Spent, want) {
			t.Errorf("the alert's spent %s, want %s", a.Budget.Spent, want.FloatString(18))
		}
		mail := emails(rec.take())
		if len(mail) != 1 || !strings.Contains(mail[0].Email.Text, "1 EUR = 1.0823 USD (set 2026-10-02)") {
			t.Errorf("the email does not give the rate: %+v", mail)
		}
	})
}

func TestPeriodsByGrain(t *testing.T) {
	type span struct{ from, to time.Time }
	for _, c := range []struct {
		name  string
		grain cost.TimeGrain
		start time.Time
		end   time.Time // the default when zero
		at    time.Time
		want  span // zero when no period holds at
	}{
		{"a monthly budget's period is the calendar month", cost.GrainMonthly, day(2026, 1, 1), time.Time{},
			day(2026, 3, 31).Add(23*time.Hour + 59*time.Minute), span{day(2026, 3, 1), day(2026, 4, 1)}},
		{"a quarterly budget starting in February has the quarter February to April", cost.GrainQuarterly, day(2026, 2, 1), time.Time{},
			day(2026, 4, 30).Add(23 * time.Hour), span{day(2026, 2, 1), day(2026, 5, 1)}},
		{"its next quarter is May to July", cost.GrainQuarterly, day(2026, 2, 1), time.Time{},
			day(2026, 5, 1), span{day(2026, 5, 1), day(2026, 8, 1)}},
		{"its quarter from November runs into the next year", cost.GrainQuarterly, day(2026, 2, 1), time.Time{},
			day(2027, 1, 15), span{day(2026, 11, 1), day(2027, 2, 1)}},
		{"a quarterly budget starting in December", cost.GrainQuarterly, day(2025, 12, 1), time.Time{},
			day(2026, 12, 5), span{day(2026, 12, 1), day(2027, 3, 1)}},
		{"an annual budget starting in July runs July to June", cost.GrainAnnually, day(2025, 7, 1), time.Time{},
			day(2026, 6, 30), span{day(2025, 7, 1), day(2026, 7, 1)}},
		{"an annual budget's second year", cost.GrainAnnually, day(2025, 7, 1), time.Time{},
			day(2026, 7, 1), span{day(2026, 7, 1), day(2027, 7, 1)}},
		{"a time in another zone is read in UTC", cost.GrainMonthly, day(2026, 1, 1), time.Time{},
			time.Date(2026, 3, 31, 20, 0, 0, 0, time.FixedZone("EDT", -4*3600)), span{day(2026, 4, 1), day(2026, 5, 1)}},
		{"no period holds a time before the start", cost.GrainQuarterly, day(2026, 2, 1), time.Time{},
			day(2026, 2, 1).Add(-time.Nanosecond), span{}},
		{"no period holds the end date", cost.GrainMonthly, day(2026, 2, 1), day(2026, 6, 1),
			day(2026, 6, 1), span{}},
		{"the last month before the end date is a period", cost.GrainMonthly, day(2026, 2, 1), day(2026, 6, 1),
			day(2026, 5, 31), span{day(2026, 5, 1), day(2026, 6, 1)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := atFull(c.start)
			b.TimeGrain, b.EndDate = c.grain, c.end
			must(t, b.Validate())
			p, ok := b.PeriodAt(c.at)
			if ok != !c.want.from.IsZero() || ok && (!p.Start.Equal(c.want.from) || !p.End.Equal(c.want.to)) {
				t.Errorf("PeriodAt(%s) = %s..%s %v, want %s..%s", c.at, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), ok,
					c.want.from.Format(time.DateOnly), c.want.to.Format(time.DateOnly))
			}
			if !ok {
				return
			}
			// Periods up to the day after at ends with the period that holds at.
			ps := b.Periods(c.at.Add(time.Nanosecond))
			if len(ps) == 0 || ps[len(ps)-1] != p || !ps[0].Start.Equal(b.StartDate) {
				t.Errorf("Periods(%s) = %v, want from the start date to %v", c.at, ps, p)
			}
			for i := 1; i < len(ps); i++ {
				if !ps[i].Start.Equal(ps[i-1].End) {
					t.Errorf("period %d starts %s, not where the one before ends (%s)", i, ps[i].Start, ps[i-1].End)
				}
			}
		})
	}
}

func TestHistorySumsMonthsIntoPeriods(t *testing.T) {
	ctx := context.Background()
	store, _ := newStore(t)
	// Each month from 2025-11 to 2026-08 costs its number in hundreds and
	// some cents: 2026-02 costs 200.02 on the 1st and on the 15th.
	monthCost := map[time.Time]*big.Rat{}
	for m := day(2025, 11, 1); m.Before(day(2026, 9, 1)); m = m.AddDate(0, 1, 0) {
		amount := decimalText(int64(m.Month())*100, int64(m.Month()))
		deliver(t, store, m, "final", []charge{
			{Day: m, Account: member, Service: "Amazon Elastic Compute Cloud", Amount: amount},
			{Day: m.AddDate(0, 0, 14), Account: payer, Service: "Amazon Simple Storage Service", Amount: amount},
		})
		monthCost[m] = new(big.Rat).Mul(rat(t, amount), big.NewRat(2, 1))
	}
	periodCost := func(from, to time.Time) *big.Rat {
		total := new(big.Rat)
		for m, c := range monthCost {
			if !m.Before(from) && m.Before(to) {
				total.Add(total, c)
			}
		}
		return total
	}
	clk := &clock{t: day(2026, 8, 20)}
	e := newEvaluator(store, clk, nil, nil)
	for _, c := range []struct {
		name   string
		grain  cost.TimeGrain
		start  time.Time
		max    int
		starts []time.Time
	}{
		{"a quarterly budget from February sums February to April, May to July, and August so far", cost.GrainQuarterly, day(2026, 2, 1), 10,
			[]time.Time{day(2026, 2, 1), day(2026, 5, 1), day(2026, 8, 1)}},
		{"a quarterly budget from November keeps the latest two of its four periods when asked for two", cost.GrainQuarterly, day(2025, 11, 1), 2,
			[]time.Time{day(2026, 5, 1), day(2026, 8, 1)}},
		{"an annual budget from last December sums its year so far", cost.GrainAnnually, day(2025, 12, 1), 5,
			[]time.Time{day(2025, 12, 1)}},
		{"a monthly budget sums each month", cost.GrainMonthly, day(2026, 5, 1), 12,
			[]time.Time{day(2026, 5, 1), day(2026, 6, 1), day(2026, 7, 1), day(2026, 8, 1)}},
		{"a budget that starts next month has no history", cost.GrainMonthly, day(2026, 9, 1), 12, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := atFull(c.start)
			b.TimeGrain = c.grain
			must(t, b.Validate())
			got, err := budget.History(ctx, e.Query, nil, &b, clk.Now(), c.max)
			must(t, err)
			if len(got) != len(c.starts) {
				t.Fatalf("%d periods %v, want %d", len(got), got, len(c.starts))
			}
			for i, ps := range got {
				if !ps.Period.Start.Equal(c.starts[i]) {
					t.Errorf("period %d starts %s, want %s", i, ps.Period.Start.Format(time.DateOnly), c.starts[i].Format(time.DateOnly))
				}
				if want := periodCost(ps.Period.Start, ps.Period.End); !equalRat(t, ps.Spent, want) {
					t.Errorf("period from %s: spent %s, want %s", ps.Period.Start.Format(time.DateOnly), ps.Spent, want.FloatString(2))
				}
			}
		})
	}
}

func TestMeasureOfLongerPeriods(t *testing.T) {
	ctx := context.Background()
	store, _ := newStore(t)
	monthCost := map[time.Time]*big.Rat{}
	for m := day(2025, 11, 1); m.Before(day(2026, 9, 1)); m = m.AddDate(0, 1, 0) {
		var charges []charge
		for d := m; d.Before(m.AddDate(0, 1, 0)) && d.Before(day(2026, 8, 20)); d = d.AddDate(0, 0, 1) {
			charges = append(charges, charge{Day: d, Account: member, Service: "Amazon Elastic Compute Cloud", Amount: decimalText(int64(m.Month()), int64(d.Day()))})
		}
		deliver(t, store, m, "v", charges)
		monthCost[m] = sum(t, charges)
	}
	now := day(2026, 8, 20).Add(6 * time.Hour)
	e := newEvaluator(store, &clock{t: now}, nil, nil)
	for _, c := range []struct {
		name   string
		grain  cost.TimeGrain
		start  time.Time
		months []time.Time // whose cost is the spent
	}{
		{"a quarterly budget from February is in its quarter from August", cost.GrainQuarterly, day(2026, 2, 1), []time.Time{day(2026, 8, 1)}},
		{"a quarterly budget from June is in the quarter June to August", cost.GrainQuarterly, day(2026, 6, 1),
			[]time.Time{day(2026, 6, 1), day(2026, 7, 1), day(2026, 8, 1)}},
		{"an annual budget from December counts December to August", cost.GrainAnnually, day(2025, 12, 1),
			[]time.Time{day(2025, 12, 1), day(2026, 1, 1), day(2026, 2, 1), day(2026, 3, 1), day(2026, 4, 1), day(2026, 5, 1),
				day(2026, 6, 1), day(2026, 7, 1), day(2026, 8, 1)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := atFull(c.start)
			b.TimeGrain = c.grain
			must(t, b.Validate())
			p, ok := b.PeriodAt(now)
			if !ok || !p.Start.Equal(c.months[0]) {
				t.Fatalf("period %v %v", p, ok)
			}
			st, err := budget.Measure(ctx, e.Query, nil, &b, p, now)
			must(t, err)
			want := new(big.Rat)
			for _, m := range c.months {
				want.Add(want, monthCost[m])
			}
			if !equalRat(t, st.Spent, want) {
				t.Errorf("spent %s, want %s", st.Spent, want.FloatString(2))
			}
			if st.Forecast.Cmp(st.Spent) <= 0 {
				t.Errorf("forecast %s is not above the spent %s with days to come", st.Forecast, st.Spent)
			}
		})
	}
}

// decimalText writes units and cents as a decimal.
func decimalText(units, cents int64) string {
	return new(big.Rat).Add(big.NewRat(units, 1), big.NewRat(cents, 100)).FloatString(2)
}
