package api

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// dimensionParams are the query parameters GET /api/v1/dimensions reads.
var dimensionParams = []string{"scope", "from", "to", "timeframe", "type", "search", "limit", "dimension"}

// dimensionsAnswer is the answer of GET /api/v1/dimensions.
type dimensionsAnswer struct {
	Scope      cost.ScopeID     `json:"scope"`
	From       string           `json:"from"` // YYYY-MM-DD, inclusive
	To         string           `json:"to"`   // YYYY-MM-DD, exclusive
	Period     cost.Period      `json:"period,omitempty"`
	Type       cost.CostType    `json:"type"`
	Dimensions []cost.ValueList `json:"dimensions"`
	TagKeys    *cost.TagKeyList `json:"tagKeys,omitempty"`
}

// dimensions lists, for a caller with Reader on the scope, the values each
// dimension takes in the scope's rows over the period, with their cost,
// largest first. The values come only from the rows the scope's view
// covers (overView), so a Reader of one account learns nothing of another.
func (s *Server) dimensions(c *call) (any, error) {
	params := c.r.URL.Query()
	for name, vs := range params {
		if !slices.Contains(dimensionParams, name) {
			return nil, cost.Errorf(cost.EInvalid, "unknown parameter %s: use %s", cost.Quote(name), strings.Join(dimensionParams, ", "))
		}
		if len(vs) > 1 && name != "dimension" {
			return nil, cost.Errorf(cost.EInvalid, "parameter %s is given %d times: give it once", name, len(vs))
		}
	}
	if params.Get("scope") == "" {
		return nil, cost.Errorf(cost.EInvalid, "give ?scope=, the scope whose dimension values to list, e.g. aws/accounts/123456789012")
	}
	scope, err := cost.ParseScopeID(params.Get("scope"))
	if err != nil {
		return nil, err
	}
	q, err := valuesRange(params, s.clock.Now())
	if err != nil {
		return nil, err
	}
	vq, err := valueQuery(params)
	if err != nil {
		return nil, err
	}
	var values *cost.Values
	err = s.overView(c, scope, q, func(on *cost.Query) error {
		if on == nil { // nothing below it yet
			values = noValues(vq)
			return nil
		}
		values, err = s.costs.Values(c.ctx(), on, vq)
		return err
	})
	if err != nil {
		return nil, err
	}
	return dimensionsAnswer{Scope: scope, From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly),
		Period: q.Period, Type: q.Type, Dimensions: values.Dimensions, TagKeys: values.TagKeys}, nil
}

// valuesRange is the query whose rows the values come from: ?from= and
// ?to= (or ?timeframe=), month to date by default. A missing end is
// filled: to is tomorrow (today included), from the first of the month
// before to.
func valuesRange(params url.Values, now time.Time) (*cost.Query, error) {
	spec := cost.QuerySpec{From: params.Get("from"), To: params.Get("to"), Timeframe: params.Get("timeframe"), Type: params.Get("type")}
	if spec.Timeframe == "" {
		switch {
		case spec.From == "" && spec.To == "":
			spec.Timeframe = string(cost.TimeframeMonthToDate)
		case spec.To == "":
			now = now.UTC()
			spec.To = time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		case spec.From == "":
			if to, err := time.Parse(time.DateOnly, spec.To); err == nil {
				last := to.AddDate(0, 0, -1)
				spec.From = time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			} // else Build says what is wrong with to
		}
	}
	return spec.Build(now)
}

// valueQuery reads which dimensions to list and how: every column and the
// tag keys, unless ?dimension= names some (a column or tag:KEY).
func valueQuery(params url.Values) (cost.ValueQuery, error) {
	vq := cost.ValueQuery{Search: params.Get("search"), Limit: cost.DefaultValueLimit}
	if l := params.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > cost.MaxValueLimit {
			return vq, cost.Errorf(cost.EInvalid, "limit %s: give a whole number from 1 to %d", cost.Quote(l), cost.MaxValueLimit)
		}
		vq.Limit = n
	}
	names := params["dimension"]
	if len(names) == 0 {
		vq.TagKeys = true
		names = cost.Dimensions
	}
	for _, name := range names {
		d, err := cost.ParseDimension(name)
		if err != nil {
			return vq, err
		}
		if d.Column == "" && strings.ContainsAny(d.Tag, `"\`) {
			return vq, cost.Errorf(cost.EInvalid, "tag key %s contains a quote or backslash, which AWS and Azure tag keys cannot", cost.Quote(d.Tag))
		}
		vq.Dimensions = append(vq.Dimensions, d)
	}
	return vq, vq.Validate()
}

// noValues is the answer for a scope whose view covers no rows.
func noValues(vq cost.ValueQuery) *cost.Values {
	out := &cost.Values{}
	for _, d := range vq.Dimensions {
		out.Dimensions = append(out.Dimensions, cost.ValueList{Name: d.Name()})
	}
	if vq.TagKeys {
		out.TagKeys = &cost.TagKeyList{}
	}
	return out
}
