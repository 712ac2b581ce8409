package api

import (
	"context"
	"slices"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// Verifier checks a connector's AWS set-up, as the original's "Verify".
type Verifier interface {
	Verify(ctx context.Context, c cost.Connector) (any, error)
}

type connectorEdit struct {
	DisplayName         *string `json:"displayName,omitempty" doc:"display name"`
	RoleARN             *string `json:"roleArn,omitempty" doc:"a role in the same account; another account needs a new connector"`
	ExternalID          *string `json:"externalId,omitempty" doc:"a new external ID; write-only"`
	ReportName          *string `json:"reportName,omitempty" doc:"the Cost and Usage Report's name"`
	DefaultGroup        *string `json:"defaultManagementGroup,omitempty" doc:"where new linked accounts go"`
	BillingSubscription *string `json:"billingSubscription,omitempty" doc:"the Azure subscription scope to bill; with it the connector renews"`
}

// editConnector changes a connector's settings (Contributor on it). The
// account in the role ARN is its identity and cannot change; naming a
// billing subscription renews it, unless it was deleted.
func (s *Server) editConnector(c *call) (any, error) {
	var req connectorEdit
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	conn, err := c.connector(cost.ActionWrite)
	if err != nil {
		return nil, err
	}
	if req.ExternalID != nil {
		if err := validExternalID(*req.ExternalID); err != nil {
			return nil, err
		}
	}
	var edited cost.Connector
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		i := slices.IndexFunc(cat.Connectors, func(x cost.Connector) bool { return x.ID == conn.ID })
		edited = cat.Connectors[i]
		set(&edited.DisplayName, req.DisplayName)
		set(&edited.RoleARN, req.RoleARN)
		set(&edited.ExternalID, req.ExternalID)
		set(&edited.ReportName, req.ReportName)
		if req.DefaultGroup != nil {
			edited.DefaultGroup = cost.ScopeID(*req.DefaultGroup)
		}
		if err := cat.Connectors[i].CheckEdit(&edited); err != nil {
			return nil, err
		}
		if err := edited.Validate(cat.Hierarchy); err != nil {
			return nil, err
		}
		if req.BillingSubscription != nil {
			if err := edited.Renew(cost.ScopeID(*req.BillingSubscription), cat.Hierarchy); err != nil {
				return nil, err
			}
		}
		cat.Connectors[i] = edited
		return s.audit(c, "connector.edit", conn.ID, ""), nil // what changed may include the external ID
	})
	if err != nil {
		return nil, err
	}
	out := editResult{connectorView: s.view(edited)}
	if v, ok := s.collector.(Verifier); ok && (req.RoleARN != nil || req.ExternalID != nil || req.ReportName != nil) {
		// The AWS side changed: verify it again, as the original did.
		if out.Verification, err = v.Verify(c.r.Context(), edited); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// editResult is the edited connector and, when its AWS side changed, the
// verification that followed.
type editResult struct {
	connectorView
	Verification any `json:"verification,omitempty"`
}

func set(field *string, v *string) {
	if v != nil {
		*field = *v
	}
}

// deleteConnector deletes a connector (Owner on it): it stops collecting at
// once, and the next periodic job removes its scopes and data.
func (s *Server) deleteConnector(c *call) (any, error) {
	conn, err := c.connector(cost.ActionManageAccess)
	if err != nil {
		return nil, err
	}
	err = s.store.UpdateCatalog(c.r.Context(), func(cat *duckstore.Catalog) ([]cost.AuditEntry, error) {
		i := slices.IndexFunc(cat.Connectors, func(x cost.Connector) bool { return x.ID == conn.ID })
		cat.Connectors[i].State = cost.StateDeleted
		return s.audit(c, "connector.delete", conn.ID, ""), nil
	})
	return map[string]any{"deleted": conn.ID}, err
}

// verifyConnector checks the connector's AWS set-up (Contributor on it).
func (s *Server) verifyConnector(c *call) (any, error) {
	conn, err := c.connector(cost.ActionVerify)
	if err != nil {
		return nil, err
	}
	v, ok := s.collector.(Verifier)
	if !ok {
		return nil, cost.Errorf(cost.EConflict, "this server does not verify connectors")
	}
	return v.Verify(c.r.Context(), conn)
}
