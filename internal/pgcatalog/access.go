package pgcatalog

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/reckon-finops/reckon/internal/cost"
)

func scanAssignment(r scanner) (cost.Assignment, error) {
	var a cost.Assignment
	err := r.Scan(&a.User, &a.Role, &a.Scope)
	return a, err
}

// Assignments returns the assignments the filter selects.
func (t *catalogTx) Assignments(ctx context.Context, f cost.AssignmentFilter) ([]cost.Assignment, error) {
	return all(ctx, t.q, scanAssignment, `SELECT user_name, role, scope FROM assignments
		WHERE ($1 = '' OR user_name = $1) AND ($2 = '' OR scope = $2) ORDER BY scope, user_name, role`, f.User, string(f.Scope))
}

// AddAssignment adds an assignment unless it exists.
func (t *catalogTx) AddAssignment(ctx context.Context, a cost.Assignment) error {
	_, err := t.exec(ctx, "add assignment", `INSERT INTO assignments (user_name, role, scope) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		a.User, string(a.Role), string(a.Scope))
	return err
}

// RemoveAssignment removes an assignment and reports whether there was one.
func (t *catalogTx) RemoveAssignment(ctx context.Context, a cost.Assignment) (bool, error) {
	return t.deleted(ctx, "remove assignment", `DELETE FROM assignments WHERE user_name = $1 AND role = $2 AND scope = $3`,
		a.User, string(a.Role), string(a.Scope))
}

func scanToken(r scanner) (cost.Token, error) {
	var tok cost.Token
	err := r.Scan(&tok.ID, &tok.User, &tok.Hash, &tok.Created)
	tok.Created = tok.Created.UTC()
	return tok, err
}

// Token returns the token with the public ID.
func (t *catalogTx) Token(ctx context.Context, id string) (cost.Token, bool, error) {
	return one(t.q.QueryRow(ctx, `SELECT id, user_name, hash, created FROM tokens WHERE id = $1`, id), scanToken)
}

// PutToken inserts or replaces a token.
func (t *catalogTx) PutToken(ctx context.Context, tok cost.Token) error {
	_, err := t.exec(ctx, "write token "+tok.ID, `INSERT INTO tokens (id, user_name, hash, created) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, hash = excluded.hash, created = excluded.created`,
		tok.ID, tok.User, tok.Hash, ts(tok.Created))
	return err
}

func scanUser(r scanner) (cost.User, error) {
	var u cost.User
	err := r.Scan(&u.Name, &u.Created)
	u.Created = u.Created.UTC()
	return u, err
}

// User returns the user with the name.
func (t *catalogTx) User(ctx context.Context, name string) (cost.User, bool, error) {
	return one(t.q.QueryRow(ctx, `SELECT name, created FROM users WHERE name = $1`, name), scanUser)
}

// Users returns every user.
func (t *catalogTx) Users(ctx context.Context) ([]cost.User, error) {
	return all(ctx, t.q, scanUser, `SELECT name, created FROM users ORDER BY name`)
}

// PutUser inserts or replaces a user.
func (t *catalogTx) PutUser(ctx context.Context, u cost.User) error {
	_, err := t.exec(ctx, "write user "+u.Name, `INSERT INTO users (name, created) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET created = excluded.created`, u.Name, ts(u.Created))
	return err
}

// connectorSelect reads a connector's document and its sealed external ID.
const connectorSelect = `SELECT c.id, c.doc, coalesce(s.external_id, '') FROM connectors c
	LEFT JOIN connector_secrets s ON s.connector = c.id`

// scanConnector returns a scanner that opens the external ID with the keys.
func (t *catalogTx) scanConnector(r scanner) (cost.Connector, error) {
	var id, doc string
	var sealed []byte
	var c cost.Connector
	if err := r.Scan(&id, &doc, &sealed); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return c, fmt.Errorf("connector document %s: %w", id, err)
	}
	externalID, err := t.keys.openSecret(sealed, secretAAD(id))
	if err != nil {
		return c, fmt.Errorf("the external ID of connector %s: %w", id, err)
	}
	c.ExternalID = externalID
	return c, nil
}

// secretAAD is the additional data that binds a connector's external ID to
// its row.
func secretAAD(connector string) string { return "connectors/" + connector + "/external_id" }

// Connector returns a connector with its external ID.
func (t *catalogTx) Connector(ctx context.Context, id cost.ScopeID) (cost.Connector, bool, error) {
	return one(t.q.QueryRow(ctx, connectorSelect+` WHERE c.id = $1`, string(id)), t.scanConnector)
}

// Connectors returns every connector.
func (t *catalogTx) Connectors(ctx context.Context) ([]cost.Connector, error) {
	return all(ctx, t.q, t.scanConnector, connectorSelect+` ORDER BY c.id`)
}

// PutConnector inserts or replaces a connector: its shown fields as a JSON
// document, which never holds the external ID, and the external ID sealed
// in a table apart.
func (t *catalogTx) PutConnector(ctx context.Context, c cost.Connector) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("write connector %s: %w", c.ID, err)
	}
	sealed, err := t.keys.sealSecret(c.ExternalID, secretAAD(string(c.ID)))
	if err != nil {
		return fmt.Errorf("write connector %s: %w", c.ID, err)
	}
	what := "write connector " + string(c.ID)
	if _, err := t.exec(ctx, what, `INSERT INTO connectors (id, doc) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`, string(c.ID), string(doc)); err != nil {
		return err
	}
	_, err = t.exec(ctx, what, `INSERT INTO connector_secrets (connector, external_id) VALUES ($1, $2)
		ON CONFLICT (connector) DO UPDATE SET external_id = excluded.external_id`, string(c.ID), sealed)
	return err
}

// DeleteConnector deletes a connector's record and, with it, its secret.
func (t *catalogTx) DeleteConnector(ctx context.Context, id cost.ScopeID) error {
	_, err := t.exec(ctx, "delete connector "+string(id), `DELETE FROM connectors WHERE id = $1`, string(id))
	return err
}

func scanAudit(r scanner) (cost.AuditEntry, error) {
	var e cost.AuditEntry
	err := r.Scan(&e.Time, &e.User, &e.Action, &e.Scope, &e.Detail)
	e.Time = e.Time.UTC()
	return e, err
}

// AuditLog returns the audit entries, oldest first; those of one time in
// the order written.
func (t *catalogTx) AuditLog(ctx context.Context) ([]cost.AuditEntry, error) {
	return all(ctx, t.q, scanAudit, `SELECT time, user_name, action, scope, detail FROM audit_log ORDER BY time, seq`)
}

// Audit appends an audit entry.
func (t *catalogTx) Audit(ctx context.Context, e cost.AuditEntry) error {
	_, err := t.exec(ctx, "write audit log", `INSERT INTO audit_log (time, user_name, action, scope, detail) VALUES ($1, $2, $3, $4, $5)`,
		ts(e.Time), e.User, e.Action, string(e.Scope), e.Detail)
	return err
}
