package api

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// anomalySubRequest subscribes people to a scope's anomalies.
type anomalySubRequest struct {
	Scope         string      `json:"scope" doc:"the scope whose anomalies to tell: its total, its services and, at a billing account, its accounts"`
	Name          string      `json:"name" doc:"1-63 letters, digits, - and _"`
	MinImpact     json.Number `json:"minImpact,omitempty" doc:"the least impact worth telling, in the anomaly's currency; 0 by default"`
	ContactEmails []string    `json:"contactEmails,omitempty" doc:"at most 50 addresses"`
	ContactRoles  []string    `json:"contactRoles,omitempty" doc:"Owner, Contributor, Reader of the scope"`
	Webhooks      []string    `json:"webhooks,omitempty" doc:"at most 10 http or https URLs"`
}

// createAnomalySub subscribes to a scope's anomalies, for a Contributor
// on it.
func (s *Server) createAnomalySub(c *call) (any, error) {
	var req anomalySubRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	sub := cost.AnomalySubscription{ID: cost.NewBudgetID(), Scope: scope, Name: req.Name, ContactEmails: nonNil(req.ContactEmails),
		ContactRoles: []cost.Role{}, Webhooks: nonNil(req.Webhooks), Created: s.clock.Now(), CreatedBy: c.user}
	if req.MinImpact != "" {
		if sub.MinImpact, err = number("minImpact", req.MinImpact); err != nil {
			return nil, err
		}
	}
	for _, r := range req.ContactRoles {
		sub.ContactRoles = append(sub.ContactRoles, cost.Role(r))
	}
	if err := sub.Validate(); err != nil {
		return nil, err
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, scope); err != nil {
			return s.budgetAccess(c, err, scope, cost.ActionWrite)
		}
		if _, ok, err := tx.Scope(ctx, scope); err != nil || !ok {
			return cmpErr(err, cost.Errorf(cost.ENotFound, "scope %s does not exist", scope))
		}
		subs, err := tx.AnomalySubscriptions(ctx, scope)
		if err != nil {
			return err
		}
		for _, o := range subs {
			if strings.EqualFold(o.Name, sub.Name) {
				return cost.Errorf(cost.EConflict, "%s already has an anomaly subscription named %s", scope, cost.Quote(sub.Name))
			}
		}
		if len(subs) >= cost.MaxBudgetsPerScope {
			return cost.Errorf(cost.EConflict, "%s has %d anomaly subscriptions, the most a scope may have", scope, len(subs))
		}
		if err := tx.PutAnomalySubscription(ctx, sub); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "anomalySubscription.create", scope, sub.ID+" "+sub.Name)
	})
	if err != nil {
		return nil, err
	}
	s.pokeAlerts()
	return sub, nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// listAnomalySubs lists the anomaly subscriptions of ?scope=.
func (s *Server) listAnomalySubs(c *call) (any, error) {
	scope, err := cost.ParseScopeID(c.r.URL.Query().Get("scope"))
	if err != nil {
		return nil, err
	}
	out := []cost.AnomalySubscription{}
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, scope); err != nil {
			return s.budgetAccess(c, err, scope, cost.ActionRead)
		}
		subs, err := r.AnomalySubscriptions(ctx, scope)
		out = append(out, subs...)
		return err
	})
	return map[string]any{"value": out}, err
}

// deleteAnomalySub deletes an anomaly subscription, for a Contributor on
// its scope.
func (s *Server) deleteAnomalySub(c *call) (any, error) {
	id, err := cost.ParseBudgetID(c.r.PathValue("id"))
	if err != nil {
		return nil, cost.Errorf(cost.ENotFound, "anomaly subscription %s does not exist", cost.Quote(c.r.PathValue("id")))
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		subs, err := tx.AnomalySubscriptions(ctx, "")
		if err != nil {
			return err
		}
		var sub cost.AnomalySubscription
		for _, o := range subs {
			if o.ID == id {
				sub = o
			}
		}
		notFound := cost.Errorf(cost.ENotFound, "anomaly subscription %s does not exist, or its scope is not one you can read", id)
		if err := c.mayOwned(ctx, tx, s, sub.ID != "", sub.Scope, cost.ActionWrite, notFound); err != nil {
			return err
		}
		if _, err := tx.DeleteAnomalySubscription(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "anomalySubscription.delete", sub.Scope, sub.ID+" "+sub.Name)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": id}, nil
}
