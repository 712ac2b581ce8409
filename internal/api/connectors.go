package api

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// Collector runs one collection of a connector: it loads the report
// versions that changed and says which accounts the connector's data holds.
type Collector interface {
	Collect(ctx context.Context, c cost.Connector) (*Collection, error)
}

// Collection is what one collection did and found.
type Collection struct {
	Summary        []string       `json:"summary"` // one line per billing period
	Rows           int64          `json:"rows"`    // rows loaded
	BillingAccount cost.Account   `json:"-"`
	Accounts       []cost.Account `json:"-"` // the linked accounts, named from AWS Organizations where allowed
	Warnings       []string       `json:"warnings,omitempty"`
}

type connectorRequest struct {
	Name         string `json:"name" doc:"the connector's name: letters, digits, - and _"`
	DisplayName  string `json:"displayName,omitempty" doc:"display name; the name when empty"`
	RoleARN      string `json:"roleArn" doc:"arn:aws:iam::<management account>:role/<name>"`
	ExternalID   string `json:"externalId" doc:"the external ID in the role's trust policy; write-only"`
	ReportName   string `json:"reportName" doc:"the Cost and Usage Report's name"`
	DefaultGroup string `json:"defaultManagementGroup,omitempty" doc:"where new linked accounts go; mg/root when empty"`
}

// createConnector creates a connector in its trial. The caller needs
// Contributor at the root group, and becomes its Owner.
func (s *Server) createConnector(c *call) (any, error) {
	var req connectorRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.ConnectorID(req.Name)
	if err != nil {
		return nil, err
	}
	if err := validExternalID(req.ExternalID); err != nil {
		return nil, err
	}
	if err := c.require(cost.ActionWrite, cost.RootGroup); err != nil {
		return nil, err
	}
	conn := cost.Connector{ID: id, DisplayName: cmp.Or(req.DisplayName, req.Name), RoleARN: req.RoleARN, ExternalID: req.ExternalID,
		ReportName: req.ReportName, DefaultGroup: cost.ScopeID(req.DefaultGroup), Created: s.clock.Now(), Creator: c.user, State: cost.StateTrial}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if err := conn.Validate(cat.Hierarchy); err != nil {
			return nil, err
		}
		for _, other := range cat.Connectors {
			if other.State != cost.StateDeleted && other.Account() == conn.Account() {
				return nil, cost.Errorf(cost.EConflict, "%s already reads account %s", other.ID, conn.Account())
			}
		}
		scope, owner := cost.ConnectorCreated(id, conn.DisplayName, c.user)
		if err := cat.Hierarchy.Add(scope); err != nil {
			return nil, err
		}
		cat.Assignments = append(cat.Assignments, owner)
		cat.Connectors = append(cat.Connectors, conn)
		return s.audit(c, "connector.create", id, conn.RoleARN), nil
	})
	return s.view(conn), err
}

// validExternalID checks an external ID without ever echoing it.
func validExternalID(s string) error { return iampolicy.ValidExternalID(s) }

// connectorView is a connector as the API shows it: never the external ID,
// with the trial's days left and "Go to billing account".
type connectorView struct {
	cost.Connector
	TrialDaysLeft  int          `json:"trialDaysLeft"`
	BillingAccount cost.ScopeID `json:"billingAccount"`
}

func (s *Server) view(conn cost.Connector) connectorView {
	return connectorView{Connector: conn, TrialDaysLeft: conn.TrialDaysLeft(s.clock.Now()), BillingAccount: conn.BillingAccount()}
}

func (s *Server) listConnectors(c *call) (any, error) {
	out := []connectorView{}
	for _, conn := range c.catalog.Connectors {
		if conn.State != cost.StateDeleted && c.can(cost.ActionRead, conn.ID) {
			out = append(out, s.view(conn))
		}
	}
	return map[string]any{"value": out}, nil
}

// connector finds the connector named in the path, for a caller allowed
// action on it.
func (c *call) connector(action cost.Action) (cost.Connector, error) {
	id, err := cost.ConnectorID(c.r.PathValue("name"))
	if err != nil {
		return cost.Connector{}, err
	}
	if err := c.require(action, id); err != nil {
		return cost.Connector{}, err
	}
	i := slices.IndexFunc(c.catalog.Connectors, func(x cost.Connector) bool { return x.ID == id && x.State != cost.StateDeleted })
	if i < 0 {
		return cost.Connector{}, cost.Errorf(cost.ENotFound, "connector %s does not exist", id)
	}
	return c.catalog.Connectors[i], nil
}

func (s *Server) showConnector(c *call) (any, error) {
	conn, err := c.connector(cost.ActionRead)
	if err != nil {
		return nil, err
	}
	return s.view(conn), nil
}

// collectConnector collects now, for a Contributor on the connector.
func (s *Server) collectConnector(c *call) (any, error) {
	conn, err := c.connector(cost.ActionWrite)
	if err != nil {
		return nil, err
	}
	return s.collect(c.r.Context(), conn, c.user)
}

// CollectResult is what the API answers for a collection.
type CollectResult struct {
	Summary    []string       `json:"summary"`
	Warnings   []string       `json:"warnings,omitempty"`
	Discovered []cost.ScopeID `json:"discovered"`
}

// collect runs one collection of conn and adds what it found: the billing
// account and new linked accounts, with the assignments discovery grants.
// actor is who asked: a user, or "reckon" for the schedule.
func (s *Server) collect(ctx context.Context, conn cost.Connector, actor string) (*CollectResult, error) {
	if !conn.Collects() {
		return nil, cost.Errorf(cost.EConflict, "connector %s is %s and does not collect", conn.ID, conn.State)
	}
	if s.collector == nil {
		return nil, cost.Errorf(cost.EConflict, "this server does not collect")
	}
	res, err := s.collector.Collect(ctx, conn)
	s.metrics.countCollection(string(conn.ID), cost.ErrorCode(err), res)
	if err != nil {
		return nil, err
	}
	out := &CollectResult{Summary: res.Summary, Warnings: res.Warnings, Discovered: []cost.ScopeID{}}
	err = s.store.UpdateCatalog(ctx, func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		scopes, grants, err := cost.Discover(cat.Hierarchy, cost.Discovery{Connector: conn.ID, Creator: conn.Creator,
			BillingAccount: res.BillingAccount, Accounts: res.Accounts, DefaultGroup: conn.DefaultGroup}, cat.Assignments)
		if err != nil {
			return nil, err
		}
		now := s.clock.Now()
		audit := []cost.AuditEntry{{Time: now, User: actor, Action: "connector.collect", Scope: conn.ID}}
		for _, sc := range scopes {
			if err := cat.Hierarchy.Add(sc); err != nil {
				return nil, err
			}
			out.Discovered = append(out.Discovered, sc.ID)
			audit = append(audit, cost.AuditEntry{Time: now, User: "reckon", Action: "scope.discover", Scope: sc.ID, Detail: "by " + string(conn.ID)})
		}
		cat.Assignments = append(cat.Assignments, grants...)
		// Accounts found before take the names and status found now.
		for _, a := range append([]cost.Account{res.BillingAccount}, res.Accounts...) {
			if sc, ok := cat.Hierarchy.Scope(a.ID); ok && sc.Connector == conn.ID && (sc.Name != a.Name || sc.Status != a.Status) {
				if err := cat.Hierarchy.Update(a.ID, a.Name, a.Status); err != nil {
					return nil, err
				}
				audit = append(audit, cost.AuditEntry{Time: now, User: "reckon", Action: "scope.update", Scope: a.ID, Detail: a.Name + ", " + a.Status})
			}
		}
		return audit, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Maintain is the periodic job: it moves every connector's lifecycle on to
// now (a trial ends renewed or disabled; a connector disabled three months
// is deleted, and purged), posts the previous month's connector charges,
// then collects every connector that collects. A connector's
// failure is logged with its code and does not stop the others.
func (s *Server) Maintain(ctx context.Context) error {
	err := s.store.UpdateCatalog(ctx, func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		now := s.clock.Now()
		var audit []cost.AuditEntry
		for i := range cat.Connectors {
			if cat.Connectors[i].Advance(now) {
				audit = append(audit, cost.AuditEntry{Time: now, User: "reckon", Action: "connector.lifecycle",
					Scope: cat.Connectors[i].ID, Detail: "now " + string(cat.Connectors[i].State)})
			}
		}
		return audit, nil
	})
	if err != nil {
		return err
	}
	cat, err := s.store.LoadCatalog(ctx)
	if err != nil {
		return err
	}
	for _, conn := range cat.Connectors {
		if _, ok := cat.Hierarchy.Scope(conn.ID); ok && conn.State == cost.StateDeleted {
			if err := s.purge(ctx, conn); err != nil {
				return err
			}
		}
	}
	if err := s.postCharges(ctx, cat.Connectors); err != nil {
		return err
	}
	for _, conn := range cat.Connectors {
		if !conn.Collects() || s.collector == nil {
			continue
		}
		if _, err := s.collect(ctx, conn, "reckon"); err != nil {
			s.log.Warn("collection failed", "connector", conn.ID, "code", cost.ErrorCode(err), "err", cost.ErrorMessage(err))
		}
	}
	return ctx.Err()
}

// purge removes a deleted connector's data, then its scopes and the
// assignments on them. Data goes first, so that a failure in between leaves
// the scopes for the next run to find and finish.
func (s *Server) purge(ctx context.Context, conn cost.Connector) error {
	rows, err := s.store.DeleteBillingAccount(ctx, conn.Account())
	if err != nil {
		return err
	}
	return s.store.UpdateCatalog(ctx, func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		gone := map[cost.ScopeID]bool{conn.ID: true}
		for _, sc := range cat.Hierarchy.Scopes() {
			if sc.Connector == conn.ID {
				gone[sc.ID] = true
			}
		}
		for id := range gone {
			if err := cat.Hierarchy.Remove(id); err != nil {
				return nil, err
			}
		}
		cat.Assignments = slices.DeleteFunc(cat.Assignments, func(a cost.Assignment) bool { return gone[a.Scope] })
		return []cost.AuditEntry{{Time: s.clock.Now(), User: "reckon", Action: "connector.purge", Scope: conn.ID,
			Detail: fmt.Sprintf("%d scopes and %d cost rows deleted", len(gone), rows)}}, nil
	})
}
