package api

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/forecast"
)

// forecastPath is the Forecast API's path at an ARM scope.
func forecastPath(arm string) string {
	return "/" + arm + "/providers/Microsoft.CostManagement/forecast?api-version=2022-10-01"
}

// azurePoint is one row of the Azure door's forecast.
type azurePoint struct {
	cost, low, high  decimal.Decimal
	date             time.Time
	status, currency string
}

func forecastRows(t *testing.T, a azureAnswer) []azurePoint {
	t.Helper()
	want := []string{"", "UsageDate", "CostStatus", "Currency", "CostLow", "CostHigh"} // the first is the aggregation's name
	for i, c := range a.Properties.Columns {
		if i >= len(want) || i > 0 && c.Name != want[i] {
			t.Fatalf("columns %+v, want %v", a.Properties.Columns, want)
		}
	}
	var out []azurePoint
	for _, row := range a.Properties.Rows {
		var p azurePoint
		var err error
		for i, d := range map[int]*decimal.Decimal{0: &p.cost, 4: &p.low, 5: &p.high} {
			if *d, err = decimal.ParseBytes(row[i]); err != nil {
				t.Fatalf("cell %s: %v", row[i], err)
			}
		}
		if p.date, err = time.Parse("20060102", string(row[1])); err != nil {
			t.Fatalf("UsageDate %s: %v", row[1], err)
		}
		p.status, p.currency = str(t, row[2]), str(t, row[3])
		out = append(out, p)
	}
	return out
}

// ownForecast asks POST /api/v1/forecast.
func (fx *azureFixture) ownForecast(t *testing.T, body map[string]any) *forecast.Answer {
	t.Helper()
	var a forecast.Answer
	if status := fx.do(fx.admin, "POST", "/api/v1/forecast", body, &a); status != 200 {
		t.Fatalf("/api/v1/forecast: %d", status)
	}
	return &a
}

// TestAzureForecastIsReckonsForecast asks the Azure door for this month's
// forecast at each ARM scope form: its points are /api/v1/forecast's, its
// actual days the sums of the fixture's rows.
func TestAzureForecastIsReckonsForecast(t *testing.T) {
	fx := newAzureFixture(t)
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) // the harness's clock
	body := map[string]any{"type": "ActualCost", "timeframe": "MonthToDate", "includeActualCost": true, "includeFreshPartialCost": true,
		"dataset": map[string]any{"granularity": "Daily", "aggregation": map[string]any{"totalCost": map[string]string{"name": "Cost", "function": "Sum"}}}}
	for _, sc := range fxScopes {
		t.Run(sc.arm, func(t *testing.T) {
			status, a, e := fx.post(fx.admin, forecastPath(sc.arm), body)
			if status != 200 {
				t.Fatalf("%d %+v", status, e)
			}
			got := forecastRows(t, a)
			own := fx.ownForecast(t, map[string]any{"scope": sc.reckon, "horizon": "month"})
			var want []azurePoint
			for _, s := range own.Series {
				for _, p := range s.Points {
					want = append(want, azurePoint{p.Cost, p.Low, p.High, p.Date, string(p.Kind), s.Currency})
				}
			}
			if len(got) != len(want) || len(got) != 25+6 { // Nov 1-25 actual, Nov 25-30 forecast
				t.Fatalf("%d rows, /api/v1/forecast has %d points; want 31", len(got), len(want))
			}
			for _, w := range want {
				if !containsPoint(got, w) {
					t.Errorf("the Azure door lacks %+v", w)
				}
			}
			for _, p := range got {
				if p.status != "Actual" {
					continue
				}
				day := sumRows(and(inAccounts(sc.accounts...), func(r *cost.Row) bool { return r.ChargePeriodStart.Equal(p.date) }), billed)
				if p.cost.Cmp(day) != 0 || p.low.Cmp(day) != 0 || p.high.Cmp(day) != 0 {
					t.Errorf("%s: actual %s (%s..%s), the rows sum to %s", p.date.Format(time.DateOnly), p.cost, p.low, p.high, day)
				}
				if p.date.After(today) {
					t.Errorf("an actual cost on %s, after today", p.date.Format(time.DateOnly))
				}
			}
		})
	}
}

func containsPoint(ps []azurePoint, w azurePoint) bool {
	for _, p := range ps {
		if p.date.Equal(w.date) && p.status == w.status && p.currency == w.currency &&
			p.cost.Cmp(w.cost) == 0 && p.low.Cmp(w.low) == 0 && p.high.Cmp(w.high) == 0 {
			return true
		}
	}
	return false
}

// TestAzureForecastOptions: the include flags, a Custom period, and the
// amortized cost under a filter, against /api/v1/forecast.
func TestAzureForecastOptions(t *testing.T) {
	fx := newAzureFixture(t)
	arm := fxScopes[0].arm // mg/apps
	ds := map[string]any{"aggregation": map[string]any{"c": map[string]string{"name": "PreTaxCost", "function": "Sum"}}}
	count := func(ps []azurePoint) (actual, partial, fc int) {
		for _, p := range ps {
			switch {
			case p.status == "Forecast":
				fc++
			case p.date.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)):
				partial++
			default:
				actual++
			}
		}
		return
	}
	for _, tc := range []struct {
		name                  string
		body                  map[string]any
		actual, partial, fore int
	}{
		{"the forecast alone by default", map[string]any{"type": "Usage", "timeframe": "MonthToDate", "dataset": ds}, 0, 0, 6},
		{"with the actual cost of the complete days", map[string]any{"type": "Usage", "timeframe": "MonthToDate", "dataset": ds,
			"includeActualCost": true}, 24, 0, 6},
		{"with today's partial cost too", map[string]any{"type": "Usage", "timeframe": "BillingMonthToDate", "dataset": ds,
			"includeActualCost": true, "includeFreshPartialCost": true}, 24, 1, 6},
		{"a Custom period, to inclusive of its day", map[string]any{"type": "Usage", "timeframe": "Custom", "dataset": ds,
			"timePeriod": map[string]string{"from": "2026-11-01T00:00:00+00:00", "to": "2026-11-30T23:59:59+00:00"}, "includeActualCost": true}, 24, 0, 6},
		// Wednesday 25 November: Monday and Tuesday are done, Wednesday to Sunday to come.
		{"last month, all actual", map[string]any{"type": "Usage", "timeframe": "TheLastMonth", "dataset": ds, "includeActualCost": true}, 31, 0, 0},
		{"the ISO week", map[string]any{"type": "Usage", "timeframe": "WeekToDate", "dataset": ds, "includeActualCost": true}, 2, 0, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, a, e := fx.post(fx.admin, forecastPath(arm), tc.body)
			if status != 200 {
				t.Fatalf("%d %+v", status, e)
			}
			if a.Properties.Columns[0].Name != "PreTaxCost" {
				t.Errorf("the cost column is %q, want the aggregation's PreTaxCost", a.Properties.Columns[0].Name)
			}
			got := forecastRows(t, a)
			if actual, partial, fore := count(got); actual != tc.actual || partial != tc.partial || fore != tc.fore {
				t.Errorf("%d actual, %d partial, %d forecast rows; want %d, %d, %d", actual, partial, fore, tc.actual, tc.partial, tc.fore)
			}
		})
	}
	t.Run("the amortized cost under a filter is /api/v1/forecast's", func(t *testing.T) {
		status, a, e := fx.post(fx.admin, forecastPath(arm), map[string]any{"type": "AmortizedCost", "timeframe": "MonthToDate",
			"includeActualCost": true, "includeFreshPartialCost": true, "dataset": map[string]any{
				"aggregation": map[string]any{"c": map[string]string{"name": "Cost", "function": "Sum"}},
				"filter":      dims("ResourceLocation", "In", "eastus", "us-west-2")}})
		if status != 200 {
			t.Fatalf("%d %+v", status, e)
		}
		got := forecastRows(t, a)
		own := fx.ownForecast(t, map[string]any{"scope": "mg/apps", "type": "amortized", "filter": "RegionId in (eastus, us-west-2)"})
		n := 0
		for _, s := range own.Series {
			for _, p := range s.Points {
				n++
				if !containsPoint(got, azurePoint{p.Cost, p.Low, p.High, p.Date, string(p.Kind), s.Currency}) {
					t.Errorf("the Azure door lacks %s %s %s", p.Date.Format(time.DateOnly), p.Kind, p.Cost)
				}
			}
		}
		if n != len(got) || n == 0 {
			t.Errorf("%d rows, /api/v1/forecast has %d points", len(got), n)
		}
		want := sumRows(and(inAccounts(fxWeb, fxSub), field(func(r *cost.Row) string { return r.RegionID }, "eastus", "us-west-2")), effective)
		actual := decimal.Zero
		for _, p := range got {
			if p.status == "Actual" {
				actual = actual.Add(p.cost)
			}
		}
		if actual.Cmp(want) != 0 {
			t.Errorf("the actual days sum to %s, the rows to %s", actual, want)
		}
	})
}

// TestAzureForecastRefusesWhatItCannotForecast, and keeps a Reader of one
// account to its rows.
func TestAzureForecastRefusesWhatItCannotForecast(t *testing.T) {
	fx := newAzureFixture(t)
	agg := func(names ...string) map[string]any {
		m := map[string]any{}
		for i, n := range names {
			m["a"+strconv.Itoa(i)] = map[string]string{"name": n, "function": "Sum"}
		}
		return m
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"two costs", map[string]any{"type": "Usage", "timeframe": "MonthToDate", "dataset": map[string]any{"aggregation": agg("Cost", "UsageQuantity")}}, "one cost"},
		{"a quantity", map[string]any{"type": "Usage", "timeframe": "MonthToDate", "dataset": map[string]any{"aggregation": agg("UsageQuantity")}}, "ConsumedQuantity"},
		{"a grouping", map[string]any{"type": "Usage", "timeframe": "MonthToDate", "dataset": map[string]any{"aggregation": agg("Cost"),
			"grouping": []map[string]string{{"type": "Dimension", "name": "ServiceName"}}}}, `"grouping"`},
		{"a monthly forecast", map[string]any{"type": "Usage", "timeframe": "MonthToDate", "dataset": map[string]any{"aggregation": agg("Cost"),
			"granularity": "Monthly"}}, "Daily"},
		{"more than a year", map[string]any{"type": "Usage", "timeframe": "Custom", "dataset": map[string]any{"aggregation": agg("Cost")},
			"timePeriod": map[string]string{"from": "2026-01-01", "to": "2027-01-02"}}, "at most 366 days; timePeriod covers 367"},
		{"a timeframe Reckon does not know", map[string]any{"type": "Usage", "timeframe": "TheLastDecade", "dataset": map[string]any{"aggregation": agg("Cost")}},
			`"TheLastDecade"`},
		{"an unknown dimension", map[string]any{"type": "Usage", "timeframe": "MonthToDate", "dataset": map[string]any{"aggregation": agg("Cost"),
			"filter": dims("Colour", "In", "red")}}, "ResourceLocation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, e := fx.post(fx.admin, forecastPath(rootARM), tc.body)
			if status != 400 || e.Error.Code != cost.EInvalid || !strings.Contains(e.Error.Message, tc.want) {
				t.Errorf("%d %+v, want 400 saying %q", status, e, tc.want)
			}
		})
	}
	body := map[string]any{"type": "ActualCost", "timeframe": "MonthToDate", "includeActualCost": true, "includeFreshPartialCost": true,
		"dataset": map[string]any{"aggregation": agg("Cost"), "filter": dims("SubscriptionId", "NotIn", "nobody")}}
	t.Run("a Reader of one account forecasts its rows alone", func(t *testing.T) {
		status, a, e := fx.post(fx.ana, "/providers/Microsoft.CostManagement/externalSubscriptions/"+fxWeb+"/forecast?api-version=2022-10-01", body)
		if status != 200 {
			t.Fatalf("%d %+v", status, e)
		}
		actual := decimal.Zero
		for _, p := range forecastRows(t, a) {
			if p.status == "Actual" {
				actual = actual.Add(p.cost)
			}
		}
		want := sumRows(and(inAccounts(fxWeb), func(r *cost.Row) bool { return r.ChargePeriodStart.Month() == time.November }), billed)
		if actual.Cmp(want) != 0 {
			t.Errorf("ana's actuals: %s, her rows: %s", actual, want)
		}
		for _, sc := range fxScopes {
			if status, _, _ := fx.post(fx.ana, forecastPath(sc.arm), body); status != 403 {
				t.Errorf("ana at %s: %d, want 403", sc.arm, status)
			}
		}
	})
	var raw json.RawMessage
	if status := fx.do(fx.admin, "POST", "/"+rootARM+"/providers/Microsoft.CostManagement/forecast", body, &raw); status != 400 {
		t.Errorf("no api-version: %d, want 400", status)
	}
}
