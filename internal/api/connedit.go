package api

import (
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
)

type connectorEdit struct {
	DisplayName         *string `json:"displayName,omitempty" doc:"display name"`
	RoleARN             *string `json:"roleArn,omitempty" doc:"a role in the same account; another account needs a new connector"`
	ExternalID          *string `json:"externalId,omitempty" doc:"a new external ID; write-only"`
	ReportName          *string `json:"reportName,omitempty" doc:"the Cost and Usage Report's name"`
	DefaultGroup        *string `json:"defaultManagementGroup,omitempty" doc:"where new linked accounts go"`
	BillingSubscription *string `json:"billingSubscription,omitempty" doc:"the Azure subscription scope to bill; with it the connector renews"`
	StorageURL          *string `json:"storageUrl,omitempty" doc:"a source's storage account; it cannot change"`
	Container           *string `json:"container,omitempty" doc:"a source's container; it cannot change"`
	Prefix              *string `json:"prefix,omitempty" doc:"a source's folder in the container"`
	CredentialEnv       *string `json:"credentialEnv,omitempty" doc:"the name of the server's environment variable holding a source's credential"`
	CredentialType      *string `json:"credentialType,omitempty" doc:"sas or key"`
	AccountName         *string `json:"accountName,omitempty" doc:"with key: the storage account's name"`
	Bucket              *string `json:"bucket,omitempty" doc:"a FOCUS source's S3 bucket; it cannot change"`
}

// storageChanged reports whether the edit touches what a source reads or
// how: the source is verified again after.
func (e *connectorEdit) storageChanged() bool {
	return e.StorageURL != nil || e.Container != nil || e.Prefix != nil || e.CredentialEnv != nil || e.CredentialType != nil || e.AccountName != nil || e.Bucket != nil
}

// apply returns conn with the edit's fields set, checked: the account in
// the role ARN is the connector's identity and cannot change; naming a
// billing subscription renews it, unless it was deleted.
func (e *connectorEdit) apply(ctx context.Context, r cost.ScopeReader, conn cost.Connector) (cost.Connector, error) {
	edited := conn
	if e.DisplayName != nil && *e.DisplayName == "" {
		return edited, cost.Errorf(cost.EInvalid, "the display name is empty: give one, or leave it out to keep %s", cost.Quote(conn.DisplayName))
	}
	set(&edited.DisplayName, e.DisplayName)
	set(&edited.RoleARN, e.RoleARN)
	set(&edited.ExternalID, e.ExternalID)
	set(&edited.ReportName, e.ReportName)
	set(&edited.StorageURL, e.StorageURL)
	set(&edited.Container, e.Container)
	set(&edited.Prefix, e.Prefix)
	set(&edited.CredentialEnv, e.CredentialEnv)
	set(&edited.CredentialType, e.CredentialType)
	set(&edited.AccountName, e.AccountName)
	set(&edited.Bucket, e.Bucket)
	if edited.IsSource() {
		edited = cost.NewSource(edited, conn.Created)
		edited.State = conn.State
	}
	if e.DefaultGroup != nil {
		edited.DefaultGroup = cost.ScopeID(*e.DefaultGroup)
	}
	if err := conn.CheckEdit(&edited); err != nil {
		return edited, err
	}
	if err := edited.Validate(ctx, r); err != nil {
		return edited, err
	}
	if e.BillingSubscription != nil {
		if err := edited.Renew(ctx, cost.ScopeID(*e.BillingSubscription), r); err != nil {
			return edited, err
		}
	}
	return edited, nil
}

// editConnector changes a connector's settings (Contributor on it), and
// verifies it again when its AWS side changed.
func (s *Server) editConnector(c *call) (any, error) {
	var req connectorEdit
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	if req.ExternalID != nil {
		if err := s.validExternalID(*req.ExternalID); err != nil {
			return nil, err
		}
	}
	var edited cost.Connector
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		conn, err := c.connector(ctx, tx, cost.ActionWrite)
		if err != nil {
			return err
		}
		if edited, err = req.apply(ctx, tx, conn); err != nil {
			return err
		}
		if err := tx.PutConnector(ctx, edited); err != nil {
			return err
		}
		if edited.DisplayName != conn.DisplayName {
			// The connector's scope shows the same name in scope lists.
			err := cost.RenameScope(ctx, tx, conn.ID, edited.DisplayName)
			if err != nil && cost.ErrorCode(err) != cost.ENotFound {
				return err
			}
		}
		return s.audit(ctx, tx, c, "connector.edit", conn.ID, "") // what changed may include the external ID
	})
	if err != nil {
		return nil, err
	}
	out := editResult{connectorView: s.connectorView(edited)}
	if s.opts.Verifier != nil && (req.RoleARN != nil || req.ExternalID != nil || req.ReportName != nil || req.storageChanged()) {
		// The AWS side or the storage changed: verify it again, as the original did.
		checks, err := s.opts.Verifier.Verify(c.ctx(), edited)
		if err != nil {
			return nil, err
		}
		out.Verification = &verification{Checks: checks}
	}
	return out, nil
}

// verification is the outcome of a connector's verification, in the order
// the checks ran.
type verification struct {
	Checks []cost.Check `json:"checks"`
}

// editResult is the edited connector and, when its AWS side changed, the
// verification that followed.
type editResult struct {
	connectorView
	Verification *verification `json:"verification,omitempty"`
}

func set(field *string, v *string) {
	if v != nil {
		*field = *v
	}
}

// deleteConnector deletes a connector (Owner on it): it stops collecting at
// once, and the next periodic job removes its scopes and data.
func (s *Server) deleteConnector(c *call) (any, error) {
	var id cost.ScopeID
	err := s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		conn, err := c.connector(ctx, tx, cost.ActionManageAccess)
		if err != nil {
			return err
		}
		id, conn.State = conn.ID, cost.StateDeleted
		if err := tx.PutConnector(ctx, conn); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "connector.delete", conn.ID, "")
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": id}, nil
}

// verifyConnector checks the connector's AWS set-up (Contributor on it).
func (s *Server) verifyConnector(c *call) (any, error) {
	conn, err := s.readConnector(c, cost.ActionVerify)
	if err != nil {
		return nil, err
	}
	if s.opts.Verifier == nil {
		return nil, cost.Errorf(cost.EConflict, "this server does not verify connectors")
	}
	checks, err := s.opts.Verifier.Verify(c.ctx(), conn)
	if err != nil {
		return nil, err
	}
	return verification{Checks: checks}, nil
}
