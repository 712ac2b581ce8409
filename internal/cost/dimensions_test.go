package cost

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestRowValueReadsEveryDimension(t *testing.T) {
	var r Row
	fields := r.columns()
	for _, name := range Dimensions {
		p, ok := fields[name]
		if !ok {
			t.Errorf("Row.Value does not read %s", name)
			continue
		}
		*p = "v-" + name
	}
	if len(fields) != len(Dimensions) {
		t.Errorf("Row.Value reads %d columns, Dimensions has %d", len(fields), len(Dimensions))
	}
	r.Tags = []Tag{{Key: "env", Value: "prod"}}
	for _, tt := range []struct{ dim, want string }{
		{"ServiceName", "v-ServiceName"}, {"x_UsageType", "v-x_UsageType"}, {"ResourceId", "v-ResourceId"},
		{"tag:env", "prod"}, {"tag:team", ""},
	} {
		d, err := ParseDimension(tt.dim)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Value(d); got != tt.want {
			t.Errorf("Value(%s) = %q, want %q", tt.dim, got, tt.want)
		}
	}
}

func TestValuesTravelAsExactJSON(t *testing.T) {
	in := Values{
		Dimensions: []ValueList{
			{Name: "ServiceName", Values: []DimensionValue{{Value: "Amazon EC2", Currency: "USD", Cost: decimal.MustParse("12345678901.123456789012345678")}}, Count: 3, More: true},
			{Name: "tag:env"},
		},
		TagKeys: &TagKeyList{Keys: []TagKey{{Key: "env", Currency: "EUR", Cost: decimal.MustParse("0.5"), Values: 2}}, Count: 1},
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{"value":"Amazon EC2","cost":12345678901.123456789012345678,"currency":"USD"}`,
		`{"name":"tag:env","values":[],"count":0,"more":false}`,
		`{"name":"tag:env","cost":0.5000000000,"currency":"EUR","values":2}`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %s", data, want)
		}
	}
	var out Values
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	v := out.Dimensions[0].Values[0]
	if v.Cost.Cmp(in.Dimensions[0].Values[0].Cost) != 0 || out.TagKeys.Keys[0].Key != "env" || !out.Dimensions[0].More {
		t.Errorf("round trip: %+v", out)
	}
}

func TestValueSpecFillsTheRangeItLacks(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name        string
		spec        ValueSpec
		from, to    string
		period      Period
		dims, limit int
		tagKeys     bool
	}{
		{"nothing given is month to date, every column and the tag keys", ValueSpec{}, "2026-11-01", "2026-11-26", PeriodCharge, len(Dimensions), 100, true},
		{"a from alone runs to today included", ValueSpec{From: "2026-10-15"}, "2026-10-15", "2026-11-26", PeriodCharge, len(Dimensions), 100, true},
		{"a to alone starts the month before it", ValueSpec{To: "2026-10-01", Dimensions: []string{"regionid"}}, "2026-09-01", "2026-10-01", PeriodCharge, 1, 100, false},
		{"a to within a month starts that month", ValueSpec{To: "2026-10-20", Limit: "7"}, "2026-10-01", "2026-10-20", PeriodCharge, len(Dimensions), 7, true},
		{"a billing timeframe bounds the billing period", ValueSpec{Timeframe: "TheLastBillingMonth", Dimensions: []string{"tag:env"}}, "2026-10-01", "2026-11-01", PeriodBilling, 1, 100, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, vq, err := tt.spec.Build(now)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.From.Format(time.DateOnly) + " " + q.To.Format(time.DateOnly); got != tt.from+" "+tt.to || q.Period != tt.period {
				t.Errorf("range %s %q, want %s %s %q", got, q.Period, tt.from, tt.to, tt.period)
			}
			if len(vq.Dimensions) != tt.dims || vq.Limit != tt.limit || vq.TagKeys != tt.tagKeys || q.Type != CostActual {
				t.Errorf("value query %+v, type %s", vq, q.Type)
			}
		})
	}
}
