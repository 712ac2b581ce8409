package pgcatalog

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Budgets, alerts, anomaly subscriptions and exchange rates: a row each,
// money in NUMERIC columns, the rest as JSON whose numbers are exact text.

// scanBody reads a row of an id, the JSON body and, when dec is not nil, a
// decimal cell as text, and decodes the body.
func scanBody[T any](r scanner, dec *string) (T, error) {
	var v T
	var id, body string
	dest := []any{&id, &body}
	if dec != nil {
		dest = append(dest, dec)
	}
	if err := r.Scan(dest...); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return v, fmt.Errorf("the JSON of %s: %w", id, err)
	}
	return v, nil
}

func scanBudget(r scanner) (cost.Budget, error) {
	var amount string
	b, err := scanBody[cost.Budget](r, &amount)
	if err != nil {
		return b, err
	}
	b.Amount, err = decimal.Parse(amount)
	return b, err
}

const budgetSelect = `SELECT id, body, amount::text FROM budgets`

// Budget returns the budget with the ID.
func (t *catalogTx) Budget(ctx context.Context, id string) (cost.Budget, bool, error) {
	return one(t.q.QueryRow(ctx, budgetSelect+` WHERE id = $1`, id), scanBudget)
}

// Budgets returns the budgets on the scope, or all of them for "".
func (t *catalogTx) Budgets(ctx context.Context, scope cost.ScopeID) ([]cost.Budget, error) {
	bs, err := all(ctx, t.q, scanBudget, budgetSelect+` WHERE $1 = '' OR scope = $1`, string(scope))
	return byFoldedName(bs, budgetKey), err
}

// PutBudget inserts or replaces a budget.
func (t *catalogTx) PutBudget(ctx context.Context, b cost.Budget) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("write budget %s: %w", b.ID, err)
	}
	_, err = t.exec(ctx, "write budget "+b.ID, `INSERT INTO budgets (id, scope, name, amount, currency, body)
		VALUES ($1, $2, $3, $4::numeric, $5, $6)
		ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, name = excluded.name, amount = excluded.amount,
			currency = excluded.currency, body = excluded.body`,
		b.ID, string(b.Scope), b.Name, b.Amount.String(), b.Currency, string(body))
	return err
}

// DeleteBudget deletes a budget; its alerts stay.
func (t *catalogTx) DeleteBudget(ctx context.Context, id string) (bool, error) {
	return t.deleted(ctx, "delete budget "+id, `DELETE FROM budgets WHERE id = $1`, id)
}

func scanAlert(r scanner) (cost.Alert, error) {
	var key string
	a, err := scanBody[cost.Alert](r, &key)
	a.Key = key
	return a, err
}

// Alert returns the alert with the ID.
func (t *catalogTx) Alert(ctx context.Context, id string) (cost.Alert, bool, error) {
	return one(t.q.QueryRow(ctx, `SELECT id, body, key FROM alerts WHERE id = $1`, id), scanAlert)
}

// Alerts returns the alerts the filter selects, the latest fired first.
func (t *catalogTx) Alerts(ctx context.Context, f cost.AlertFilter) ([]cost.Alert, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	for _, c := range []struct{ col, v string }{{"scope", string(f.Scope)}, {"kind", string(f.Kind)},
		{"state", string(f.State)}, {"key", f.Key}, {"budget", f.Budget}} {
		if c.v != "" {
			add(c.col+" = $%d", c.v)
		}
	}
	if !f.Since.IsZero() {
		add("fired >= $%d", ts(f.Since))
	}
	q := `SELECT id, body, key FROM alerts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY fired DESC, id`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	return all(ctx, t.q, scanAlert, q, args...)
}

// PutAlert inserts or replaces an alert.
func (t *catalogTx) PutAlert(ctx context.Context, a cost.Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("write alert %s: %w", a.ID, err)
	}
	budget := ""
	if a.Budget != nil {
		budget = a.Budget.BudgetID
	}
	_, err = t.exec(ctx, "write alert "+a.ID, `INSERT INTO alerts (id, kind, scope, state, key, budget, fired, updated, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, scope = excluded.scope, state = excluded.state, key = excluded.key,
			budget = excluded.budget, fired = excluded.fired, updated = excluded.updated, body = excluded.body`,
		a.ID, string(a.Kind), string(a.Scope), string(a.State), a.Key, budget, ts(a.Fired), ts(a.Updated), string(body))
	return err
}

func scanSubscription(r scanner) (cost.AnomalySubscription, error) {
	return scanBody[cost.AnomalySubscription](r, nil)
}

// AnomalySubscriptions returns the subscriptions on the scope, or all of
// them for "".
func (t *catalogTx) AnomalySubscriptions(ctx context.Context, scope cost.ScopeID) ([]cost.AnomalySubscription, error) {
	ss, err := all(ctx, t.q, scanSubscription, `SELECT id, body FROM anomaly_subscriptions WHERE $1 = '' OR scope = $1`, string(scope))
	return byFoldedName(ss, subscriptionKey), err
}

// PutAnomalySubscription inserts or replaces a subscription.
func (t *catalogTx) PutAnomalySubscription(ctx context.Context, s cost.AnomalySubscription) error {
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("write anomaly subscription %s: %w", s.ID, err)
	}
	_, err = t.exec(ctx, "write anomaly subscription "+s.ID, `INSERT INTO anomaly_subscriptions (id, scope, name, body)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, name = excluded.name, body = excluded.body`,
		s.ID, string(s.Scope), s.Name, string(body))
	return err
}

// DeleteAnomalySubscription deletes a subscription.
func (t *catalogTx) DeleteAnomalySubscription(ctx context.Context, id string) (bool, error) {
	return t.deleted(ctx, "delete anomaly subscription "+id, `DELETE FROM anomaly_subscriptions WHERE id = $1`, id)
}

func scanRate(r scanner) (cost.ExchangeRate, error) {
	var x cost.ExchangeRate
	var rate string
	if err := r.Scan(&x.From, &x.To, &rate, &x.Updated); err != nil {
		return x, err
	}
	x.Updated = x.Updated.UTC()
	var err error
	x.Rate, err = decimal.Parse(rate)
	return x, err
}

// ExchangeRates returns the rates by From and To.
func (t *catalogTx) ExchangeRates(ctx context.Context) (cost.Rates, error) {
	return all(ctx, t.q, scanRate, `SELECT from_currency, to_currency, rate::text, updated FROM exchange_rates
		ORDER BY from_currency, to_currency`)
}

// PutExchangeRate sets a rate.
func (t *catalogTx) PutExchangeRate(ctx context.Context, r cost.ExchangeRate) error {
	_, err := t.exec(ctx, "write the rate from "+r.From+" to "+r.To, `INSERT INTO exchange_rates (from_currency, to_currency, rate, updated)
		VALUES ($1, $2, $3::numeric, $4)
		ON CONFLICT (from_currency, to_currency) DO UPDATE SET rate = excluded.rate, updated = excluded.updated`,
		r.From, r.To, r.Rate.String(), ts(r.Updated))
	return err
}

// DeleteExchangeRate deletes a rate.
func (t *catalogTx) DeleteExchangeRate(ctx context.Context, from, to string) (bool, error) {
	return t.deleted(ctx, "delete the rate from "+from+" to "+to,
		`DELETE FROM exchange_rates WHERE from_currency = $1 AND to_currency = $2`, from, to)
}
