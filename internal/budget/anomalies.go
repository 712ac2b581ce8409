package budget

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/reckon-finops/reckon/internal/anomaly"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/forecast"
)

// Anomalies are looked for on every billing account and on every scope
// with an anomaly subscription: in each currency, the scope's amortized
// cost (EffectiveCost, so that a commitment bought up front is no spike)
// by service and, at a billing account, by account, day by day, with the
// scope's whole cost where no series of it was flagged that day. A finding
// becomes an alert once, under its key, with its causes: the accounts,
// regions and usage types that moved the most that day.

// The anomaly search's reach.
const (
	anomalyWindow   = 120 // days of history read
	anomalyLookback = 7   // days judged at each evaluation: those missed while down too
	anomalyCauses   = 5   // causes named per anomaly
	causeTop        = 100 // values per dimension read to explain one
)

// anomalyDims are the dimensions a scope's series are split by.
func anomalyDims(scope cost.ScopeID) []string {
	if scope.Kind() == cost.KindBillingAccount {
		return []string{"ServiceName", "SubAccountId"}
	}
	return []string{"ServiceName"}
}

// causeDims are the dimensions an anomaly is explained by.
var causeDims = []string{"SubAccountId", "RegionId", "x_UsageType"}

// AnomalyParams are the detector's settings the evaluator uses.
func AnomalyParams() anomaly.Params {
	p := anomaly.Default()
	p.Lookback = anomalyLookback
	return p
}

// findAnomalies looks for anomalies on every scope that gets them.
func (e *Evaluator) findAnomalies(ctx context.Context, now time.Time) error {
	var scopes []cost.Scope
	var subs []cost.AnomalySubscription
	err := e.opts.Catalog.View(ctx, func(r cost.CatalogReader) (err error) {
		if scopes, err = r.Scopes(ctx); err != nil {
			return err
		}
		subs, err = r.AnomalySubscriptions(ctx, "")
		return err
	})
	if err != nil {
		return err
	}
	for _, s := range scopes {
		mine := slices.DeleteFunc(slices.Clone(subs), func(sub cost.AnomalySubscription) bool { return sub.Scope != s.ID })
		if s.ID.Kind() != cost.KindBillingAccount && len(mine) == 0 {
			continue
		}
		if err := e.scopeAnomalies(ctx, s.ID, mine, now); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.opts.Log.Warn("anomalies not searched", "scope", s.ID, "code", cost.ErrorCode(err), "err", cost.ErrorMessage(err))
		}
	}
	return nil
}

// seriesKey names one series of a scope: a dimension's value in a
// currency, or the scope's whole cost (dimension "").
type seriesKey struct{ currency, dim, value string }

// scopeAnomalies searches one scope and raises an alert per new finding.
func (e *Evaluator) scopeAnomalies(ctx context.Context, scope cost.ScopeID, subs []cost.AnomalySubscription, now time.Time) error {
	today := forecast.DayOf(now)
	from := today.AddDate(0, 0, -anomalyWindow)
	series := map[seriesKey][]anomaly.Day{}
	for i, dim := range anomalyDims(scope) {
		by, err := e.dailyBy(ctx, scope, dim, "", from, today, 0)
		if err != nil {
			return err
		}
		for k, days := range by {
			series[k] = days
			if i == 0 { // every dimension splits the same whole
				whole := seriesKey{currency: k.currency}
				series[whole] = addDays(series[whole], days)
			}
		}
	}
	today = lastComplete(series, today)
	p := AnomalyParams()
	// One incident is one alert: of the series flagged in a currency on a
	// day, the one with the largest impact speaks for the scope (the
	// others are among its causes); the whole cost only when none is. A
	// service's (or an account's) finding counts only from
	// anomalyScopeFloor of the scope's level; the whole cost's own
	// findings keep the detector's thresholds.
	type incident struct {
		k seriesKey
		f anomaly.Finding
	}
	worst := map[string]incident{}
	var order []string
	for _, k := range sortedKeys(series) {
		for _, f := range anomaly.Detect(series[k], today, p) {
			if k.dim != "" && !overScopeFloor(series[seriesKey{currency: k.currency}], f, p.LevelDays) {
				continue
			}
			day := k.currency + " " + f.Date.Format(time.DateOnly)
			cur, seen := worst[day]
			switch {
			case !seen:
				order = append(order, day)
				worst[day] = incident{k, f}
			case cur.k.dim == "" || (k.dim != "" && f.Impact.Abs().Cmp(cur.f.Impact.Abs()) > 0):
				worst[day] = incident{k, f}
			}
		}
	}
	for _, day := range order {
		in := worst[day]
		if in.f.Kind == anomaly.LevelShift {
			// The days after a step are the step's: its first day's alert
			// tells it, unless that day went unflagged.
			told, err := e.toldSince(ctx, scope, in.k, in.f.Date.AddDate(0, 0, -levelShiftDays))
			if err != nil {
				return err
			}
			if told {
				continue
			}
		}
		if err := e.raise(ctx, scope, subs, in.k, in.f, from, today); err != nil {
			return err
		}
	}
	return nil
}

// anomalyScopeFloor is the smallest |impact| of a service's (or an
// account's) finding that makes an incident, as a percentage of the
// scope's level that day: the median of its whole cost over the LevelDays
// (14) days before. A finding large for a noisy service can be tiny for
// the scope, and AWS Cost Anomaly Detection, too, alerts on an impact that
// matters to the monitor. It was chosen on internal/anomaly's tuning seeds
// (TestScopeTune, 0% to 4%): 3% was the largest floor that cost no recall
// there (0.974 of the anomalies of 5% of the scope's day or more, as with
// none) and cut the false incidents of clean scopes from 0.302 to 0.270 a
// scope-month; on the evaluation seeds, 0.339 to 0.292, recall 0.975 to
// 0.973. It does not bring every scope to 1 a month or fewer: most of the
// worst scopes' false incidents are 5% of the scope's day or more, from
// services with heavy-tailed noise, which no floor under the 5%
// reaches. The level is not the weekday's: on a weekend that costs under
// half a weekday, 5% of the day can fall under the floor. evalscope_test.go
// mirrors it as productFloor.
const anomalyScopeFloor = 3

// overScopeFloor reports whether a finding's |impact| is at least
// anomalyScopeFloor percent of the scope's level on its day: the median
// of whole (the scope's whole cost, in the finding's currency) over the n
// days before it; where whole has none of them, any finding is.
func overScopeFloor(whole []anomaly.Day, f anomaly.Finding, n int) bool {
	var costs []decimal.Decimal
	if len(whole) > 0 {
		i := int(f.Date.Sub(whole[0].Date) / (24 * time.Hour))
		for _, d := range whole[max(i-n, 0):min(max(i, 0), len(whole))] {
			costs = append(costs, d.Cost)
		}
	}
	slices.SortFunc(costs, decimal.Decimal.Cmp)
	var level decimal.Decimal
	switch m := len(costs); {
	case m == 0:
	case m%2 == 1:
		level = costs[m/2]
	default:
		level = costs[m/2-1].Add(costs[m/2]).Mul(half)
	}
	return f.Impact.Abs().Mul(decimal.FromInt(100)).Cmp(level.Mul(decimal.FromInt(anomalyScopeFloor))) >= 0
}

var half = decimal.MustParse("0.5")

// levelShiftDays is how long after an anomaly of a series the days of its
// new level are taken for the same incident.
const levelShiftDays = 10

// toldSince reports whether the series has an anomaly alert for a day since
// the date.
func (e *Evaluator) toldSince(ctx context.Context, scope cost.ScopeID, k seriesKey, since time.Time) (bool, error) {
	var told bool
	err := e.opts.Catalog.View(ctx, func(r cost.CatalogReader) error {
		alerts, err := r.Alerts(ctx, cost.AlertFilter{Scope: scope, Kind: cost.AlertAnomaly})
		for _, a := range alerts {
			an := a.Anomaly
			told = told || (an != nil && an.Currency == k.currency && an.Dimension == k.dim && an.Value == k.value && !an.Date.Before(since))
		}
		return err
	})
	return told, err
}

// lastComplete is the day after the last one with any cost in the series,
// up to today: a CUR arrives a day or more late, and the days it has not
// reached yet would look like drops.
func lastComplete(series map[seriesKey][]anomaly.Day, today time.Time) time.Time {
	var last time.Time
	for _, days := range series {
		for i := len(days) - 1; i >= 0; i-- {
			if !days[i].Cost.IsZero() {
				if days[i].Date.After(last) {
					last = days[i].Date
				}
				break
			}
		}
	}
	if last.IsZero() || !last.AddDate(0, 0, 1).Before(today) {
		return today
	}
	return last.AddDate(0, 0, 1)
}

// dailyBy reads a scope's daily amortized cost by a dimension (and its
// ChargeFrequency, to tell recurring charges), under a filter, as a series
// per currency and value over [from, to), missing days zero. top keeps the
// largest values; 0 keeps all.
func (e *Evaluator) dailyBy(ctx context.Context, scope cost.ScopeID, dim, filter string, from, to time.Time, top int) (map[seriesKey][]anomaly.Day, error) {
	q := &cost.Query{Measures: []cost.Measure{cost.MeasureEffective}, From: from, To: to, Granularity: cost.GranularityDaily,
		GroupBy: []cost.Dimension{{Column: dim}}, Top: top}
	if top == 0 {
		q.GroupBy = append(q.GroupBy, cost.Dimension{Column: "ChargeFrequency"})
	}
	if filter != "" {
		where, err := cost.ParseFilter(filter)
		if err != nil {
			return nil, err
		}
		q.Where = where
	}
	res, err := e.Query(ctx, scope, q)
	if err != nil {
		return nil, err
	}
	if res.More {
		e.opts.Log.Warn("anomaly search read part of a scope's series", "scope", scope, "dimension", dim, "rows", len(res.Rows))
	}
	n := int(to.Sub(from) / (24 * time.Hour))
	out := map[seriesKey][]anomaly.Day{}
	for _, row := range res.Rows {
		k := seriesKey{currency: row.Currency, dim: dim, value: row.Groups[0]}
		days, ok := out[k]
		if !ok {
			days = make([]anomaly.Day, n)
			for i := range days {
				days[i].Date = from.AddDate(0, 0, i)
			}
			out[k] = days
		}
		i := int(row.Date.Sub(from) / (24 * time.Hour))
		if i < 0 || i >= n {
			continue
		}
		days[i].Cost = days[i].Cost.Add(row.Cost)
		if len(row.Groups) > 1 && row.Groups[1] == "Recurring" {
			days[i].Recurring = days[i].Recurring.Add(row.Cost)
		}
	}
	return out, nil
}

// addDays adds b to a, day by day; a nil a is zero.
func addDays(a, b []anomaly.Day) []anomaly.Day {
	if a == nil {
		a = make([]anomaly.Day, len(b))
		for i := range b {
			a[i].Date = b[i].Date
		}
	}
	for i := range b {
		a[i].Cost, a[i].Recurring = a[i].Cost.Add(b[i].Cost), a[i].Recurring.Add(b[i].Recurring)
	}
	return a
}

func sortedKeys(m map[seriesKey][]anomaly.Day) []seriesKey {
	keys := make([]seriesKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b seriesKey) int {
		return cmp.Or(cmp.Compare(a.currency, b.currency), cmp.Compare(a.dim, b.dim), cmp.Compare(a.value, b.value))
	})
	return keys
}

// anomalyKey is the key of a series' anomaly on a day.
func anomalyKey(scope cost.ScopeID, k seriesKey, date time.Time) string {
	return fmt.Sprintf("anomaly/%s/%s/%s=%s/%s", scope, k.currency, k.dim, k.value, date.Format(time.DateOnly))
}

// raise stores a finding as an alert, unless it is one already, with its
// causes, and tells the scope's subscribers whose minimum impact it meets.
func (e *Evaluator) raise(ctx context.Context, scope cost.ScopeID, subs []cost.AnomalySubscription, k seriesKey, f anomaly.Finding, from, today time.Time) error {
	key := anomalyKey(scope, k, f.Date)
	var exists bool
	err := e.opts.Catalog.View(ctx, func(r cost.CatalogReader) error {
		found, err := r.Alerts(ctx, cost.AlertFilter{Key: key, Limit: 1})
		exists = len(found) > 0
		return err
	})
	if err != nil || exists {
		return err
	}
	a := &cost.AnomalyAlert{Date: f.Date, Dimension: k.dim, Value: k.value, Type: f.Kind, Currency: k.currency,
		Expected: f.Expected, Actual: f.Actual, Impact: f.Impact, Causes: []cost.AnomalyCause{}}
	if a.Causes, err = e.causes(ctx, scope, k, f, from, today); err != nil {
		return err
	}
	now := e.opts.Clock.Now().UTC()
	alert := cost.Alert{ID: cost.NewAlertID(), Kind: cost.AlertAnomaly, Scope: scope, State: cost.AlertActive, Key: key,
		Anomaly: a, Fired: now, Updated: now, Message: anomalyMessage(scope, a), Deliveries: []cost.Delivery{}}
	err = e.opts.Catalog.Update(ctx, func(tx cost.CatalogTx) error {
		found, err := tx.Alerts(ctx, cost.AlertFilter{Key: key, Limit: 1})
		if err != nil || len(found) > 0 {
			return err
		}
		if err := tx.PutAlert(ctx, alert); err != nil {
			return err
		}
		return tx.Audit(ctx, cost.AuditEntry{Time: now, User: Actor, Action: "alert.active", Scope: scope, Detail: alert.ID + " " + alert.Message})
	})
	if err != nil {
		return err
	}
	var to Contacts
	for _, s := range subs {
		if f.Impact.Abs().Cmp(s.MinImpact) >= 0 {
			to.Emails = appendNew(to.Emails, s.ContactEmails...)
			to.Roles = appendNew(to.Roles, s.ContactRoles...)
			to.Webhooks = appendNew(to.Webhooks, s.Webhooks...)
		}
	}
	return e.deliver(ctx, &alert, "fired", to, anomalyEmail(e.opts.BaseURL, &alert))
}

func appendNew[T comparable](s []T, vs ...T) []T {
	for _, v := range vs {
		if !slices.Contains(s, v) {
			s = append(s, v)
		}
	}
	return s
}

// causes explains a finding by the dimension values that moved the most
// that day, within its series.
func (e *Evaluator) causes(ctx context.Context, scope cost.ScopeID, k seriesKey, f anomaly.Finding, from, today time.Time) ([]cost.AnomalyCause, error) {
	filter := "BillingCurrency = " + quoteValue(k.currency)
	if k.dim != "" {
		filter += " and " + k.dim + " = " + quoteValue(k.value)
	}
	breakdown := map[string]map[string][]anomaly.Day{}
	for _, dim := range causeDims {
		if dim == k.dim {
			continue
		}
		by, err := e.dailyBy(ctx, scope, dim, filter, from, today, causeTop)
		if err != nil {
			return nil, err
		}
		values := map[string][]anomaly.Day{}
		for sk, days := range by {
			if sk.value != "" && sk.value != cost.Others {
				values[sk.value] = days
			}
		}
		breakdown[dim] = values
	}
	out := []cost.AnomalyCause{}
	for _, c := range anomaly.Explain(f, breakdown, today, AnomalyParams(), anomalyCauses) {
		out = append(out, cost.AnomalyCause{Dimension: c.Dimension, Value: c.Value, Expected: c.Expected, Actual: c.Actual, Impact: c.Impact})
	}
	return out, nil
}

// anomalyMessage says what an anomaly is, in a sentence.
func anomalyMessage(scope cost.ScopeID, a *cost.AnomalyAlert) string {
	what := "the whole cost of " + string(scope)
	if a.Dimension != "" {
		what = a.Dimension + " " + a.Value + " on " + string(scope)
	}
	verb := map[string]string{anomaly.Spike: "cost more than usual", anomaly.Drop: "cost less than usual",
		anomaly.New: "started to cost"}[a.Type]
	return fmt.Sprintf("Anomaly: %s %s on %s: %s against %s expected (%s%s)", what, verb, a.Date.Format(time.DateOnly),
		money(a.Actual, a.Currency), money(a.Expected, a.Currency), sign(a.Impact), money(a.Impact, a.Currency))
}

func sign(d decimal.Decimal) string {
	if d.Sign() > 0 {
		return "+"
	}
	return ""
}
