package cost

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAViewIsCheckedBeforeItIsSaved(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	var longFilters []string // a query that builds, but of 150 KB
	for i := range MaxFilters {
		longFilters = append(longFilters, fmt.Sprintf("ServiceName=%02d%s", i, strings.Repeat("x", 3000)))
	}
	daily := QuerySpec{Timeframe: "MonthToDate", Granularity: "daily", GroupBy: []string{"ServiceName"}}
	byService := QuerySpec{Timeframe: "TheLastMonth", GroupBy: []string{"ServiceName"}}
	tests := []struct {
		name string
		view SavedView
		code string // "" when the view passes
		msg  string // a part of the message
	}{
		{"a daily stacked column of services passes", SavedView{Name: "Daily", Scope: RootGroup, Chart: "stackedColumn", Query: daily}, "", ""},
		{"a pie of services passes", SavedView{Name: "Shares", Scope: "aws/billing/012345678901", Chart: "pie", Query: byService}, "", ""},
		{"a table of anything passes", SavedView{Name: "All", Scope: "aws/accounts/045678901234", Chart: "table"}, "", ""},
		{"a nested filter and a top passes", SavedView{Name: "Top", Scope: RootGroup, Chart: "bar",
			Query: QuerySpec{GroupBy: []string{"ResourceId"}, Top: 10, Filter: "ServiceName in (EC2, S3) and not tag:env = dev"}}, "", ""},

		{"a view without a name is refused", SavedView{Scope: RootGroup, Chart: "table"}, EInvalid, "give the view a name"},
		{"a blank name is refused", SavedView{Name: "  ", Scope: RootGroup, Chart: "table"}, EInvalid, "give the view a name"},
		{"a name with an escape is refused", SavedView{Name: "\x1b[31mred", Scope: RootGroup, Chart: "table"}, EInvalid, "the view's name has the control character U+001B"},
		{"a connector is refused", SavedView{Name: "x", Scope: "connectors/acme", Chart: "table"}, EInvalid, "a connector has no costs of its own"},
		{"a scope ID that is not one is refused", SavedView{Name: "x", Scope: "accounts/1", Chart: "table"}, EInvalid, "scope ID \"accounts/1\" is not valid"},
		{"an unknown chart is refused, naming the charts", SavedView{Name: "x", Scope: RootGroup, Chart: "donut"}, EInvalid,
			`chart "donut" is not one of area, line, column, stackedColumn, bar, pie, table`},
		{"no chart is refused", SavedView{Name: "x", Scope: RootGroup}, EInvalid, `chart "" is not one of`},
		{"a line without a granularity is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "line", Query: byService}, EInvalid,
			"line charts plot cost over time: give the query a granularity"},
		{"a pie over days is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "pie", Query: daily}, EInvalid,
			"pie charts compare totals: leave the query's granularity none"},
		{"a bar without groups is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "bar", Query: QuerySpec{Timeframe: "TheLastMonth"}}, EInvalid,
			"bar charts compare groups: give the query a group-by dimension"},
		{"an unknown dimension is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "table", Query: QuerySpec{GroupBy: []string{"Colour"}}}, EInvalid,
			`the view's query: unknown dimension "Colour": use one of ProviderName`},
		{"a timeframe with dates is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "table", Query: QuerySpec{Timeframe: "MonthToDate", From: "2026-11-01"}}, EInvalid,
			"the view's query: give a timeframe or from and to, not both"},
		{"an empty range is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "table", Query: QuerySpec{From: "2026-11-01", To: "2026-11-01"}}, EInvalid,
			"the view's query: the range is empty"},
		{"a filter that does not parse is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "table", Query: QuerySpec{Filter: "ServiceName in ("}}, EInvalid,
			"the view's query: filter, at character 17: expected a value"},
		{"a query too long to keep is refused", SavedView{Name: "x", Scope: RootGroup, Chart: "table", Query: QuerySpec{Filters: longFilters}}, EInvalid,
			"the view's query has 150"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.view
			err := v.Validate(now)
			if got := ErrorCode(err); got != tt.code {
				t.Fatalf("Validate = %v (code %q), want code %q", err, got, tt.code)
			}
			if err != nil && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", err, tt.msg)
			}
		})
	}
}

func TestChartsAreReadInAnyCase(t *testing.T) {
	for in, want := range map[string]Chart{"stackedcolumn": ChartStackedColumn, "PIE": ChartPie, "Table": ChartTable, "area": ChartArea} {
		if got, err := ParseChart(in); err != nil || got != want {
			t.Errorf("ParseChart(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	v := SavedView{Name: "x", Scope: RootGroup, Chart: "STACKEDCOLUMN", Query: QuerySpec{Granularity: "monthly"}}
	if err := v.Validate(time.Now()); err != nil || v.Chart != ChartStackedColumn {
		t.Errorf("Validate: %v, chart %q; want it spelled %q", err, v.Chart, ChartStackedColumn)
	}
}

func TestViewIDs(t *testing.T) {
	a, b := NewViewID(), NewViewID()
	if a == b || len(a) != 16 {
		t.Fatalf("NewViewID gave %q and %q: want two different 16-digit IDs", a, b)
	}
	if got, err := ParseViewID(a); err != nil || got != a {
		t.Errorf("ParseViewID(%q) = %q, %v", a, got, err)
	}
	for _, bad := range []string{"", "0123456789ABCDEF", "0123456789abcde", "../../etc/passwd", strings.Repeat("a", 1000)} {
		_, err := ParseViewID(bad)
		if ErrorCode(err) != ENotFound || len(err.Error()) > 200 {
			t.Errorf("ParseViewID(%.20q) = %v, want a short NotFound", bad, err)
		}
	}
}
