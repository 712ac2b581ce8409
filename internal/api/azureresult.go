package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// azureQueryResult is Azure's QueryResult: an ARM resource whose
// properties hold the columns, the rows and the next page's link.
type azureQueryResult struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Location   *string         `json:"location"`
	SKU        *string         `json:"sku"`
	ETag       *string         `json:"eTag"`
	Properties azureProperties `json:"properties"`
}

type azureProperties struct {
	NextLink *string             `json:"nextLink"`
	Columns  []cost.Column       `json:"columns"`
	Rows     [][]json.RawMessage `json:"rows"`
}

// answer writes a page of the query's answer in Azure's shape. Costs are
// JSON numbers with every decimal place they have (at least
// cost.CostDecimals), never rounded through a float.
func (p *azurePlan) answer(id string, res *cost.Result) *azureQueryResult {
	out := &azureQueryResult{ID: id, Type: "Microsoft.CostManagement/query",
		Properties: azureProperties{Columns: p.columns, Rows: make([][]json.RawMessage, 0, len(res.Rows))}}
	out.Name = id[len(id)-36:]
	if res.NextLink != "" {
		out.Properties.NextLink = &res.NextLink
	}
	for i := range res.Rows {
		out.Properties.Rows = append(out.Properties.Rows, p.cells(&res.Rows[i]))
	}
	return out
}

// cells writes one row: the costs, the date, the groupings, the currency.
func (p *azurePlan) cells(row *cost.ResultRow) []json.RawMessage {
	cells := make([]json.RawMessage, 0, len(p.columns))
	values := row.Values()
	for _, c := range p.costs {
		cells = append(cells, values[c.measure].Append(nil, cost.CostDecimals))
	}
	switch p.q.Granularity {
	case cost.GranularityDaily:
		cells = append(cells, usageDate(row.Date))
	case cost.GranularityMonthly:
		cells = append(cells, json.RawMessage(`"`+row.Date.Format("2006-01-02T15:04:05")+`"`))
	}
	for i, g := range p.groups {
		value := row.Groups[i]
		if g.tag != "" {
			key := "" // a row without the tag has neither key nor value
			if value != "" {
				key = g.tag
			}
			cells = append(cells, mustJSON(key))
		}
		cells = append(cells, mustJSON(value))
	}
	return append(cells, mustJSON(row.Currency))
}

// mustJSON is a string as JSON; a Go string always marshals.
func mustJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// usageDate is a day as Azure writes UsageDate: the number yyyymmdd.
func usageDate(d time.Time) json.RawMessage {
	return json.RawMessage(strconv.Itoa(d.Year()*10000 + int(d.Month())*100 + d.Day()))
}
