package api

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/forecast"
)

// azureForecastBody is the Azure Cost Management ForecastDefinition,
// verbatim.
type azureForecastBody struct {
	Type       string               `json:"type" doc:"ActualCost, AmortizedCost or Usage (actual cost)"`
	Timeframe  string               `json:"timeframe" doc:"Custom with a timePeriod; MonthToDate, BillingMonthToDate, WeekToDate or YearToDate for the current month, week or year"`
	TimePeriod *azurePeriod         `json:"timePeriod,omitempty" doc:"with Custom: the period to forecast, from and to, ISO 8601; to is inclusive of its day"`
	Dataset    *azureForecastDetail `json:"dataset" doc:"granularity Daily, one aggregation, a filter"`
	// IncludeActualCost adds the actual cost of the complete days before
	// today; IncludeFreshPartialCost adds today's cost so far too.
	IncludeActualCost       bool `json:"includeActualCost,omitempty" doc:"also the actual cost of the days before today"`
	IncludeFreshPartialCost bool `json:"includeFreshPartialCost,omitempty" doc:"with includeActualCost: also today's partial actual cost"`
}

// azureForecastDetail is a ForecastDataset: no grouping, no sorting.
type azureForecastDetail struct {
	Granularity   string `json:"granularity"`
	Configuration *struct {
		Columns []string `json:"columns"`
	} `json:"configuration"`
	Aggregation json.RawMessage `json:"aggregation"`
	Filter      *azureFilter    `json:"filter"`
}

// The extra columns the door's forecast carries after Azure's four: the
// 80% band of each forecast day (the cost itself on an actual day).
const (
	forecastLowColumn  = "CostLow"
	forecastHighColumn = "CostHigh"
)

// azureForecast answers the Forecast API: the forecast.Answer of
// forecastScope, the same as POST /api/v1/forecast's, in Azure's rows:
// cost, UsageDate, CostStatus (Actual or Forecast), Currency, then the
// band.
func (s *Server) azureForecast(c *call, form armScope) (any, error) {
	scope, _, err := azureRequest(c, form)
	if err != nil {
		return nil, err
	}
	var body azureForecastBody
	if err := decode(c.r, &body); err != nil {
		return nil, err
	}
	spec, name, err := body.spec(s.clock.Now())
	if err != nil {
		return nil, err
	}
	a, err := s.forecastScope(c, scope, spec)
	if err != nil {
		return nil, err
	}
	return azureForecastAnswer(azureResourceID(c), name, a, body.IncludeActualCost, body.IncludeFreshPartialCost), nil
}

// spec checks the body and builds what forecastScope takes, and the name
// of the cost column.
func (b *azureForecastBody) spec(now time.Time) (forecastSpec, string, error) {
	var spec forecastSpec
	d := b.Dataset
	if d == nil {
		return spec, "", invalidQuery("the body has no dataset: give {\"dataset\": {\"granularity\": \"Daily\", " +
			"\"aggregation\": {\"totalCost\": {\"name\": \"Cost\", \"function\": \"Sum\"}}}}")
	}
	if d.Configuration != nil && len(d.Configuration.Columns) > 0 {
		return spec, "", invalidQuery("dataset.configuration.columns is not supported: a forecast sums one cost")
	}
	if !strings.EqualFold(cmp.Or(d.Granularity, "Daily"), "Daily") {
		return spec, "", invalidQuery("a forecast's dataset.granularity is Daily, not %s", cost.Quote(d.Granularity))
	}
	q := &cost.Query{Granularity: cost.GranularityDaily}
	var err error
	if q.Type, err = azureCostType(b.Type); err != nil {
		return spec, "", err
	}
	aggs, err := readAggregations(d.Aggregation)
	if err != nil {
		return spec, "", err
	}
	if len(aggs) != 1 {
		return spec, "", invalidQuery("a forecast sums one cost: give dataset.aggregation one entry, "+
			"{\"totalCost\": {\"name\": \"Cost\", \"function\": \"Sum\"}}; it has %d", len(aggs))
	}
	name, m, err := azureMeasure(aggs[0].Name, q.Type)
	if err != nil {
		return spec, "", err
	}
	q.Measures = []cost.Measure{m}
	if q.Where, err = azureFilterExpr(d.Filter, 1); err != nil {
		return spec, "", err
	}
	if err := q.Validate(); err != nil {
		return spec, "", invalidQuery("%s", cost.ErrorMessage(err))
	}
	spec.Query = q
	spec.Period, spec.Horizon, err = azureForecastPeriod(b.Timeframe, b.TimePeriod, now)
	return spec, name, err
}

// maxForecastDays bounds a Custom forecast period, as the longest horizon
// of /api/v1/forecast (a year) does.
const maxForecastDays = 366

// azureForecastPeriod is the period to forecast: a Custom timePeriod's
// days, or the current month (MonthToDate, BillingMonthToDate), ISO week
// (WeekToDate) or year (YearToDate) whole. A timeframe wholly past
// (TheLastMonth) is all actual cost.
func azureForecastPeriod(timeframe string, period *azurePeriod, now time.Time) (forecast.Period, forecast.Horizon, error) {
	today := forecast.DayOf(now)
	tf, err := cost.ParseTimeframe(timeframe)
	if timeframe == "" || err != nil {
		return forecast.Period{}, "", invalidQuery("a forecast's timeframe %s is not one of Custom (with a timePeriod), "+
			"MonthToDate, BillingMonthToDate, WeekToDate, YearToDate, TheLastMonth, TheLastBillingMonth", cost.Quote(timeframe))
	}
	if tf != cost.TimeframeCustom && period != nil {
		return forecast.Period{}, "", invalidQuery("timePeriod goes with timeframe Custom only: drop it, or set timeframe to Custom")
	}
	switch tf {
	case cost.TimeframeMonthToDate, cost.TimeframeBillingMonthToDate:
		return forecast.PeriodOf(forecast.Month, now), forecast.Month, nil
	case cost.TimeframeYearToDate:
		return forecast.PeriodOf(forecast.Year, now), forecast.Year, nil
	case cost.TimeframeWeekToDate:
		monday, _, _, _ := tf.Range(now)
		return forecast.Period{Start: monday, End: monday.AddDate(0, 0, 7), Today: today}, "", nil
	}
	from, to, _, err := azureRange(timeframe, period, now)
	if err != nil {
		return forecast.Period{}, "", err
	}
	if days := int(to.Sub(from).Hours() / 24); days > maxForecastDays {
		return forecast.Period{}, "", invalidQuery("a forecast covers at most %d days; timePeriod covers %d: forecast a year or less",
			maxForecastDays, days)
	}
	return forecast.Period{Start: from, End: to, Today: today}, "", nil
}

// azureForecastAnswer writes the answer's points as Azure's rows, by day:
// the actual cost of the days before today when includeActual, today's
// partial cost too when also includePartial, and every forecast day.
func azureForecastAnswer(id, name string, a *forecast.Answer, includeActual, includePartial bool) *azureQueryResult {
	out := &azureQueryResult{ID: id, Name: id[len(id)-36:], Type: "Microsoft.CostManagement/query", Properties: azureProperties{
		Columns: []cost.Column{{Name: name, Type: cost.TypeNumber}, {Name: "UsageDate", Type: cost.TypeNumber},
			{Name: "CostStatus", Type: cost.TypeString}, {Name: "Currency", Type: cost.TypeString},
			{Name: forecastLowColumn, Type: cost.TypeNumber}, {Name: forecastHighColumn, Type: cost.TypeNumber}},
		Rows: [][]json.RawMessage{}}}
	type point struct {
		forecast.Point
		currency string
	}
	var points []point
	for _, s := range a.Series {
		for _, p := range s.Points {
			if p.Kind == forecast.Actual && (!includeActual || p.Date.Equal(a.Period.Today) && !includePartial) {
				continue
			}
			points = append(points, point{p, s.Currency})
		}
	}
	slices.SortStableFunc(points, func(x, y point) int {
		return cmp.Or(x.Date.Compare(y.Date), strings.Compare(string(x.Kind), string(y.Kind)), strings.Compare(x.currency, y.currency))
	})
	for _, p := range points {
		out.Properties.Rows = append(out.Properties.Rows, []json.RawMessage{p.Cost.Append(nil, cost.CostDecimals),
			usageDate(p.Date), mustJSON(string(p.Kind)), mustJSON(p.currency),
			p.Low.Append(nil, cost.CostDecimals), p.High.Append(nil, cost.CostDecimals)})
	}
	return out
}
