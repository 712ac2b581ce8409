package api

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Alerts (cost.Alert) are read by Readers of their scope and dismissed by
// its Contributors. Exchange rates are read by anyone signed in and set by
// Contributors at the root group: every budget converts with them.
// Anomaly subscriptions are a scope's, like budgets.

// maxAlerts is how many alerts a listing answers, the latest first.
const maxAlerts = 1000

// listAlerts lists the alerts of ?scope=, or of every scope the caller
// reads, narrowed by ?state=, ?kind= and ?budget=.
func (s *Server) listAlerts(c *call) (any, error) {
	params := c.r.URL.Query()
	f := cost.AlertFilter{Kind: cost.AlertKind(params.Get("kind")), Budget: params.Get("budget"), Limit: maxAlerts}
	if st := params.Get("state"); st != "" {
		var err error
		if f.State, err = cost.ParseAlertState(st); err != nil {
			return nil, err
		}
	}
	if f.Kind != "" && f.Kind != cost.AlertBudget && f.Kind != cost.AlertAnomaly {
		return nil, cost.Errorf(cost.EInvalid, "alert kind %s is not budget or anomaly", cost.Quote(string(f.Kind)))
	}
	if sc := params.Get("scope"); sc != "" {
		var err error
		if f.Scope, err = cost.ParseScopeID(sc); err != nil {
			return nil, err
		}
	}
	out := []cost.Alert{}
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if f.Scope != "" {
			if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, f.Scope); err != nil {
				return s.budgetAccess(c, err, f.Scope, cost.ActionRead)
			}
		}
		_, roles, err := s.rolesOver(ctx, r, c.user)
		if err != nil {
			return err
		}
		alerts, err := r.Alerts(ctx, f)
		for _, a := range alerts {
			if roles[a.Scope].Allows(cost.ActionRead) {
				out = append(out, a)
			}
		}
		return err
	})
	return map[string]any{"value": out}, err
}

// showAlert answers one alert, for a Reader of its scope.
func (s *Server) showAlert(c *call) (any, error) {
	var a cost.Alert
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		a, err = c.alert(ctx, r, s, cost.ActionRead)
		return err
	})
	return a, err
}

// dismissAlert marks an active alert dismissed, for a Contributor on its
// scope. It stays dismissed while its cost stays over the threshold.
func (s *Server) dismissAlert(c *call) (any, error) {
	var a cost.Alert
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) (err error) {
		if a, err = c.alert(ctx, tx, s, cost.ActionWrite); err != nil {
			return err
		}
		if a.State != cost.AlertActive {
			return cost.Errorf(cost.EConflict, "alert %s is %s, not active: only an active alert is dismissed", a.ID, a.State)
		}
		now := s.clock.Now()
		a.State, a.Dismissed, a.DismissedBy, a.Updated = cost.AlertDismissed, &now, c.user, now
		if err := tx.PutAlert(ctx, a); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "alert.dismiss", a.Scope, a.ID)
	})
	return a, err
}

// alert reads the alert the path names, for a caller allowed action on its
// scope; one the caller cannot read is NotFound.
func (c *call) alert(ctx context.Context, r cost.CatalogReader, s *Server, action cost.Action) (cost.Alert, error) {
	id, err := cost.ParseAlertID(c.r.PathValue("id"))
	if err != nil {
		return cost.Alert{}, err
	}
	a, ok, err := r.Alert(ctx, id)
	if err != nil {
		return a, err
	}
	return a, c.mayOwned(ctx, r, s, ok, a.Scope, action,
		cost.Errorf(cost.ENotFound, "alert %s does not exist, or its scope is not one you can read: GET /api/v1/alerts lists yours", id))
}

// rateRequest sets an exchange rate.
type rateRequest struct {
	From string      `json:"from" doc:"the currency converted, such as EUR"`
	To   string      `json:"to" doc:"the currency converted into, such as USD"`
	Rate json.Number `json:"rate" doc:"how many To one From is worth, above 0"`
}

// listRates answers the exchange rates.
func (s *Server) listRates(c *call) (any, error) {
	var rates cost.Rates
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		rates, err = r.ExchangeRates(ctx)
		return err
	})
	if rates == nil {
		rates = cost.Rates{}
	}
	return map[string]any{"value": rates}, err
}

// putRate sets an exchange rate, for a Contributor at the root group.
func (s *Server) putRate(c *call) (any, error) {
	var req rateRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	rate, err := number("rate", req.Rate)
	if err != nil {
		return nil, err
	}
	r := cost.ExchangeRate{From: strings.ToUpper(req.From), To: strings.ToUpper(req.To), Rate: rate, Updated: s.clock.Now()}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, cost.RootGroup); err != nil {
			return cost.Errorf(cost.EForbidden, "%s may not set exchange rates: every budget converts with them, so that needs Contributor at mg/root", c.user)
		}
		if err := tx.PutExchangeRate(ctx, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "rate.set", cost.RootGroup, r.From+" "+r.To+" "+r.Rate.String())
	})
	if err != nil {
		return nil, err
	}
	s.pokeAlerts()
	return r, nil
}

// deleteRate deletes the rate ?from=&to=, for a Contributor at the root.
func (s *Server) deleteRate(c *call) (any, error) {
	from, to := strings.ToUpper(c.r.URL.Query().Get("from")), strings.ToUpper(c.r.URL.Query().Get("to"))
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, cost.RootGroup); err != nil {
			return cost.Errorf(cost.EForbidden, "%s may not change exchange rates: that needs Contributor at mg/root", c.user)
		}
		ok, err := tx.DeleteExchangeRate(ctx, from, to)
		if err != nil {
			return err
		}
		if !ok {
			return cost.Errorf(cost.ENotFound, "there is no rate from %s to %s", cost.Quote(from), cost.Quote(to))
		}
		return s.audit(ctx, tx, c, "rate.delete", cost.RootGroup, from+" "+to)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": from + " " + to}, nil
}
