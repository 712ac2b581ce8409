package api

import (
	"cmp"
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Jobs runs a connector's collection on demand (jobs.Runner): it loads
// the report versions that changed and registers the accounts found.
type Jobs interface {
	Collect(ctx context.Context, conn cost.Connector, actor string) (*cost.CollectResult, error)
}

// Verifier checks a connector's AWS set-up, as the original's "Verify".
type Verifier interface {
	Verify(ctx context.Context, c cost.Connector) ([]cost.Check, error)
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
	if err := s.validExternalID(req.ExternalID); err != nil {
		return nil, err
	}
	conn := cost.Connector{ID: id, DisplayName: cmp.Or(req.DisplayName, req.Name), RoleARN: req.RoleARN, ExternalID: req.ExternalID,
		ReportName: req.ReportName, DefaultGroup: cost.ScopeID(req.DefaultGroup), Created: s.clock.Now(), Creator: c.user, State: cost.StateTrial}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, cost.RootGroup); err != nil {
			return err
		}
		if err := conn.Validate(ctx, tx); err != nil {
			return err
		}
		others, err := tx.Connectors(ctx)
		if err != nil {
			return err
		}
		for _, other := range others {
			if other.State != cost.StateDeleted && other.Account() == conn.Account() {
				return cost.Errorf(cost.EConflict, "%s already reads account %s", other.ID, conn.Account())
			}
		}
		scope, owner := cost.ConnectorCreated(id, conn.DisplayName, c.user)
		if err := cost.AddScope(ctx, tx, scope); err != nil {
			return err
		}
		if err := tx.AddAssignment(ctx, owner); err != nil {
			return err
		}
		if err := tx.PutConnector(ctx, conn); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "connector.create", id, conn.RoleARN)
	})
	return s.connectorView(conn), err
}

// validExternalID checks an external ID without ever echoing it.
func (s *Server) validExternalID(id string) error {
	if s.opts.ValidExternalID != nil {
		return s.opts.ValidExternalID(id)
	}
	if id == "" {
		return cost.Errorf(cost.EInvalid, "the external ID is empty: give the one in the role's trust policy")
	}
	return nil
}

// connectorView is a connector as the API shows it: never the external ID,
// with the trial's days left and "Go to billing account".
type connectorView struct {
	cost.Connector
	TrialDaysLeft  int          `json:"trialDaysLeft"`
	BillingAccount cost.ScopeID `json:"billingAccount"`
}

func (s *Server) connectorView(conn cost.Connector) connectorView {
	return connectorView{Connector: conn, TrialDaysLeft: conn.TrialDaysLeft(s.clock.Now()), BillingAccount: conn.BillingAccount()}
}

func (s *Server) listConnectors(c *call) (any, error) {
	out := []connectorView{}
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		conns, err := r.Connectors(ctx)
		if err != nil {
			return err
		}
		mine, err := r.Assignments(ctx, cost.AssignmentFilter{User: c.user})
		if err != nil {
			return err
		}
		// A connector is outside the tree: its own assignments are all.
		scopes := make([]cost.Scope, len(conns))
		for i, conn := range conns {
			scopes[i] = cost.Scope{ID: conn.ID}
		}
		roles := cost.RolesOver(c.user, scopes, mine)
		for _, conn := range conns {
			if conn.State != cost.StateDeleted && roles[conn.ID].Allows(cost.ActionRead) {
				out = append(out, s.connectorView(conn))
			}
		}
		return nil
	})
	return map[string]any{"value": out}, err
}

// connector reads the connector named in the path, for a caller allowed
// action on it, in the transaction r.
func (c *call) connector(ctx context.Context, r cost.CatalogReader, action cost.Action) (cost.Connector, error) {
	id, err := cost.ConnectorID(c.r.PathValue("name"))
	if err != nil {
		return cost.Connector{}, err
	}
	if err := cost.Authorize(ctx, r, c.user, action, id); err != nil {
		return cost.Connector{}, err
	}
	conn, ok, err := r.Connector(ctx, id)
	if err != nil {
		return cost.Connector{}, err
	}
	if !ok || conn.State == cost.StateDeleted {
		return cost.Connector{}, cost.Errorf(cost.ENotFound, "connector %s does not exist", id)
	}
	return conn, nil
}

// readConnector reads the path's connector for a caller allowed action.
func (s *Server) readConnector(c *call, action cost.Action) (conn cost.Connector, err error) {
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		conn, err = c.connector(ctx, r, action)
		return err
	})
	return conn, err
}

func (s *Server) showConnector(c *call) (any, error) {
	conn, err := s.readConnector(c, cost.ActionRead)
	if err != nil {
		return nil, err
	}
	return s.connectorView(conn), nil
}

// collectConnector collects now, for a Contributor on the connector.
func (s *Server) collectConnector(c *call) (any, error) {
	conn, err := s.readConnector(c, cost.ActionWrite)
	if err != nil {
		return nil, err
	}
	if s.opts.Jobs == nil {
		return nil, cost.Errorf(cost.EConflict, "this server does not collect")
	}
	return s.opts.Jobs.Collect(c.ctx(), conn, c.user)
}
