package duckstore

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
)

// PutScope inserts or replaces a scope, keeping its ancestors and, when a
// group moves, those of everything below it.
func (t *catalogTx) PutScope(ctx context.Context, s cost.Scope) error {
	anc := ""
	if s.Group != "" {
		parent, ok, err := t.ancestors(ctx, s.Group)
		if err != nil {
			return err
		}
		if !ok {
			return cost.Errorf(cost.ENotFound, "management group %s does not exist", s.Group)
		}
		anc = parent + string(s.Group) + " "
	}
	old, existed, err := t.ancestors(ctx, s.ID)
	if err != nil {
		return err
	}
	what := "write scope " + string(s.ID)
	args := []any{string(s.ID), s.Name, nullIfEmpty(string(s.Group)), nullIfEmpty(string(s.BillingAccount)),
		nullIfEmpty(string(s.Connector)), nullIfEmpty(s.Status), anc, nullIfEmpty(s.NamedBy)}
	if existed {
		_, err = t.exec(ctx, what, `UPDATE scopes SET name = $2, grp = $3, billing_account = $4, connector = $5, status = $6, ancestors = $7,
			named_by = $8 WHERE id = $1`, args...)
	} else {
		_, err = t.exec(ctx, what, `INSERT INTO scopes (id, name, grp, billing_account, connector, status, ancestors, named_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, args...)
	}
	if err != nil || !existed || old == anc {
		return err
	}
	// Everything below the scope had its old place in its ancestors.
	oldPrefix, newPrefix := old+string(s.ID)+" ", anc+string(s.ID)+" "
	_, err = t.exec(ctx, "move the scopes below "+string(s.ID), `UPDATE scopes SET ancestors = $1 || substr(ancestors, $2)
		WHERE starts_with(ancestors, $3)`, newPrefix, utf8.RuneCountInString(oldPrefix)+1, oldPrefix) // substr counts characters
	return err
}

// DeleteScope deletes a scope, the assignments on it, its saved views,
// budgets, anomaly subscriptions and alerts.
func (t *catalogTx) DeleteScope(ctx context.Context, id cost.ScopeID) error {
	if _, err := t.exec(ctx, "delete scope "+string(id), `DELETE FROM assignments WHERE scope = ?`, string(id)); err != nil {
		return err
	}
	if err := t.deleteScopeViews(ctx, id); err != nil {
		return err
	}
	if err := t.deleteScopeBudgets(ctx, id); err != nil {
		return err
	}
	_, err := t.exec(ctx, "delete scope "+string(id), `DELETE FROM scopes WHERE id = ?`, string(id))
	return err
}

// AddAssignment adds an assignment unless it exists.
func (t *catalogTx) AddAssignment(ctx context.Context, a cost.Assignment) error {
	_, err := t.exec(ctx, "add assignment", `INSERT INTO assignments SELECT $1, $2, $3
		WHERE NOT EXISTS (SELECT 1 FROM assignments WHERE user_name = $1 AND role = $2 AND scope = $3)`,
		a.User, string(a.Role), string(a.Scope))
	return err
}

// RemoveAssignment removes an assignment and reports whether there was one.
func (t *catalogTx) RemoveAssignment(ctx context.Context, a cost.Assignment) (bool, error) {
	n, err := t.exec(ctx, "remove assignment", `DELETE FROM assignments WHERE user_name = ? AND role = ? AND scope = ?`,
		a.User, string(a.Role), string(a.Scope))
	return n > 0, err
}

// PutUser inserts or replaces a user.
func (t *catalogTx) PutUser(ctx context.Context, u cost.User) error {
	return t.upsert(ctx, "write user "+u.Name,
		`UPDATE users SET created = CAST($2 AS TIMESTAMP) WHERE name = $1`,
		`INSERT INTO users VALUES ($1, CAST($2 AS TIMESTAMP))`, u.Name, ts(u.Created))
}

// PutToken inserts or replaces a token.
func (t *catalogTx) PutToken(ctx context.Context, tok cost.Token) error {
	return t.upsert(ctx, "write token "+tok.ID,
		`UPDATE tokens SET user_name = $2, hash = $3, created = CAST($4 AS TIMESTAMP) WHERE id = $1`,
		`INSERT INTO tokens VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP))`, tok.ID, tok.User, tok.Hash, ts(tok.Created))
}

// PutConnector inserts or replaces a connector: its shown fields as a JSON
// document, which never holds the external ID, and the external ID apart.
func (t *catalogTx) PutConnector(ctx context.Context, c cost.Connector) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("write connector %s: %w", c.ID, err)
	}
	return t.upsert(ctx, "write connector "+string(c.ID),
		`UPDATE connectors SET doc = $2, external_id = $3 WHERE id = $1`,
		`INSERT INTO connectors VALUES ($1, $2, $3)`, string(c.ID), string(doc), c.ExternalID)
}

// DeleteConnector deletes a connector's record.
func (t *catalogTx) DeleteConnector(ctx context.Context, id cost.ScopeID) error {
	_, err := t.exec(ctx, "delete connector "+string(id), `DELETE FROM connectors WHERE id = ?`, string(id))
	return err
}

// Audit appends an audit entry.
func (t *catalogTx) Audit(ctx context.Context, e cost.AuditEntry) error {
	_, err := t.exec(ctx, "write audit log", `INSERT INTO audit_log VALUES (CAST(? AS TIMESTAMP), ?, ?, ?, ?)`,
		ts(e.Time), e.User, e.Action, string(e.Scope), e.Detail)
	return err
}
