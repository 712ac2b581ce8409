package duckstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Budgets, alerts, anomaly subscriptions and exchange rates (migration
// 012). They are read from the database, not from the copy in memory:
// alerts grow, and the evaluator, not requests, reads budgets most.

// scanBody reads a row of an id, a decimal cell and the JSON body, and
// decodes the body into v.
func scanBody[T any](r interface{ Scan(...any) error }, dec *string) (T, error) {
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

func scanBudget(r interface{ Scan(...any) error }) (cost.Budget, error) {
	var amount string
	b, err := scanBody[cost.Budget](r, &amount)
	if err != nil {
		return b, err
	}
	b.Amount, err = decimal.Parse(amount)
	return b, err
}

const budgetSelect = `SELECT id, body, CAST(amount AS VARCHAR) FROM budgets`

// Budget returns the budget with the ID.
func (t *catalogTx) Budget(ctx context.Context, id string) (cost.Budget, bool, error) {
	return one(t.q.QueryRowContext(ctx, budgetSelect+` WHERE id = ?`, id), scanBudget)
}

// Budgets returns the budgets on the scope, or all of them for "".
func (t *catalogTx) Budgets(ctx context.Context, scope cost.ScopeID) ([]cost.Budget, error) {
	return all(ctx, t.q, scanBudget, budgetSelect+` WHERE $1 = '' OR scope = $1 ORDER BY scope, lower(name), name, id`, string(scope))
}

// PutBudget inserts or replaces a budget.
func (t *catalogTx) PutBudget(ctx context.Context, b cost.Budget) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("write budget %s: %w", b.ID, err)
	}
	return t.upsert(ctx, "write budget "+b.ID,
		`UPDATE budgets SET scope = $2, name = $3, amount = CAST($4 AS DECIMAL(38, 18)), currency = $5, body = $6 WHERE id = $1`,
		`INSERT INTO budgets VALUES ($1, $2, $3, CAST($4 AS DECIMAL(38, 18)), $5, $6)`,
		b.ID, string(b.Scope), b.Name, b.Amount.String(), b.Currency, string(body))
}

// DeleteBudget deletes a budget; its alerts stay.
func (t *catalogTx) DeleteBudget(ctx context.Context, id string) (bool, error) {
	n, err := t.exec(ctx, "delete budget "+id, `DELETE FROM budgets WHERE id = ?`, id)
	return n > 0, err
}

func scanAlert(r interface{ Scan(...any) error }) (cost.Alert, error) {
	var key string
	a, err := scanBody[cost.Alert](r, &key)
	a.Key = key
	return a, err
}

// Alert returns the alert with the ID.
func (t *catalogTx) Alert(ctx context.Context, id string) (cost.Alert, bool, error) {
	return one(t.q.QueryRowContext(ctx, `SELECT id, body, key FROM alerts WHERE id = ?`, id), scanAlert)
}

// Alerts returns the alerts the filter selects, the latest fired first.
func (t *catalogTx) Alerts(ctx context.Context, f cost.AlertFilter) ([]cost.Alert, error) {
	var where []string
	var args []any
	add := func(cond, v string) {
		if v != "" {
			args = append(args, v)
			where = append(where, fmt.Sprintf(cond, len(args)))
		}
	}
	add("scope = $%d", string(f.Scope))
	add("kind = $%d", string(f.Kind))
	add("state = $%d", string(f.State))
	add("key = $%d", f.Key)
	add("budget = $%d", f.Budget)
	if !f.Since.IsZero() {
		add("fired >= CAST($%d AS TIMESTAMP)", ts(f.Since))
	}
	q := `SELECT id, body, key FROM alerts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY fired DESC, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
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
	return t.upsert(ctx, "write alert "+a.ID,
		`UPDATE alerts SET kind = $2, scope = $3, state = $4, key = $5, budget = $6, fired = CAST($7 AS TIMESTAMP),
			updated = CAST($8 AS TIMESTAMP), body = $9 WHERE id = $1`,
		`INSERT INTO alerts VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS TIMESTAMP), CAST($8 AS TIMESTAMP), $9)`,
		a.ID, string(a.Kind), string(a.Scope), string(a.State), a.Key, budget, ts(a.Fired), ts(a.Updated), string(body))
}

func scanSubscription(r interface{ Scan(...any) error }) (cost.AnomalySubscription, error) {
	return scanBody[cost.AnomalySubscription](r, nil)
}

// AnomalySubscriptions returns the subscriptions on the scope, or all of
// them for "".
func (t *catalogTx) AnomalySubscriptions(ctx context.Context, scope cost.ScopeID) ([]cost.AnomalySubscription, error) {
	return all(ctx, t.q, scanSubscription, `SELECT id, body FROM anomaly_subscriptions WHERE $1 = '' OR scope = $1
		ORDER BY scope, lower(name), name, id`, string(scope))
}

// PutAnomalySubscription inserts or replaces a subscription.
func (t *catalogTx) PutAnomalySubscription(ctx context.Context, s cost.AnomalySubscription) error {
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("write anomaly subscription %s: %w", s.ID, err)
	}
	return t.upsert(ctx, "write anomaly subscription "+s.ID,
		`UPDATE anomaly_subscriptions SET scope = $2, name = $3, body = $4 WHERE id = $1`,
		`INSERT INTO anomaly_subscriptions VALUES ($1, $2, $3, $4)`, s.ID, string(s.Scope), s.Name, string(body))
}

// DeleteAnomalySubscription deletes a subscription.
func (t *catalogTx) DeleteAnomalySubscription(ctx context.Context, id string) (bool, error) {
	n, err := t.exec(ctx, "delete anomaly subscription "+id, `DELETE FROM anomaly_subscriptions WHERE id = ?`, id)
	return n > 0, err
}

func scanRate(r interface{ Scan(...any) error }) (cost.ExchangeRate, error) {
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
	return all(ctx, t.q, scanRate, `SELECT from_currency, to_currency, CAST(rate AS VARCHAR), updated FROM exchange_rates
		ORDER BY from_currency, to_currency`)
}

// PutExchangeRate sets a rate.
func (t *catalogTx) PutExchangeRate(ctx context.Context, r cost.ExchangeRate) error {
	return t.upsert(ctx, "write the rate from "+r.From+" to "+r.To,
		`UPDATE exchange_rates SET rate = CAST($3 AS DECIMAL(38, 18)), updated = CAST($4 AS TIMESTAMP) WHERE from_currency = $1 AND to_currency = $2`,
		`INSERT INTO exchange_rates VALUES ($1, $2, CAST($3 AS DECIMAL(38, 18)), CAST($4 AS TIMESTAMP))`,
		r.From, r.To, r.Rate.String(), ts(r.Updated))
}

// DeleteExchangeRate deletes a rate.
func (t *catalogTx) DeleteExchangeRate(ctx context.Context, from, to string) (bool, error) {
	n, err := t.exec(ctx, "delete the rate from "+from+" to "+to, `DELETE FROM exchange_rates WHERE from_currency = ? AND to_currency = ?`, from, to)
	return n > 0, err
}

// deleteScopeBudgets deletes the budgets, subscriptions and alerts on a
// scope that goes.
func (t *catalogTx) deleteScopeBudgets(ctx context.Context, scope cost.ScopeID) error {
	for _, table := range []string{"budgets", "anomaly_subscriptions", "alerts"} {
		if _, err := t.exec(ctx, "delete the "+strings.ReplaceAll(table, "_", " ")+" of "+string(scope),
			`DELETE FROM `+table+` WHERE scope = ?`, string(scope)); err != nil {
			return err
		}
	}
	return nil
}

// The copy in memory reads these from the database (see above).

func (c *catalogCopy) tx() *catalogTx { return &catalogTx{q: c.db} }

// Budget returns the budget with the ID.
func (c *catalogCopy) Budget(ctx context.Context, id string) (cost.Budget, bool, error) {
	return c.tx().Budget(ctx, id)
}

// Budgets returns the budgets on the scope, or all of them for "".
func (c *catalogCopy) Budgets(ctx context.Context, scope cost.ScopeID) ([]cost.Budget, error) {
	return c.tx().Budgets(ctx, scope)
}

// Alert returns the alert with the ID.
func (c *catalogCopy) Alert(ctx context.Context, id string) (cost.Alert, bool, error) {
	return c.tx().Alert(ctx, id)
}

// Alerts returns the alerts the filter selects.
func (c *catalogCopy) Alerts(ctx context.Context, f cost.AlertFilter) ([]cost.Alert, error) {
	return c.tx().Alerts(ctx, f)
}

// AnomalySubscriptions returns the subscriptions on the scope.
func (c *catalogCopy) AnomalySubscriptions(ctx context.Context, scope cost.ScopeID) ([]cost.AnomalySubscription, error) {
	return c.tx().AnomalySubscriptions(ctx, scope)
}

// ExchangeRates returns the rates.
func (c *catalogCopy) ExchangeRates(ctx context.Context) (cost.Rates, error) {
	return c.tx().ExchangeRates(ctx)
}
