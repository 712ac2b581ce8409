package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// costDecimals is the minimum number of decimal places printed for Cost,
// as the API writes it.
const costDecimals = cost.CostDecimals

type renderFunc func(io.Writer, *cost.Result) error

func renderer(format string) (renderFunc, error) {
	switch format {
	case "table":
		return renderTable, nil
	case "csv":
		return renderCSV, nil
	case "json":
		return renderJSON, nil
	}
	return nil, usageErrorf("--format %q: use table, csv or json", format)
}

// cell formats one result value as text.
func cell(v any) string {
	switch v := v.(type) {
	case decimal.Decimal:
		return string(v.Append(nil, costDecimals))
	case time.Time:
		return v.Format(time.DateOnly)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// values returns a row's cells in the order of the result's columns.
func values(res *cost.Result, row cost.ResultRow) []any {
	out := []any{row.Cost, row.Currency}
	if res.HasDate() {
		out = append(out, row.Date)
	}
	for _, g := range row.Groups {
		out = append(out, g)
	}
	return out
}

func renderTable(w io.Writer, res *cost.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	names := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = c.Name
	}
	fmt.Fprintln(tw, strings.Join(names, "\t")+"\t")
	for _, row := range res.Rows {
		vs := values(res, row)
		cells := make([]string, len(vs))
		for i, v := range vs {
			cells[i] = cell(v)
			if cells[i] == "" {
				cells[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	if len(res.Rows) == 0 {
		fmt.Fprintln(tw, "(no costs match)\t")
	}
	return tw.Flush()
}

func renderCSV(w io.Writer, res *cost.Result) error {
	cw := csv.NewWriter(w)
	names := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = c.Name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	for _, row := range res.Rows {
		vs := values(res, row)
		cells := make([]string, len(vs))
		for i, v := range vs {
			cells[i] = cell(v)
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// renderJSON writes the Azure Cost Management Query response shape. Cost is
// a JSON number holding the exact decimal (json.Number), never a float.
func renderJSON(w io.Writer, res *cost.Result) error {
	rows := make([][]any, len(res.Rows))
	for i, row := range res.Rows {
		vs := values(res, row)
		out := make([]any, len(vs))
		for j, v := range vs {
			switch v := v.(type) {
			case decimal.Decimal:
				out[j] = json.Number(v.Append(nil, costDecimals))
			default:
				out[j] = cell(v)
			}
		}
		rows[i] = out
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Columns []cost.Column `json:"columns"`
		Rows    [][]any       `json:"rows"`
	}{res.Columns, rows})
}
