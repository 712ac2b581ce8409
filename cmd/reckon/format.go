package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

type renderFunc func(io.Writer, *cost.Result) error

func renderer(format string) (renderFunc, error) {
	switch format {
	case "table":
		return renderTable, nil
	case cost.FormatCSV, cost.FormatJSONL:
		return func(w io.Writer, res *cost.Result) error {
			return streamRows(w, format, res.Columns, func(fn func(*cost.ResultRow) error) error {
				for i := range res.Rows {
					if err := fn(&res.Rows[i]); err != nil {
						return err
					}
				}
				return nil
			})
		}, nil
	case "json":
		return renderJSON, nil
	}
	return nil, usageErrorf("--format %q: use table, csv, json or jsonl", format)
}

// streamed reports whether the format writes row by row, with no limit.
func streamed(format string) bool { return format == cost.FormatCSV || format == cost.FormatJSONL }

// streamRows writes the rows each gives, as CSV or JSON Lines.
func streamRows(w io.Writer, format string, columns []cost.Column, each func(func(*cost.ResultRow) error) error) error {
	rw := cost.NewRowWriter(w, format, columns)
	if err := rw.Header(); err != nil {
		return err
	}
	if err := each(rw.Write); err != nil {
		return err
	}
	return rw.Flush()
}

// minorUnits are the ISO 4217 currencies whose minor unit is not the cent.
var minorUnits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// money writes d rounded to the currency's minor unit (half to even),
// with thousands separators: 1,234.57.
func money(d decimal.Decimal, currency string) string {
	places, ok := minorUnits[strings.ToUpper(currency)]
	if !ok {
		places = 2
	}
	r := d.Round(places)
	if r.IsZero() {
		r = decimal.Decimal{} // no "-0.00"
	}
	return grouped(r.Fixed(places))
}

// quantity writes d with at most 4 decimal places and thousands separators.
func quantity(d decimal.Decimal) string {
	s := d.Round(4).Fixed(4)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return grouped(s)
}

// grouped puts thousands separators into a decimal's integer part.
func grouped(s string) string {
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// tableCells returns a row's cells as the table prints them: measures
// rounded for reading (money to the currency's minor unit), the rest as is.
func tableCells(res *cost.Result, row *cost.ResultRow) []string {
	var out []string
	for i, v := range row.Values() {
		if res.Columns[i].Name == string(cost.MeasureConsumed) {
			out = append(out, quantity(v))
		} else {
			out = append(out, money(v, row.Currency))
		}
	}
	out = append(out, row.Currency)
	if res.HasDate() {
		out = append(out, row.Date.Format(time.DateOnly))
	}
	return append(out, row.Groups...)
}

func renderTable(w io.Writer, res *cost.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	names := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = c.Name
	}
	fmt.Fprintln(tw, strings.Join(names, "\t")+"\t")
	for i := range res.Rows {
		cells := tableCells(res, &res.Rows[i])
		for j, c := range cells {
			if c == "" {
				cells[j] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	if len(res.Rows) == 0 {
		fmt.Fprintln(tw, "(no costs match)\t")
	}
	return tw.Flush()
}

// renderJSON writes the Azure Cost Management Query response shape, every
// measure an exact JSON number (cost.Result.MarshalJSON), indented.
func renderJSON(w io.Writer, res *cost.Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
