package budget

import (
	"context"
	"slices"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/forecast"
)

// QueryFunc answers a query on a scope's view: the API's, as its caller;
// the evaluator's, as Reckon.
type QueryFunc func(ctx context.Context, scope cost.ScopeID, q *cost.Query) (*cost.Result, error)

// Status is where a budget stands in one period.
type Status struct {
	Period   cost.BudgetPeriod `json:"period"`
	Currency string            `json:"currency"`
	Amount   decimal.Decimal   `json:"amount"`
	Spent    decimal.Decimal   `json:"spent"`    // the period's actual cost to date
	Forecast decimal.Decimal   `json:"forecast"` // the period's forecast total
	// Rates converted other currencies into the budget's.
	Rates []cost.ExchangeRate `json:"rates,omitempty"`
	Notes []string            `json:"notes,omitempty"`
}

// PeriodSpend is what one past or current period cost.
type PeriodSpend struct {
	Period cost.BudgetPeriod `json:"period"`
	Spent  decimal.Decimal   `json:"spent"`
}

// baseQuery is the budget's measure under its filter.
func baseQuery(b *cost.Budget) (*cost.Query, error) {
	q := &cost.Query{Measures: []cost.Measure{b.Measure}}
	if b.Filter != "" {
		where, err := cost.ParseFilter(b.Filter)
		if err != nil {
			return nil, err
		}
		q.Where = where
	}
	return q, nil
}

// Measure returns the budget's status in the period that holds now's day,
// or in p when it is given (a past period): its cost to date and its
// forecast total, converted into the budget's currency.
func Measure(ctx context.Context, query QueryFunc, rates cost.Rates, b *cost.Budget, p cost.BudgetPeriod, now time.Time) (*Status, error) {
	hq, fp, err := historyOf(b, p, now)
	if err != nil {
		return nil, err
	}
	res, err := query(ctx, b.Scope, hq)
	if err != nil {
		return nil, err
	}
	ans, err := forecast.Build(res, fp, "")
	if err != nil {
		return nil, err
	}
	st := &Status{Period: p, Currency: b.Currency, Amount: b.Amount, Notes: ans.Notes}
	conv := converter{to: b.Currency, rates: rates}
	for _, s := range ans.Series {
		actual, err := conv.convert(s.Currency, s.Actual)
		if err != nil {
			return nil, err
		}
		total, err := conv.convert(s.Currency, s.Total)
		if err != nil {
			return nil, err
		}
		st.Spent, st.Forecast = st.Spent.Add(actual), st.Forecast.Add(total)
	}
	st.Rates = conv.used
	return st, nil
}

// historyOf is the query of the days the forecast of the budget's period
// p reads as of now, and the period as the forecast sees it.
func historyOf(b *cost.Budget, p cost.BudgetPeriod, now time.Time) (*cost.Query, forecast.Period, error) {
	base, err := baseQuery(b)
	if err != nil {
		return nil, forecast.Period{}, err
	}
	today := forecast.DayOf(now)
	fp := forecast.Period{Start: p.Start, End: p.End, Today: today}
	if today.After(p.End) {
		fp.Today = p.End
	}
	if today.Before(p.Start) {
		fp.Today = p.Start
	}
	hq, err := forecast.HistoryQuery(base, fp)
	return hq, fp, err
}

// History returns what each of the budget's periods before now cost, and
// the current one so far: the latest max periods, oldest first.
func History(ctx context.Context, query QueryFunc, rates cost.Rates, b *cost.Budget, now time.Time, max int) ([]PeriodSpend, error) {
	periods := b.Periods(forecast.DayOf(now).AddDate(0, 0, 1))
	if len(periods) > max {
		periods = periods[len(periods)-max:]
	}
	if len(periods) == 0 {
		return []PeriodSpend{}, nil
	}
	base, err := baseQuery(b)
	if err != nil {
		return nil, err
	}
	q := *base
	q.From, q.To, q.Granularity = periods[0].Start, periods[len(periods)-1].End, cost.GranularityMonthly
	res, err := query(ctx, b.Scope, &q)
	if err != nil {
		return nil, err
	}
	conv := converter{to: b.Currency, rates: rates}
	out := make([]PeriodSpend, len(periods))
	for i, p := range periods {
		out[i].Period = p
	}
	for _, row := range res.Rows {
		i := slices.IndexFunc(periods, func(p cost.BudgetPeriod) bool { return !row.Date.Before(p.Start) && row.Date.Before(p.End) })
		if i < 0 {
			continue
		}
		v, err := conv.convert(row.Currency, row.Cost)
		if err != nil {
			return nil, err
		}
		out[i].Spent = out[i].Spent.Add(v)
	}
	return out, nil
}

// converter converts costs into one currency, noting the rates it used.
type converter struct {
	to    string
	rates cost.Rates
	used  []cost.ExchangeRate
}

func (c *converter) convert(from string, v decimal.Decimal) (decimal.Decimal, error) {
	if from == c.to || from == "" {
		return v, nil
	}
	r, ok := c.rates.Find(from, c.to)
	if !ok {
		return decimal.Zero, NoRate(from, c.to)
	}
	if !slices.ContainsFunc(c.used, func(u cost.ExchangeRate) bool { return u.From == from }) {
		c.used = append(c.used, r)
	}
	return v.Mul(r.Rate), nil
}

// NoRate is the error of a cost that cannot be converted.
func NoRate(from, to string) error {
	return cost.Errorf(cost.EInvalid, "the scope has costs in %s and Reckon has no exchange rate from %s to %s, the budget's currency: "+
		"set one with `reckon rate set %s %s RATE` (PUT /api/v1/exchangeRates), or give the budget the currency %s", from, from, to, from, to, from)
}

// Currencies returns the currencies of the scope's costs over the year
// before now: what a budget on it must convert.
func Currencies(ctx context.Context, query QueryFunc, scope cost.ScopeID, now time.Time) ([]string, error) {
	day := forecast.DayOf(now)
	q := &cost.Query{Measures: []cost.Measure{cost.MeasureBilled}, From: day.AddDate(-1, 0, 0), To: day.AddDate(0, 0, 1), Granularity: cost.GranularityNone}
	res, err := query(ctx, scope, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, row := range res.Rows {
		if row.Currency != "" && !slices.Contains(out, row.Currency) {
			out = append(out, row.Currency)
		}
	}
	slices.Sort(out)
	return out, nil
}

// CheckRates refuses a budget whose scope has costs in a currency that
// cannot be converted into the budget's.
func CheckRates(currencies []string, rates cost.Rates, to string) error {
	c := converter{to: to, rates: rates}
	for _, cur := range currencies {
		if _, err := c.convert(cur, decimal.Zero); err != nil {
			return err
		}
	}
	return nil
}
