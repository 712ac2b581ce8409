package api

import (
	"cmp"
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Jobs runs a connector's collection on demand (jobs.Runner): it loads
// the report versions that changed and registers the accounts found; and
// keeps what each connector's collections found.
type Jobs interface {
	Collect(ctx context.Context, conn cost.Connector, actor string) (*cost.CollectResult, error)
}

// Verifier checks a connector's set-up, as the original's "Verify": an AWS
// connector's role, report and bucket, or a source's storage and exports.
type Verifier interface {
	Verify(ctx context.Context, c cost.Connector) ([]cost.Check, error)
}

type connectorRequest struct {
	Name         string `json:"name" doc:"the connector's name: letters, digits, - and _"`
	Kind         string `json:"kind,omitempty" doc:"aws (the default), azure-export (Azure cost exports in Blob Storage) or focus (FOCUS files in Blob Storage)"`
	DisplayName  string `json:"displayName,omitempty" doc:"display name; the name when empty"`
	RoleARN      string `json:"roleArn,omitempty" doc:"aws: arn:aws:iam::<management account>:role/<name>"`
	ExternalID   string `json:"externalId,omitempty" doc:"aws: the external ID in the role's trust policy; write-only"`
	ReportName   string `json:"reportName,omitempty" doc:"aws: the Cost and Usage Report's name"`
	DefaultGroup string `json:"defaultManagementGroup,omitempty" doc:"where new linked accounts and subscriptions go; mg/root when empty"`
	sourceFields
}

// sourceFields are a source's storage, as create and edit take them.
type sourceFields struct {
	StorageURL     string `json:"storageUrl,omitempty" doc:"a source's storage account blob endpoint: https://<account>.blob.core.windows.net"`
	Container      string `json:"container,omitempty" doc:"a source's container"`
	Prefix         string `json:"prefix,omitempty" doc:"a source's folder in the container (the exports' root folder)"`
	CredentialEnv  string `json:"credentialEnv,omitempty" doc:"the name of the server's environment variable holding the SAS token or account key; never the secret"`
	CredentialType string `json:"credentialType,omitempty" doc:"sas (the default) or key"`
	AccountName    string `json:"accountName,omitempty" doc:"with key: the storage account's name, when the URL does not give it"`
	Bucket         string `json:"bucket,omitempty" doc:"a FOCUS source's S3 bucket, read with roleArn and externalId instead of Blob Storage"`
}

// createConnector creates a connector in its trial, or a source, active at
// once. The caller needs Contributor at the root group, and becomes its
// Owner.
func (s *Server) createConnector(c *call) (any, error) {
	var req connectorRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	id, err := cost.ConnectorID(req.Name)
	if err != nil {
		return nil, err
	}
	conn := cost.Connector{ID: id, Kind: cost.ConnectorKind(cmp.Or(req.Kind, string(cost.ConnectorAWS))), DisplayName: cmp.Or(req.DisplayName, req.Name),
		RoleARN: req.RoleARN, ReportName: req.ReportName, DefaultGroup: cost.ScopeID(req.DefaultGroup), Creator: c.user}
	if conn.IsSource() {
		f := req.sourceFields
		conn.StorageURL, conn.Container, conn.Prefix, conn.CredentialEnv, conn.CredentialType, conn.AccountName, conn.Bucket =
			f.StorageURL, f.Container, f.Prefix, f.CredentialEnv, f.CredentialType, f.AccountName, f.Bucket
		switch {
		case conn.Bucket != "":
			// In S3 it is read as an AWS connector reads its CUR: the role, with the external ID.
			if err := s.validExternalID(req.ExternalID); err != nil {
				return nil, err
			}
			conn.ExternalID = req.ExternalID
		case req.ExternalID != "":
			return nil, cost.Errorf(cost.EInvalid, "a %s source in Blob Storage takes no external ID: name the environment variable holding its credential in credentialEnv", conn.Kind)
		}
		conn = cost.NewSource(conn, s.clock.Now())
	} else {
		if req.sourceFields != (sourceFields{}) {
			return nil, cost.Errorf(cost.EInvalid, "an AWS connector has no storage URL, container, prefix or credential: give kind azure-export or focus for a source")
		}
		if err := s.validExternalID(req.ExternalID); err != nil {
			return nil, err
		}
		conn.ExternalID, conn.Created, conn.State = req.ExternalID, s.clock.Now(), cost.StateTrial
	}
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		if err := cost.Authorize(ctx, tx, c.user, cost.ActionWrite, cost.RootGroup); err != nil {
			return err
		}
		if err := conn.Validate(ctx, tx); err != nil {
			return err
		}
		if err := sameAs(ctx, tx, conn); err != nil {
			return err
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
		return s.audit(ctx, tx, c, "connector.create", id, cmp.Or(conn.RoleARN, conn.Identity()+"/"+conn.Prefix))
	})
	return s.connectorView(conn), err
}

// sameAs refuses a connector that another live one already reads: the
// same AWS account, or the same storage, container and prefix.
func sameAs(ctx context.Context, r cost.CatalogReader, conn cost.Connector) error {
	others, err := r.Connectors(ctx)
	if err != nil {
		return err
	}
	for _, other := range others {
		if other.State == cost.StateDeleted || other.KindOf() != conn.KindOf() || other.Identity() != conn.Identity() {
			continue
		}
		if !conn.IsSource() {
			return cost.Errorf(cost.EConflict, "%s already reads account %s", other.ID, conn.Account())
		}
		if other.Prefix == conn.Prefix {
			return cost.Errorf(cost.EConflict, "%s already reads prefix %s of %s", other.ID, cost.Quote(conn.Prefix), conn.Identity())
		}
	}
	return nil
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

// connectorView is a connector as the API shows it: never the external ID
// (a source holds no secret, only its variable's name), with its kind, the
// trial's days left, "Go to billing account", and what its collections
// found (Connector.Collection).
type connectorView struct {
	cost.Connector
	TrialDaysLeft  int          `json:"trialDaysLeft"`
	BillingAccount cost.ScopeID `json:"billingAccount,omitempty"`
}

func (s *Server) connectorView(conn cost.Connector) connectorView {
	conn.Kind = conn.KindOf()
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
