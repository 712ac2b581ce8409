package budget

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// judge moves the alert of one notification in one period on: it fires
// when the cost first crosses the threshold, is resolved when the cost
// falls back under it, and fires again when it crosses once more. Only a
// change is written, so that an evaluation that finds nothing new leaves
// the catalog as it was. known holds the budget's alerts as read before
// the evaluation: where it says nothing changes, no write transaction is
// opened (each commit moves the store's version on, which empties the
// query cache and the catalog's copy in memory); a change is decided again
// in the transaction, from what it reads.
func (e *Evaluator) judge(ctx context.Context, b *cost.Budget, n *cost.Notification, st *Status, now time.Time, known map[string]cost.Alert) error {
	if !n.Enabled {
		return nil
	}
	key := alertKey(b, n, st.Period)
	if _, _, change := nextAlert(b, n, st, now, known[key]); !change {
		return nil
	}
	var fired *cost.Alert
	event := ""
	err := e.opts.Catalog.Update(ctx, func(tx cost.CatalogTx) error {
		found, err := tx.Alerts(ctx, cost.AlertFilter{Key: key, Limit: 1})
		if err != nil {
			return err
		}
		var cur cost.Alert
		if len(found) > 0 {
			cur = found[0]
		}
		a, ev, change := nextAlert(b, n, st, now, cur)
		if !change {
			return nil
		}
		event = ev
		if err := tx.PutAlert(ctx, a); err != nil {
			return err
		}
		if event != "" {
			fired = &a
		}
		return tx.Audit(ctx, cost.AuditEntry{Time: now, User: Actor, Action: "alert." + string(a.State), Scope: b.Scope, Detail: a.ID + " " + a.Message})
	})
	if err != nil || fired == nil {
		return err
	}
	to := Contacts{Emails: n.ContactEmails, Roles: n.ContactRoles, Webhooks: n.Webhooks}
	return e.deliver(ctx, fired, event, to, budgetEmail(e.opts.BaseURL, b, fired))
}

// nextAlert decides what the notification's alert in the period becomes,
// from the one stored under its key (the zero Alert for none): the alert
// to write and its event ("fired", "refired", or "" for a resolution), or
// change false when it stays as it is.
func nextAlert(b *cost.Budget, n *cost.Notification, st *Status, now time.Time, found cost.Alert) (a cost.Alert, event string, change bool) {
	value := st.Spent
	if n.ThresholdType == cost.ThresholdForecasted {
		value = st.Forecast
	}
	crossed := n.Crosses(value, b.Amount)
	stored := found.ID != ""
	switch {
	case !stored && !crossed:
		return a, "", false
	case !stored:
		a, event = cost.Alert{ID: cost.NewAlertID(), Kind: cost.AlertBudget, Scope: b.Scope, Key: alertKey(b, n, st.Period), Fired: now}, "fired"
	case crossed && found.State == cost.AlertResolved:
		a, event = found, "refired"
		a.State, a.Fired, a.Resolved = cost.AlertActive, now, nil
		a.Dismissed, a.DismissedBy = nil, "" // a new crossing nobody has seen
	case !crossed && found.State != cost.AlertResolved && n.ThresholdType == cost.ThresholdForecasted && now.Before(st.Period.End):
		return a, "", false // a forecast that dips while the period runs is no news: it resolves if the period ends under
	case !crossed && found.State != cost.AlertResolved:
		a = found
		a.State, a.Resolved = cost.AlertResolved, &now
	default:
		return a, "", false // still over, or still under
	}
	if event != "" {
		a.State = cost.AlertActive
	}
	a.Budget = budgetAlert(b, n, st)
	a.Updated, a.Message = now, budgetMessage(b, n, a.Budget, a.State)
	return a, event, true
}

// maxSending bounds the deliveries of one alert that run at once.
const maxSending = 8

// Actor is the user name the evaluator's audit entries carry.
const Actor = "reckon-alerts"

// budgetAlert is what the alert of a notification records.
func budgetAlert(b *cost.Budget, n *cost.Notification, st *Status) *cost.BudgetAlert {
	return &cost.BudgetAlert{BudgetID: b.ID, BudgetName: b.Name, Notification: n.Name, Period: st.Period,
		Operator: n.Operator, Threshold: n.Threshold, ThresholdType: n.ThresholdType, Amount: b.Amount, Currency: b.Currency,
		Spent: st.Spent, Forecast: st.Forecast, Measure: b.Measure, Filter: b.Filter, Rates: st.Rates}
}

// Contacts are whom an alert goes to.
type Contacts struct {
	Emails   []string
	Roles    []cost.Role
	Webhooks []string
}

// deliver sends a fired alert to its contacts and records each delivery
// on the alert.
func (e *Evaluator) deliver(ctx context.Context, a *cost.Alert, event string, to Contacts, mail Email) error {
	if e.opts.Notifier == nil {
		return nil
	}
	addresses, err := e.addresses(ctx, a.Scope, to)
	if err != nil {
		return err
	}
	body, err := webhookBody(e.opts.BaseURL, a, event)
	if err != nil {
		return err
	}
	// Every delivery runs at once, in the order recorded: a webhook that
	// answers slowly, tried five times, holds up no other.
	out := make([]cost.Delivery, len(addresses)+len(to.Webhooks))
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxSending)
	send := func(i int, fn func() cost.Delivery) {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = fn()
		})
	}
	for i, addr := range addresses {
		send(i, func() cost.Delivery {
			d := cost.Delivery{Channel: "email", To: addr, Attempts: 1, Event: event, Status: "delivered"}
			if err := e.opts.Notifier.Email(ctx, addr, mail); err != nil {
				d.Status, d.Error = "failed", cost.ErrorMessage(err)
				e.opts.Log.Warn("alert email failed", "alert", a.ID, "to", addr, "err", d.Error)
			}
			d.Time = e.opts.Clock.Now().UTC()
			return d
		})
	}
	for i, url := range to.Webhooks {
		send(len(addresses)+i, func() cost.Delivery {
			d := e.opts.Notifier.Post(ctx, url, body)
			d.Channel, d.Event = "webhook", event
			if d.Status != "delivered" {
				e.opts.Log.Warn("alert webhook failed", "alert", a.ID, "to", d.To, "attempts", d.Attempts, "err", d.Error)
			}
			return d
		})
	}
	wg.Wait()
	return e.opts.Catalog.Update(ctx, func(tx cost.CatalogTx) error {
		cur, ok, err := tx.Alert(ctx, a.ID)
		if err != nil || !ok {
			return err
		}
		cur.Deliveries = append(cur.Deliveries, out...)
		return tx.PutAlert(ctx, cur)
	})
}

// addresses are the contact emails and the users whose role on the scope
// is one of the contact roles, by their names that are email addresses,
// each once.
func (e *Evaluator) addresses(ctx context.Context, scope cost.ScopeID, to Contacts) ([]string, error) {
	out := append([]string(nil), to.Emails...)
	if len(to.Roles) == 0 {
		return out, nil
	}
	err := e.opts.Catalog.View(ctx, func(r cost.CatalogReader) error {
		users, err := r.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			role, ok, err := cost.RoleOn(ctx, r, u.Name, scope)
			if err != nil {
				return err
			}
			if ok && slices.Contains(to.Roles, role) && cost.CheckEmail(u.Name) == nil && !slices.Contains(out, u.Name) {
				out = append(out, u.Name)
			}
		}
		return nil
	})
	return out, err
}
