package cost

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseDimension(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ServiceName", "ServiceName", true},
		{"servicename", "ServiceName", true},
		{"x_lineitemtype", "x_LineItemType", true},
		{"tag:Environment", "tag:Environment", true},
		{"tag:aws:createdBy", "tag:aws:createdBy", true},
		{"tag:", "", false},
		{"BilledCost", "", false},
		{"load_id", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDimension(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("error = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "tag:KEY") {
					t.Errorf("error %q is not an Invalid that explains dimensions", err)
				}
				return
			}
			if d.Name() != tt.want {
				t.Errorf("Name() = %q, want %q", d.Name(), tt.want)
			}
		})
	}
}

func TestQueryValidate(t *testing.T) {
	day := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	svc := Dimension{Column: "ServiceName"}
	tests := []struct {
		name  string
		q     Query
		wants string // a phrase of the error; "" for valid
	}{
		{"a plain query is valid", Query{Granularity: GranularityNone, Type: CostActual}, ""},
		{"an unknown granularity is refused", Query{Granularity: "weekly", Type: CostActual}, "granularity"},
		{"an unknown cost type is refused", Query{Granularity: GranularityNone, Type: "net"}, "cost type"},
		{"three group-bys are refused", Query{Granularity: GranularityNone, Type: CostActual,
			GroupBy: []Dimension{svc, {Column: "RegionId"}, {Tag: "a"}}}, "at most 2"},
		{"a dimension grouped twice is refused", Query{Granularity: GranularityNone, Type: CostActual,
			GroupBy: []Dimension{svc, svc}}, "twice"},
		{"an empty range is refused", Query{Granularity: GranularityNone, Type: CostActual, From: day, To: day}, "exclusive"},
		{"a filter value that is not UTF-8 is refused", Query{Granularity: GranularityNone, Type: CostActual,
			Filters: []Filter{{Dimension: svc, Values: []string{"\xff"}}}}, "UTF-8"},
		{"a filter with no values is refused", Query{Granularity: GranularityNone, Type: CostActual,
			Filters: []Filter{{Dimension: svc}}}, "no values"},
		{"50 filters are allowed", Query{Granularity: GranularityNone, Type: CostActual,
			Filters: filters(50, 1)}, ""},
		{"51 filters are refused, saying how many were sent", Query{Granularity: GranularityNone, Type: CostActual,
			Filters: filters(51, 1)}, "at most 50 filters; this one has 51"},
		{"1,000 values are allowed", Query{Granularity: GranularityNone, Type: CostActual,
			Filters: filters(2, 500)}, ""},
		{"1,001 values are refused, saying how many were sent", Query{Granularity: GranularityNone, Type: CostActual,
			Filters: filters(7, 143)}, "at most 1000 values in all; this one's hold 1001"},
		{"a view's values do not count", Query{Granularity: GranularityNone, Type: CostActual,
			Filters: filters(50, 20), View: filters(1, 5000)}, ""},
		{"a view's values must be UTF-8 too", Query{Granularity: GranularityNone, Type: CostActual,
			View: []Filter{{Dimension: svc, Values: []string{"\xff"}}}}, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			switch {
			case tt.wants == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tt.wants != "" && (err == nil || !strings.Contains(err.Error(), tt.wants) || ErrorCode(err) != EInvalid):
				t.Fatalf("error %v, want an Invalid mentioning %q", err, tt.wants)
			}
		})
	}
}

// filters returns n filters on tags t0…, each with values v0….
func filters(n, values int) []Filter {
	out := make([]Filter, n)
	for i := range out {
		out[i].Dimension = Dimension{Tag: fmt.Sprint("t", i)}
		for j := range values {
			out[i].Values = append(out[i].Values, fmt.Sprint("v", j))
		}
	}
	return out
}
