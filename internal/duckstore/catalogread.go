package duckstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Scope returns the scope with the ID.
func (t *catalogTx) Scope(ctx context.Context, id cost.ScopeID) (cost.Scope, bool, error) {
	return one(t.q.QueryRowContext(ctx, `SELECT `+scopeColumns+` FROM scopes WHERE id = ?`, string(id)), scanScope)
}

// ancestors returns the stored ancestors of a scope: the groups above it,
// root first, each followed by a space.
func (t *catalogTx) ancestors(ctx context.Context, id cost.ScopeID) (string, bool, error) {
	return one(t.q.QueryRowContext(ctx, `SELECT coalesce(ancestors, '') FROM scopes WHERE id = ?`, string(id)),
		func(r interface{ Scan(...any) error }) (string, error) {
			var s string
			err := r.Scan(&s)
			return s, err
		})
}

// GroupPath returns id and the groups above it, nearest first, from one row.
func (t *catalogTx) GroupPath(ctx context.Context, id cost.ScopeID) ([]cost.ScopeID, error) {
	anc, ok, err := t.ancestors(ctx, id)
	if err != nil || !ok {
		return nil, err
	}
	return groupPath(id, anc), nil
}

// groupPath is id followed by the groups of its stored ancestors
// ("mg/root mg/eu "), nearest first.
func groupPath(id cost.ScopeID, ancestors string) []cost.ScopeID {
	path := []cost.ScopeID{id}
	groups := strings.Fields(ancestors)
	for i := len(groups) - 1; i >= 0; i-- {
		path = append(path, cost.ScopeID(groups[i]))
	}
	return path
}

// Children returns the scopes directly in a group.
func (t *catalogTx) Children(ctx context.Context, group cost.ScopeID) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes WHERE grp = ? ORDER BY id`, string(group))
}

// Descendants returns every scope below a group.
func (t *catalogTx) Descendants(ctx context.Context, group cost.ScopeID) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes
		WHERE starts_with(ancestors, (SELECT ancestors || id || ' ' FROM scopes WHERE id = ?)) ORDER BY id`, string(group))
}

// Scopes returns every scope.
func (t *catalogTx) Scopes(ctx context.Context) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes ORDER BY id`)
}

// ConnectorScopes returns the accounts a connector discovered.
func (t *catalogTx) ConnectorScopes(ctx context.Context, connector cost.ScopeID) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes WHERE connector = ? ORDER BY id`, string(connector))
}

func scanAssignment(r interface{ Scan(...any) error }) (cost.Assignment, error) {
	var a cost.Assignment
	err := r.Scan(&a.User, &a.Role, &a.Scope)
	return a, err
}

// Assignments returns the assignments the filter selects.
func (t *catalogTx) Assignments(ctx context.Context, f cost.AssignmentFilter) ([]cost.Assignment, error) {
	return all(ctx, t.q, scanAssignment, `SELECT user_name, role, scope FROM assignments
		WHERE ($1 = '' OR user_name = $1) AND ($2 = '' OR scope = $2) ORDER BY scope, user_name, role`, f.User, string(f.Scope))
}

func scanToken(r interface{ Scan(...any) error }) (cost.Token, error) {
	var tok cost.Token
	err := r.Scan(&tok.ID, &tok.User, &tok.Hash, &tok.Created)
	tok.Created = tok.Created.UTC()
	return tok, err
}

// Token returns the token with the public ID.
func (t *catalogTx) Token(ctx context.Context, id string) (cost.Token, bool, error) {
	return one(t.q.QueryRowContext(ctx, `SELECT id, user_name, hash, created FROM tokens WHERE id = ?`, id), scanToken)
}

func scanUser(r interface{ Scan(...any) error }) (cost.User, error) {
	var u cost.User
	err := r.Scan(&u.Name, &u.Created)
	u.Created = u.Created.UTC()
	return u, err
}

// User returns the user with the name.
func (t *catalogTx) User(ctx context.Context, name string) (cost.User, bool, error) {
	return one(t.q.QueryRowContext(ctx, `SELECT name, created FROM users WHERE name = ?`, name), scanUser)
}

// Users returns every user.
func (t *catalogTx) Users(ctx context.Context) ([]cost.User, error) {
	return all(ctx, t.q, scanUser, `SELECT name, created FROM users ORDER BY name`)
}

func scanConnector(r interface{ Scan(...any) error }) (cost.Connector, error) {
	var doc string
	var c cost.Connector
	if err := r.Scan(&doc, &c.ExternalID); err != nil {
		return c, err
	}
	externalID := c.ExternalID
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return c, fmt.Errorf("connector document: %w", err)
	}
	c.ExternalID = externalID
	return c, nil
}

// Connector returns a connector with its external ID.
func (t *catalogTx) Connector(ctx context.Context, id cost.ScopeID) (cost.Connector, bool, error) {
	return one(t.q.QueryRowContext(ctx, `SELECT doc, external_id FROM connectors WHERE id = ?`, string(id)), scanConnector)
}

// Connectors returns every connector.
func (t *catalogTx) Connectors(ctx context.Context) ([]cost.Connector, error) {
	return all(ctx, t.q, scanConnector, `SELECT doc, external_id FROM connectors ORDER BY id`)
}

func scanAudit(r interface{ Scan(...any) error }) (cost.AuditEntry, error) {
	var e cost.AuditEntry
	err := r.Scan(&e.Time, &e.User, &e.Action, &e.Scope, &e.Detail)
	e.Time = e.Time.UTC()
	return e, err
}

// AuditLog returns the audit entries, oldest first.
func (t *catalogTx) AuditLog(ctx context.Context) ([]cost.AuditEntry, error) {
	return all(ctx, t.q, scanAudit, `SELECT time, user_name, action, coalesce(scope, ''), coalesce(detail, '') FROM audit_log ORDER BY time, rowid`)
}
