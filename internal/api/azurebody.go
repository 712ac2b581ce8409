package api

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// azureQueryBody is the Azure Cost Management QueryDefinition, verbatim.
// Field names match without regard to case, as Azure reads them
// ("dataSet", "Dimensions").
type azureQueryBody struct {
	Type       string        `json:"type" doc:"ActualCost, AmortizedCost or Usage (actual cost)"`
	Timeframe  string        `json:"timeframe" doc:"MonthToDate, BillingMonthToDate, TheLastMonth, TheLastBillingMonth, WeekToDate or Custom"`
	TimePeriod *azurePeriod  `json:"timePeriod,omitempty" doc:"with Custom: from and to, ISO 8601; to is inclusive of its day"`
	Dataset    *azureDataset `json:"dataset" doc:"granularity, aggregation, grouping, sorting, filter"`
}

// azurePeriod is a Custom timeframe's days: from's day to to's day, both
// included.
type azurePeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// azureDataset says what to sum and how to slice it.
type azureDataset struct {
	Granularity   string `json:"granularity"`
	Configuration *struct {
		Columns []string `json:"columns"`
	} `json:"configuration"`
	// Aggregation maps an alias to a column to sum, in the order the
	// answer's columns take: kept raw to read the order.
	Aggregation json.RawMessage `json:"aggregation"`
	Grouping    []azureGrouping `json:"grouping"`
	Sorting     []azureSorting  `json:"sorting"`
	Filter      *azureFilter    `json:"filter"`
}

// azureGrouping is one group-by: a dimension or a tag key.
type azureGrouping struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// azureSorting is one sort key: a column of the answer.
type azureSorting struct {
	Direction string `json:"direction"`
	Name      string `json:"name"`
}

// azureAggregation is one entry of dataset.aggregation.
type azureAggregation struct {
	alias    string
	Name     string `json:"name"`
	Function string `json:"function"`
}

// azurePlan is an Azure query made a cost.Query, and how to write its
// answer in Azure's columns.
type azurePlan struct {
	q       *cost.Query
	costs   []azureCost // the aggregation columns, in the body's order
	groups  []azureGroup
	columns []cost.Column // the answer's columns, in Azure's order
}

// azureCost is one aggregation column: its name and the measure it shows.
type azureCost struct {
	name    string
	measure int // index in q.Measures
}

// azureGroup is one grouping of the answer: a dimension's column, or a
// tag's TagKey and TagValue columns.
type azureGroup struct {
	name string // the column name, for a dimension
	tag  string // the tag key, for a tag
}

// plan checks the body and builds its query; now resolves the timeframe.
func (b *azureQueryBody) plan(now time.Time) (*azurePlan, error) {
	if b.Dataset == nil {
		return nil, invalidQuery("the body has no dataset: give at least {\"dataset\": {\"granularity\": \"None\"}}")
	}
	p := &azurePlan{q: &cost.Query{}}
	var err error
	if p.q.Type, err = azureCostType(b.Type); err != nil {
		return nil, err
	}
	if p.q.From, p.q.To, p.q.Period, err = azureRange(b.Timeframe, b.TimePeriod, now); err != nil {
		return nil, err
	}
	if err := p.dataset(b.Type, b.Dataset); err != nil {
		return nil, err
	}
	if err := p.q.Validate(); err != nil {
		return nil, invalidQuery("%s", cost.ErrorMessage(err))
	}
	return p, nil
}

// dataset reads the dataset into the plan.
func (p *azurePlan) dataset(costType string, d *azureDataset) error {
	if d.Configuration != nil && len(d.Configuration.Columns) > 0 {
		return invalidQuery("dataset.configuration.columns is not supported: Reckon sums costs; " +
			"name the columns to slice by in dataset.grouping instead")
	}
	var err error
	if p.q.Granularity, err = azureGranularity(d.Granularity); err != nil {
		return err
	}
	aggs, err := readAggregations(d.Aggregation)
	if err != nil {
		return err
	}
	if err := p.measures(costType, aggs); err != nil {
		return err
	}
	if err := p.grouping(d.Grouping); err != nil {
		return err
	}
	p.columns = p.answerColumns()
	if p.q.OrderBy, err = p.sorting(aggs, d.Sorting); err != nil {
		return err
	}
	p.q.Where, err = azureFilterExpr(d.Filter, 1)
	return err
}

// azureCostType maps Azure's query type to a cost type: Usage, the legacy
// name, is the actual cost as Azure bills it.
func azureCostType(s string) (cost.CostType, error) {
	switch strings.ToLower(s) {
	case "actualcost", "usage":
		return cost.CostActual, nil
	case "amortizedcost":
		return cost.CostAmortized, nil
	case "":
		return "", invalidQuery("the body has no type: give ActualCost, AmortizedCost or Usage")
	}
	return "", invalidQuery("type %s is not one of ActualCost, AmortizedCost, Usage", cost.Quote(s))
}

func azureGranularity(s string) (cost.Granularity, error) {
	switch strings.ToLower(s) {
	case "", "none":
		return cost.GranularityNone, nil
	case "daily":
		return cost.GranularityDaily, nil
	case "monthly":
		return cost.GranularityMonthly, nil
	}
	return "", invalidQuery("dataset.granularity %s is not one of None, Daily, Monthly", cost.Quote(s))
}

// azureRange resolves the timeframe, or a Custom one's timePeriod, to days:
// From inclusive, To exclusive. Azure's timePeriod.to includes its whole
// day ("2026-10-31T23:59:59Z" or "2026-10-31"), so To is the day after it.
func azureRange(timeframe string, period *azurePeriod, now time.Time) (from, to time.Time, p cost.Period, err error) {
	if timeframe == "" {
		return from, to, p, invalidQuery("the body has no timeframe: give MonthToDate, TheLastMonth… or Custom with a timePeriod")
	}
	tf, err := cost.ParseTimeframe(timeframe)
	if err != nil {
		return from, to, p, invalidQuery("%s", cost.ErrorMessage(err))
	}
	if tf != cost.TimeframeCustom {
		if period != nil {
			return from, to, p, invalidQuery("timePeriod goes with timeframe Custom only: drop it, or set timeframe to Custom")
		}
		return tf.Range(now)
	}
	if period == nil {
		return from, to, p, invalidQuery("timeframe Custom needs a timePeriod {\"from\": …, \"to\": …}")
	}
	if from, err = azureDay("timePeriod.from", period.From); err != nil {
		return from, to, p, err
	}
	last, err := azureDay("timePeriod.to", period.To)
	if err != nil {
		return from, to, p, err
	}
	if last.Before(from) {
		return from, to, p, invalidQuery("timePeriod.to %s is before timePeriod.from %s: give to on or after from",
			last.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	return from, last.AddDate(0, 0, 1), cost.PeriodCharge, nil
}

// azureDayLayouts are the ways Azure clients write a timePeriod bound.
var azureDayLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly}

// azureDay reads an ISO 8601 date-time and returns its day as written
// ("2026-11-01T00:00:00+02:00" is 1 November), in UTC.
func azureDay(field, s string) (time.Time, error) {
	for _, layout := range azureDayLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	if s == "" {
		return time.Time{}, invalidQuery("%s is missing: write a date-time like 2026-11-01T00:00:00Z", field)
	}
	return time.Time{}, invalidQuery("%s %s is not an ISO 8601 date-time: write one like 2026-11-01T00:00:00Z",
		field, cost.Quote(s))
}

// readAggregations reads dataset.aggregation in the order it was written.
func readAggregations(raw json.RawMessage) ([]azureAggregation, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	const shape = "dataset.aggregation is an object of aliases, each {\"name\": \"Cost\", \"function\": \"Sum\"}"
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, invalidQuery(shape)
	}
	var out []azureAggregation
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalidQuery(shape)
		}
		a := azureAggregation{alias: tok.(string)}
		if err := dec.Decode(&a); err != nil {
			return nil, invalidQuery("dataset.aggregation %s: %s", cost.Quote(a.alias), strings.TrimPrefix(err.Error(), "json: "))
		}
		if !strings.EqualFold(a.Function, "Sum") {
			return nil, invalidQuery("dataset.aggregation %s: function %s is not supported: use Sum",
				cost.Quote(a.alias), cost.Quote(a.Function))
		}
		out = append(out, a)
	}
	return out, nil
}

// measures maps the aggregations to the query's measures. Cost columns of
// one measure under several names (Cost and CostUSD) share it.
func (p *azurePlan) measures(costType string, aggs []azureAggregation) error {
	if len(aggs) == 0 {
		name := "Cost"
		if strings.EqualFold(costType, "Usage") {
			name = "PreTaxCost" // what Azure answers a Usage query without aggregation
		}
		aggs = []azureAggregation{{alias: name, Name: name}}
	}
	for _, a := range aggs {
		name, m, err := azureMeasure(a.Name, p.q.Type)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(p.costs, func(c azureCost) bool { return c.name == name }) {
			return invalidQuery("dataset.aggregation sums %s twice: ask for it once", name)
		}
		i := slices.Index(p.q.Measures, m)
		if i < 0 {
			i = len(p.q.Measures)
			p.q.Measures = append(p.q.Measures, m)
		}
		p.costs = append(p.costs, azureCost{name: name, measure: i})
	}
	return nil
}

// azureCostColumns are Azure's names of the cost: in the billing currency,
// before tax (PreTaxCost) or not, and in US dollars. Reckon converts no
// currency: each is the query type's cost, and the Currency column says
// which currency it is in.
var azureCostColumns = []string{"Cost", "PreTaxCost", "CostUSD", "PreTaxCostUSD"}

// azureMeasure maps an aggregated column to a measure and the column name
// of the answer: Azure's cost names, UsageQuantity, or a measure's own name.
func azureMeasure(name string, t cost.CostType) (string, cost.Measure, error) {
	for _, c := range azureCostColumns {
		if strings.EqualFold(c, name) {
			if t == cost.CostAmortized {
				return c, cost.MeasureEffective, nil
			}
			return c, cost.MeasureBilled, nil
		}
	}
	if strings.EqualFold(name, "UsageQuantity") {
		return "UsageQuantity", cost.MeasureConsumed, nil
	}
	if m, err := cost.ParseMeasure(name); err == nil {
		return string(m), m, nil
	}
	names := append(slices.Clone(azureCostColumns), "UsageQuantity")
	for _, m := range cost.AllMeasures {
		names = append(names, string(m))
	}
	return "", "", invalidQuery("Invalid aggregation name %s: use one of %s", cost.Quote(name), strings.Join(names, ", "))
}
