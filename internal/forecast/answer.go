package forecast

import (
	"fmt"
	"slices"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Method is the forecast method in one sentence, for the answer.
const Method = "each day: the median of the same weekday over the last 4 weeks of complete days, " +
	"plus the recurring charges of the latest same day of the month; " +
	"80% band: the 10th to 90th percentile of the errors of the same rule on the last 28 days"

// recurringFrequency is the ChargeFrequency whose charges repeat by day of
// the month.
const recurringFrequency = "Recurring"

// cost measures a forecast may sum: ConsumedQuantity adds unlike units.
var costMeasures = []cost.Measure{cost.MeasureBilled, cost.MeasureEffective, cost.MeasureList, cost.MeasureUnblended}

// HistoryQuery returns the query whose answer Build reads: base's one
// measure (its Type, or its one cost measure) under its filters, by day
// and ChargeFrequency, over the period's History. base is not changed.
func HistoryQuery(base *cost.Query, p Period) (*cost.Query, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if len(base.Measures) > 1 {
		return nil, cost.Errorf(cost.EInvalid, "a forecast sums one measure; got %d: give one of BilledCost, EffectiveCost, ListCost, x_UnblendedCost", len(base.Measures))
	}
	if len(base.Measures) == 1 && !slices.Contains(costMeasures, base.Measures[0]) {
		return nil, cost.Errorf(cost.EInvalid, "a forecast sums a cost, not %s: give one of BilledCost, EffectiveCost, ListCost, x_UnblendedCost", base.Measures[0])
	}
	if len(base.GroupBy) > 0 || base.Top > 0 {
		return nil, cost.Errorf(cost.EInvalid, "a forecast is of the scope's whole cost under the filters: drop the grouping")
	}
	q := &cost.Query{Type: base.Type, Measures: base.Measures, Filters: base.Filters, Where: base.Where, View: base.View,
		Granularity: cost.GranularityDaily, GroupBy: []cost.Dimension{{Column: "ChargeFrequency"}}}
	q.From, q.To = p.History()
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
}

// Answer is a forecast of every currency of a scope's cost over a period.
type Answer struct {
	Period  Period
	Horizon Horizon   // the horizon the period is the current one of; "" for a period given by its days
	Series  []*Series // one per currency, by currency
	Notes   []string  // what limited the forecast, each prefixed by its currency when there are several
}

// Build forecasts the period from the answer to HistoryQuery: each
// currency on its own, the Recurring charges apart from the rest.
func Build(res *cost.Result, p Period, h Horizon) (*Answer, error) {
	if !res.HasDate() || len(res.Columns) != 4 || res.Columns[3].Name != "ChargeFrequency" {
		return nil, fmt.Errorf("forecast: the history has columns %v, not Cost, Currency, Date, ChargeFrequency", res.Columns)
	}
	if res.More {
		return nil, cost.Errorf(cost.EInvalid, "the scope's history has more than %d day and currency pairs: forecast fewer currencies with a filter on BillingCurrency", len(res.Rows))
	}
	byCurrency := map[string][]Day{}
	for _, row := range res.Rows {
		d := Day{Date: row.Date, Cost: row.Cost}
		if len(row.Groups) == 1 && row.Groups[0] == recurringFrequency {
			d.Cost, d.Recurring = decimal.Zero, row.Cost
		}
		byCurrency[row.Currency] = append(byCurrency[row.Currency], d)
	}
	a := &Answer{Period: p, Horizon: h}
	currencies := make([]string, 0, len(byCurrency))
	for c := range byCurrency {
		currencies = append(currencies, c)
	}
	slices.Sort(currencies)
	for _, c := range currencies {
		s, err := Run(c, byCurrency[c], p)
		if err != nil {
			return nil, err
		}
		a.Series = append(a.Series, s)
		for _, n := range s.Notes {
			if len(currencies) > 1 {
				n = c + ": " + n
			}
			a.Notes = append(a.Notes, n)
		}
	}
	if len(a.Series) == 0 && !p.Over() {
		from, _ := p.History()
		a.Notes = append(a.Notes, fmt.Sprintf("no cost since %s to learn from: the forecast is zero", from.Format(time.DateOnly)))
	}
	return a, nil
}
