package api

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Budgets (cost.Budget): a Reader of a scope lists and reads its budgets
// with where each stands, a Contributor creates, edits and deletes them,
// and every change is audited. A budget on a scope the caller cannot read
// answers NotFound, as one that does not exist.

// budgetRequest is a budget as the caller writes it: the body of POST
// /api/v1/budgets, and of PATCH, where the fields given replace the
// budget's and those left out stay.
type budgetRequest struct {
	Scope         string                `json:"scope" doc:"the scope the budget counts: a management group, subscription, billing or linked account; it cannot change"`
	Name          string                `json:"name" doc:"1-63 letters, digits, - and _, unique on the scope whatever its case"`
	Amount        json.Number           `json:"amount" doc:"the amount for each period, above 0"`
	Currency      string                `json:"currency,omitempty" doc:"the amount's currency, such as USD; by default the scope's one currency. Costs in others are converted with the exchange rates"`
	Measure       string                `json:"measure,omitempty" doc:"BilledCost (actual, the default) or EffectiveCost (amortized)"`
	TimeGrain     string                `json:"timeGrain" doc:"Monthly, Quarterly or Annually: a period is that long from the start date"`
	StartDate     string                `json:"startDate" doc:"the first day of a month, YYYY-MM-DD"`
	EndDate       string                `json:"endDate,omitempty" doc:"YYYY-MM-DD, exclusive; ten years after the start by default"`
	Filter        *string               `json:"filter,omitempty" doc:"a filter expression on the costs counted: ServiceName in (EC2, S3) and tag:env = prod"`
	Notifications []notificationRequest `json:"notifications,omitempty" doc:"up to 5 thresholds and whom to tell"`
}

// notificationRequest is one notification of a budgetRequest.
type notificationRequest struct {
	Name          string      `json:"name,omitempty" doc:"unique in the budget; Actual_GreaterThan_80_Percent by default"`
	Enabled       *bool       `json:"enabled,omitempty" doc:"true by default"`
	Operator      string      `json:"operator" doc:"GreaterThan or GreaterThanOrEqualTo"`
	Threshold     json.Number `json:"threshold" doc:"a percent of the amount, above 0 and at most 1000"`
	ThresholdType string      `json:"thresholdType,omitempty" doc:"Actual (the default): the period's cost so far; Forecasted: its forecast total"`
	ContactEmails []string    `json:"contactEmails,omitempty" doc:"at most 50 addresses"`
	ContactRoles  []string    `json:"contactRoles,omitempty" doc:"Owner, Contributor, Reader: the users with that role on the scope when the alert fires, whose user names are email addresses"`
	Webhooks      []string    `json:"webhooks,omitempty" doc:"at most 10 http or https URLs, POSTed the alert as JSON signed with Reckon-Signature"`
}

// budgetAnswer is a budget with where it stands.
type budgetAnswer struct {
	cost.Budget
	Status  *budget.Status       `json:"status,omitempty"`
	History []budget.PeriodSpend `json:"history,omitempty"`
	// Error says why the budget cannot be measured now (a missing rate).
	Error string `json:"error,omitempty"`
}

// number reads a JSON number into an exact decimal.
func number(what string, n json.Number) (decimal.Decimal, error) {
	if n == "" {
		return decimal.Zero, cost.Errorf(cost.EInvalid, "give the %s", what)
	}
	d, err := decimal.Parse(string(n))
	if err != nil {
		return decimal.Zero, cost.Errorf(cost.EInvalid, "the %s %s is not a number", what, cost.Quote(string(n)))
	}
	return d, nil
}

// day reads a date as YYYY-MM-DD or an RFC 3339 time, in UTC.
func day(what, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, cost.Errorf(cost.EInvalid, "the %s %s is not a date: write YYYY-MM-DD, such as 2026-11-01", what, cost.Quote(s))
}

// notifications reads the requested notifications.
func notifications(reqs []notificationRequest) ([]cost.Notification, error) {
	if len(reqs) > cost.MaxNotifications {
		return nil, cost.Errorf(cost.EInvalid, "a budget has at most %d notifications; got %d", cost.MaxNotifications, len(reqs))
	}
	out := make([]cost.Notification, len(reqs))
	for i, r := range reqs {
		t, err := number("notification's threshold", r.Threshold)
		if err != nil {
			return nil, err
		}
		roles := make([]cost.Role, len(r.ContactRoles))
		for j, role := range r.ContactRoles {
			roles[j] = cost.Role(role)
		}
		out[i] = cost.Notification{Name: r.Name, Enabled: r.Enabled == nil || *r.Enabled, Operator: cost.Operator(r.Operator),
			Threshold: t, ThresholdType: cost.ThresholdType(r.ThresholdType), ContactEmails: nonNil(r.ContactEmails),
			ContactRoles: roles, Webhooks: nonNil(r.Webhooks)}
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apply puts the fields the request gives in b and names them.
func (req *budgetRequest) apply(b *cost.Budget) (changed []string, err error) {
	set := func(name string, given bool, fn func() error) {
		if err == nil && given {
			if err = fn(); err == nil {
				changed = append(changed, name)
			}
		}
	}
	set("name", req.Name != "", func() error { b.Name = req.Name; return nil })
	set("amount", req.Amount != "", func() (e error) { b.Amount, e = number("amount", req.Amount); return e })
	set("currency", req.Currency != "", func() error { b.Currency = strings.ToUpper(req.Currency); return nil })
	set("measure", req.Measure != "", func() error { b.Measure = cost.Measure(req.Measure); return nil })
	set("timeGrain", req.TimeGrain != "", func() error { b.TimeGrain = cost.TimeGrain(req.TimeGrain); return nil })
	set("startDate", req.StartDate != "", func() (e error) { b.StartDate, e = day("startDate", req.StartDate); return e })
	set("endDate", req.EndDate != "", func() (e error) { b.EndDate, e = day("endDate", req.EndDate); return e })
	set("filter", req.Filter != nil, func() error { b.Filter = *req.Filter; return nil })
	set("notifications", req.Notifications != nil, func() (e error) { b.Notifications, e = notifications(req.Notifications); return e })
	return changed, err
}

// createBudget creates a budget, for a Contributor on its scope.
func (s *Server) createBudget(c *call) (any, error) {
	var req budgetRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	if req.Amount == "" {
		return nil, cost.Errorf(cost.EInvalid, "give the budget's amount, such as 1000")
	}
	now := s.clock.Now()
	b := cost.Budget{ID: cost.NewBudgetID(), Scope: scope, Created: now, CreatedBy: c.user, Updated: now, UpdatedBy: c.user,
		Notifications: []cost.Notification{}}
	if _, err := req.apply(&b); err != nil {
		return nil, err
	}
	return s.saveBudget(c, b, "budget.create", "")
}

// saveBudget checks a new or changed budget (its currency against the
// scope's costs and the rates) and stores it, for a Contributor on its
// scope.
func (s *Server) saveBudget(c *call, b cost.Budget, action, detail string) (*budgetAnswer, error) {
	if b.Scope.Kind() == cost.KindConnector { // before its costs are asked for, which would answer Forbidden
		return nil, cost.Errorf(cost.EInvalid, "a connector has no costs of its own: put the budget on its billing account, a linked account or a group")
	}
	// The body's own mistakes are answered first, before the scope's
	// currencies are read (which a missing currency needs).
	probe := b
	if probe.Currency == "" {
		probe.Currency = "USD"
	}
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	currencies, err := budget.Currencies(c.ctx(), s.queryAs(c), b.Scope, s.clock.Now())
	if err != nil {
		return nil, s.budgetAccess(c, err, b.Scope, cost.ActionWrite)
	}
	if b.Currency == "" {
		switch len(currencies) {
		case 0:
			return nil, cost.Errorf(cost.EInvalid, "%s has no costs yet to take the currency from: give the budget's currency, such as USD", b.Scope)
		case 1:
			b.Currency = currencies[0]
		default:
			return nil, cost.Errorf(cost.EInvalid, "%s has costs in %s: give the budget's currency, and exchange rates for the others", b.Scope, strings.Join(currencies, ", "))
		}
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, b.Scope); err != nil {
			return s.budgetAccess(c, err, b.Scope, cost.ActionWrite)
		}
		rates, err := tx.ExchangeRates(ctx)
		if err != nil {
			return err
		}
		if err := budget.CheckRates(currencies, rates, b.Currency); err != nil {
			return err
		}
		if b, err = cost.SaveBudget(ctx, tx, b); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, action, b.Scope, strings.TrimSpace(b.ID+" "+b.Name+" "+detail))
	})
	if err != nil {
		return nil, err
	}
	s.pokeAlerts()
	return s.budgetAnswer(c, b, false), nil
}

// pokeAlerts asks the evaluator to look at the budgets again.
func (s *Server) pokeAlerts() {
	if s.opts.Alerts != nil {
		s.opts.Alerts.Poke()
	}
}

// queryAs answers queries on a scope's view as the caller.
func (s *Server) queryAs(c *call) budget.QueryFunc {
	return func(_ context.Context, scope cost.ScopeID, q *cost.Query) (*cost.Result, error) {
		return s.runQuery(c, scope, q)
	}
}

// budgetAnswer measures the budget as the caller; a budget that cannot be
// measured says why.
func (s *Server) budgetAnswer(c *call, b cost.Budget, history bool) *budgetAnswer {
	var rates cost.Rates
	writer := false
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		writer = cost.Authorize(ctx, r, c.user, cost.ActionWrite, b.Scope) == nil
		rates, err = r.ExchangeRates(ctx)
		return err
	})
	if !writer {
		b = redactWebhooks(b)
	}
	out := &budgetAnswer{Budget: b}
	now := s.clock.Now()
	if p, ok := b.PeriodAt(now); ok && err == nil {
		out.Status, err = budget.Measure(c.ctx(), s.queryAs(c), rates, &b, p, now)
	}
	if history && err == nil {
		out.History, err = budget.History(c.ctx(), s.queryAs(c), rates, &b, now, 12)
	}
	if err != nil {
		out.Error = cost.ErrorMessage(err)
	}
	return out
}

// budgetAccess is an access error in words that name what budgets need.
func (s *Server) budgetAccess(c *call, err error, scope cost.ScopeID, action cost.Action) error {
	if cost.ErrorCode(err) != cost.EForbidden {
		return err
	}
	if action == cost.ActionRead {
		return cost.Errorf(cost.EForbidden, "%s may not read %s: reading its budgets and alerts needs Reader on it", c.user, scope)
	}
	return cost.Errorf(cost.EForbidden, "%s may not change the budgets, alerts or anomaly subscriptions of %s: that needs Contributor on it", c.user, scope)
}

// redactWebhooks cuts the budget's webhook URLs at their query, which may
// hold a token, for a caller who reads the budget but may not change it.
func redactWebhooks(b cost.Budget) cost.Budget {
	ns := make([]cost.Notification, len(b.Notifications))
	for i, n := range b.Notifications {
		hooks := make([]string, len(n.Webhooks))
		for j, w := range n.Webhooks {
			if k := strings.IndexAny(w, "?#"); k >= 0 {
				w = w[:k] + "?…"
			}
			hooks[j] = w
		}
		n.Webhooks = hooks
		ns[i] = n
	}
	b.Notifications = ns
	return b
}
