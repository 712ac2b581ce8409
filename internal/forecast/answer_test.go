package forecast

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

func TestHistoryQuery(t *testing.T) {
	p := PeriodOf(Month, date("2026-11-28"))
	where, err := cost.ParseFilter("ServiceName in (EC2, S3)")
	if err != nil {
		t.Fatal(err)
	}
	base := &cost.Query{Type: cost.CostAmortized, Where: where, Granularity: cost.GranularityNone}
	q, err := HistoryQuery(base, p)
	if err != nil {
		t.Fatal(err)
	}
	if !q.From.Equal(date("2026-09-01")) || !q.To.Equal(date("2026-11-29")) || q.Granularity != cost.GranularityDaily ||
		q.Type != cost.CostAmortized || q.Where != where || len(q.GroupBy) != 1 || q.GroupBy[0].Column != "ChargeFrequency" {
		t.Errorf("history query: %+v", q)
	}
	if base.Granularity != cost.GranularityNone || base.GroupBy != nil {
		t.Errorf("the base query changed: %+v", base)
	}
	for _, tc := range []struct {
		name string
		q    cost.Query
		want string
	}{
		{"two measures", cost.Query{Measures: []cost.Measure{cost.MeasureBilled, cost.MeasureList}},
			"a forecast sums one measure; got 2: give one of BilledCost, EffectiveCost, ListCost, x_UnblendedCost"},
		{"a quantity", cost.Query{Measures: []cost.Measure{cost.MeasureConsumed}},
			"a forecast sums a cost, not ConsumedQuantity: give one of BilledCost, EffectiveCost, ListCost, x_UnblendedCost"},
		{"a grouping", cost.Query{Type: cost.CostActual, GroupBy: []cost.Dimension{{Column: "ServiceName"}}},
			"a forecast is of the scope's whole cost under the filters: drop the grouping"},
	} {
		if _, err := HistoryQuery(&tc.q, p); cost.ErrorCode(err) != cost.EInvalid || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// history is an answer to HistoryQuery: three weeks of USD usage at $10 a
// day with a $7 recurring fee on 2026-11-01, and one EUR day.
func history() *cost.Result {
	res := &cost.Result{Columns: []cost.Column{{Name: "Cost", Type: cost.TypeNumber}, {Name: "Currency", Type: cost.TypeString},
		{Name: "Date", Type: cost.TypeDatetime}, {Name: "ChargeFrequency", Type: cost.TypeString}}}
	for d := date("2026-11-07"); d.Before(date("2026-11-28")); d = d.AddDate(0, 0, 1) {
		res.Rows = append(res.Rows, cost.ResultRow{Cost: dec("10"), Currency: "USD", Date: d, Groups: []string{"Usage-Based"}})
	}
	res.Rows = append(res.Rows,
		cost.ResultRow{Cost: dec("7.25"), Currency: "USD", Date: date("2026-11-01"), Groups: []string{"Recurring"}},
		cost.ResultRow{Cost: dec("3"), Currency: "EUR", Date: date("2026-11-27"), Groups: []string{"One-Time"}})
	return res
}

func TestBuildForecastsEachCurrency(t *testing.T) {
	p := PeriodOf(Month, date("2026-11-28"))
	a, err := Build(history(), p, Month)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Series) != 2 || a.Series[0].Currency != "EUR" || a.Series[1].Currency != "USD" {
		t.Fatalf("series: %+v", a.Series)
	}
	eur, usd := a.Series[0], a.Series[1]
	// USD: 7.25 + 21×10 to date, and 3 days at 10 to come: its history
	// starts on the fee's day, so November 2 to 6 cost nothing.
	if usd.Actual.Cmp(dec("217.25")) != 0 || usd.Total.Cmp(dec("247.25")) != 0 {
		t.Errorf("USD actual %s, total %s; want 217.25 and 247.25", usd.Actual, usd.Total)
	}
	if eur.Total.Cmp(dec("12")) != 0 { // 3 actual, and 3 a day for 3 days: the one day's median
		t.Errorf("EUR total %s, want 12", eur.Total)
	}
	wantNotes := []string{
		"EUR: only 1 complete day of history (since 2026-11-27): every day is forecast at their median",
		"EUR: the band is the spread of the recent days around their median: too few days have the history before them to test the forecast on",
		"USD: only 27 complete days of history (since 2026-11-01): each weekday's median reads fewer than 4 weeks",
		"USD: the band is the spread of the recent days around their median: too few days have the history before them to test the forecast on",
	}
	if !reflect.DeepEqual(a.Notes, wantNotes) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(a.Notes, "\n"), strings.Join(wantNotes, "\n"))
	}
}

// TestAnswerJSON checks the wire shape of one row and the totals, and that
// reading the JSON back gives the same answer, to the last decimal place.
func TestAnswerJSON(t *testing.T) {
	p := PeriodOf(Month, date("2026-11-28"))
	a, err := Build(history(), p, Month)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"from":"2026-11-01","to":"2026-12-01","today":"2026-11-28","horizon":"month"`,
		`"columns":[{"name":"Cost","type":"Number"},{"name":"Low","type":"Number"},{"name":"High","type":"Number"},{"name":"Currency","type":"String"},{"name":"Date","type":"Datetime"},{"name":"Kind","type":"String"}]`,
		`[7.2500000000,7.2500000000,7.2500000000,"USD","2026-11-01","Actual"]`,
		`{"currency":"USD","actual":217.2500000000,"forecast":247.2500000000,`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the JSON lacks %s:\n%s", want, data)
		}
	}
	var back Answer
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Series {
		s.Notes = nil // the answer's notes hold them
	}
	if !reflect.DeepEqual(&back, a) {
		t.Errorf("read back:\n%+v\nwant:\n%+v", back, *a)
	}
	empty, _ := json.Marshal(&Answer{Period: p})
	if !strings.Contains(string(empty), `"rows":[],"totals":[],"notes":[]`) {
		t.Errorf("an empty answer: %s", empty)
	}
}
