package forecast

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Columns are the columns of an answer's rows, named and typed as a query
// answer's (cost.Result) are.
var Columns = []cost.Column{
	{Name: "Cost", Type: cost.TypeNumber}, {Name: "Low", Type: cost.TypeNumber}, {Name: "High", Type: cost.TypeNumber},
	{Name: "Currency", Type: cost.TypeString}, {Name: "Date", Type: cost.TypeDatetime}, {Name: "Kind", Type: cost.TypeString},
}

// answerJSON is an Answer on the wire: the period, the rows in a query
// answer's columns-and-rows shape, and each currency's totals.
type answerJSON struct {
	From    string              `json:"from"`
	To      string              `json:"to"`
	Today   string              `json:"today"`
	Horizon Horizon             `json:"horizon,omitempty"`
	Method  string              `json:"method"`
	Columns []cost.Column       `json:"columns"`
	Rows    [][]json.RawMessage `json:"rows"`
	Totals  []totalJSON         `json:"totals"`
	Notes   []string            `json:"notes"`
}

// totalJSON is one currency's totals over the period.
type totalJSON struct {
	Currency string          `json:"currency"`
	Actual   json.RawMessage `json:"actual"`   // the actual cost to date, today's part included
	Forecast json.RawMessage `json:"forecast"` // the period's expected total
	Low      json.RawMessage `json:"low"`
	High     json.RawMessage `json:"high"`
}

func number(d decimal.Decimal) json.RawMessage { return d.Append(nil, cost.CostDecimals) }

func text(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// MarshalJSON writes the answer: every cost a JSON number with all its
// decimal places (at least cost.CostDecimals), dates as YYYY-MM-DD.
func (a *Answer) MarshalJSON() ([]byte, error) {
	out := answerJSON{From: a.Period.Start.Format(time.DateOnly), To: a.Period.End.Format(time.DateOnly),
		Today: a.Period.Today.Format(time.DateOnly), Horizon: a.Horizon, Method: Method, Columns: Columns,
		Rows: [][]json.RawMessage{}, Totals: []totalJSON{}, Notes: append([]string{}, a.Notes...)}
	for _, s := range a.Series {
		for _, p := range s.Points {
			out.Rows = append(out.Rows, []json.RawMessage{number(p.Cost), number(p.Low), number(p.High),
				text(s.Currency), text(p.Date.Format(time.DateOnly)), text(string(p.Kind))})
		}
		out.Totals = append(out.Totals, totalJSON{Currency: s.Currency, Actual: number(s.Actual),
			Forecast: number(s.Total), Low: number(s.Low), High: number(s.High)})
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes, costs as exact decimals.
func (a *Answer) UnmarshalJSON(data []byte) error {
	var in answerJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*a = Answer{Horizon: in.Horizon, Notes: in.Notes}
	for _, f := range []struct {
		s string
		t *time.Time
	}{{in.From, &a.Period.Start}, {in.To, &a.Period.End}, {in.Today, &a.Period.Today}} {
		t, err := time.Parse(time.DateOnly, f.s)
		if err != nil {
			return fmt.Errorf("forecast period: %w", err)
		}
		*f.t = t
	}
	series := map[string]*Series{}
	for _, t := range in.Totals {
		s := &Series{Currency: t.Currency}
		for _, f := range []struct {
			raw json.RawMessage
			d   *decimal.Decimal
		}{{t.Actual, &s.Actual}, {t.Forecast, &s.Total}, {t.Low, &s.Low}, {t.High, &s.High}} {
			d, err := decimal.ParseBytes(f.raw)
			if err != nil {
				return fmt.Errorf("the totals of %s: %w", t.Currency, err)
			}
			*f.d = d
		}
		series[t.Currency] = s
		a.Series = append(a.Series, s)
	}
	for i, cells := range in.Rows {
		p, currency, err := readPoint(cells)
		if err != nil {
			return fmt.Errorf("forecast row %d: %w", i, err)
		}
		s, ok := series[currency]
		if !ok {
			return fmt.Errorf("forecast row %d: currency %q has no totals", i, currency)
		}
		s.Points = append(s.Points, p)
	}
	return nil
}

// readPoint reads one row: Cost, Low, High, Currency, Date, Kind.
func readPoint(cells []json.RawMessage) (p Point, currency string, err error) {
	if len(cells) != len(Columns) {
		return p, "", fmt.Errorf("%d cells for %d columns", len(cells), len(Columns))
	}
	for i, d := range []*decimal.Decimal{&p.Cost, &p.Low, &p.High} {
		if *d, err = decimal.ParseBytes(cells[i]); err != nil {
			return p, "", fmt.Errorf("%s: %w", Columns[i].Name, err)
		}
	}
	var date, kind string
	for i, s := range []*string{&currency, &date, &kind} {
		if err := json.Unmarshal(cells[3+i], s); err != nil {
			return p, "", fmt.Errorf("%s: %w", Columns[3+i].Name, err)
		}
	}
	if p.Date, err = time.Parse(time.DateOnly, date); err != nil {
		return p, "", err
	}
	p.Kind = Kind(kind)
	return p, currency, nil
}
