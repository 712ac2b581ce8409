package pgcatalog

import (
	"context"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

const scopeColumns = `id, name, coalesce(grp, ''), coalesce(billing_account, ''), coalesce(connector, ''), coalesce(status, ''),
	coalesce(named_by, '')`

func scanScope(r scanner) (cost.Scope, error) {
	var s cost.Scope
	err := r.Scan(&s.ID, &s.Name, &s.Group, &s.BillingAccount, &s.Connector, &s.Status, &s.NamedBy)
	return s, err
}

func scanString(r scanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

// Scope returns the scope with the ID.
func (t *catalogTx) Scope(ctx context.Context, id cost.ScopeID) (cost.Scope, bool, error) {
	return one(t.q.QueryRow(ctx, `SELECT `+scopeColumns+` FROM scopes WHERE id = $1`, string(id)), scanScope)
}

// ancestors returns the stored ancestors of a scope: the groups above it,
// root first, each followed by a space.
func (t *catalogTx) ancestors(ctx context.Context, id cost.ScopeID) (string, bool, error) {
	return one(t.q.QueryRow(ctx, `SELECT ancestors FROM scopes WHERE id = $1`, string(id)), scanString)
}

// GroupPath returns id and the groups above it, nearest first, from one row.
func (t *catalogTx) GroupPath(ctx context.Context, id cost.ScopeID) ([]cost.ScopeID, error) {
	anc, ok, err := t.ancestors(ctx, id)
	if err != nil || !ok {
		return nil, err
	}
	path := []cost.ScopeID{id}
	groups := strings.Fields(anc)
	for i := len(groups) - 1; i >= 0; i-- {
		path = append(path, cost.ScopeID(groups[i]))
	}
	return path, nil
}

// Children returns the scopes directly in a group.
func (t *catalogTx) Children(ctx context.Context, group cost.ScopeID) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes WHERE grp = $1 ORDER BY id`, string(group))
}

// Descendants returns every scope below a group: those whose ancestors
// start with the group's own and the group.
func (t *catalogTx) Descendants(ctx context.Context, group cost.ScopeID) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes
		WHERE starts_with(ancestors, (SELECT ancestors || id || ' ' FROM scopes WHERE id = $1)) ORDER BY id`, string(group))
}

// Scopes returns every scope.
func (t *catalogTx) Scopes(ctx context.Context) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes ORDER BY id`)
}

// ConnectorScopes returns the accounts a connector discovered.
func (t *catalogTx) ConnectorScopes(ctx context.Context, connector cost.ScopeID) ([]cost.Scope, error) {
	return all(ctx, t.q, scanScope, `SELECT `+scopeColumns+` FROM scopes WHERE connector = $1 ORDER BY id`, string(connector))
}

// GroupFold returns the management group whose ID equals id but for case,
// from the index on lower(id).
func (t *catalogTx) GroupFold(ctx context.Context, id cost.ScopeID) (cost.ScopeID, bool, error) {
	s, ok, err := one(t.q.QueryRow(ctx, `SELECT id FROM scopes WHERE id LIKE 'mg/%' AND lower(id) = lower($1) ORDER BY id LIMIT 1`,
		string(id)), scanString)
	return cost.ScopeID(s), ok, err
}

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
	_, err = t.exec(ctx, "write scope "+string(s.ID), `INSERT INTO scopes (id, name, grp, billing_account, connector, status, ancestors, named_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, grp = excluded.grp, billing_account = excluded.billing_account,
			connector = excluded.connector, status = excluded.status, ancestors = excluded.ancestors, named_by = excluded.named_by`,
		string(s.ID), s.Name, nullIfEmpty(string(s.Group)), nullIfEmpty(string(s.BillingAccount)),
		nullIfEmpty(string(s.Connector)), nullIfEmpty(s.Status), anc, nullIfEmpty(s.NamedBy))
	if err != nil || !existed || old == anc {
		return err
	}
	// Everything below the scope had its old place in its ancestors.
	oldPrefix, newPrefix := old+string(s.ID)+" ", anc+string(s.ID)+" "
	_, err = t.exec(ctx, "move the scopes below "+string(s.ID), `UPDATE scopes SET ancestors = $1 || substr(ancestors, $2)
		WHERE starts_with(ancestors, $3)`, newPrefix, len([]rune(oldPrefix))+1, oldPrefix)
	return err
}

// DeleteScope deletes a scope, the assignments on it, its saved views,
// budgets, anomaly subscriptions and alerts.
func (t *catalogTx) DeleteScope(ctx context.Context, id cost.ScopeID) error {
	for _, table := range []string{"assignments", "saved_views", "budgets", "anomaly_subscriptions", "alerts", "scopes"} {
		col := "scope"
		if table == "scopes" {
			col = "id"
		}
		if _, err := t.exec(ctx, "delete scope "+string(id)+" from "+table,
			`DELETE FROM `+table+` WHERE `+col+` = $1`, string(id)); err != nil {
			return err
		}
	}
	return nil
}
