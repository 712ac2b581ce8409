package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Reads of the catalog are answered from a copy in memory, taken once per
// catalog version: every API request reads its token, the scope's group
// path, the caller's assignments and a group's accounts, and under fifty
// clients those DuckDB transactions took half of the server's CPU. The
// catalog changes only through this process (Update and the loads'
// registrations, which move catalogVersion on under catalogMu; DuckDB lets
// one process write a store), so a copy taken at a version is exact until
// the next change. The copy holds a few thousand rows (scopes, access,
// users, connectors, saved views); the audit log, which grows, is still
// read from the database.

// catalogCopy is the catalog at one version.
type catalogCopy struct {
	version     uint64
	scopes      []cost.Scope // by ID
	byID        map[cost.ScopeID]int
	ancestors   map[cost.ScopeID]string // as stored: the groups above, root first, each followed by a space
	assignments []cost.Assignment       // by scope, user, role
	tokens      map[string]cost.Token
	users       []cost.User // by name
	connectors  []cost.Connector
	views       []cost.SavedView // by scope, name regardless of case, ID
	db          *sql.DB          // for the audit log
}

// copies holds the latest copy of a store's catalog.
type copies struct {
	mu     sync.Mutex
	latest *catalogCopy
}

// catalogCopy returns the catalog's copy at its current version, taking a
// new one after a change.
func (s *Store) catalogCopy(ctx context.Context) (*catalogCopy, error) {
	s.catalogMu.Lock()
	version := s.catalogVersion
	s.catalogMu.Unlock()
	s.copies.mu.Lock()
	defer s.copies.mu.Unlock()
	if c := s.copies.latest; c != nil && c.version == version {
		return c, nil
	}
	// Read under the catalog lock, so that the copy is the version's.
	s.catalogMu.Lock()
	defer s.catalogMu.Unlock()
	c, err := readCatalog(ctx, s.db)
	if err != nil {
		return nil, err
	}
	c.version, c.db = s.catalogVersion, s.db
	s.copies.latest = c
	return c, nil
}

func readCatalog(ctx context.Context, db *sql.DB) (*catalogCopy, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin catalog read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // nothing was written
	t := &catalogTx{q: tx}
	c := &catalogCopy{byID: map[cost.ScopeID]int{}, ancestors: map[cost.ScopeID]string{}, tokens: map[string]cost.Token{}}
	if c.scopes, err = t.Scopes(ctx); err != nil {
		return nil, err
	}
	for i, sc := range c.scopes {
		c.byID[sc.ID] = i
	}
	type anc struct {
		id  cost.ScopeID
		anc string
	}
	ancs, err := all(ctx, tx, func(r interface{ Scan(...any) error }) (anc, error) {
		var a anc
		err := r.Scan(&a.id, &a.anc)
		return a, err
	}, `SELECT id, coalesce(ancestors, '') FROM scopes`)
	if err != nil {
		return nil, err
	}
	for _, a := range ancs {
		c.ancestors[a.id] = a.anc
	}
	if c.assignments, err = t.Assignments(ctx, cost.AssignmentFilter{}); err != nil {
		return nil, err
	}
	toks, err := all(ctx, tx, scanToken, `SELECT id, user_name, hash, created FROM tokens`)
	if err != nil {
		return nil, err
	}
	for _, tok := range toks {
		c.tokens[tok.ID] = tok
	}
	if c.users, err = t.Users(ctx); err != nil {
		return nil, err
	}
	if c.connectors, err = t.Connectors(ctx); err != nil {
		return nil, err
	}
	if c.views, err = t.allViews(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

var _ cost.CatalogReader = (*catalogCopy)(nil)

// Scope returns the scope with the ID.
func (c *catalogCopy) Scope(_ context.Context, id cost.ScopeID) (cost.Scope, bool, error) {
	i, ok := c.byID[id]
	if !ok {
		return cost.Scope{}, false, nil
	}
	return c.scopes[i], true, nil
}

// GroupPath returns id and the groups above it, nearest first.
func (c *catalogCopy) GroupPath(_ context.Context, id cost.ScopeID) ([]cost.ScopeID, error) {
	anc, ok := c.ancestors[id]
	if !ok {
		return nil, nil
	}
	return groupPath(id, anc), nil
}

// Children returns the scopes directly in a group.
func (c *catalogCopy) Children(_ context.Context, group cost.ScopeID) ([]cost.Scope, error) {
	return c.where(func(s cost.Scope) bool { return s.Group == group }), nil
}

// Descendants returns every scope below a group.
func (c *catalogCopy) Descendants(_ context.Context, group cost.ScopeID) ([]cost.Scope, error) {
	anc, ok := c.ancestors[group]
	if !ok {
		return nil, nil
	}
	prefix := anc + string(group) + " "
	return c.where(func(s cost.Scope) bool { return strings.HasPrefix(c.ancestors[s.ID], prefix) }), nil
}

// Scopes returns every scope.
func (c *catalogCopy) Scopes(context.Context) ([]cost.Scope, error) {
	return append([]cost.Scope(nil), c.scopes...), nil
}

// ConnectorScopes returns the accounts a connector discovered.
func (c *catalogCopy) ConnectorScopes(_ context.Context, connector cost.ScopeID) ([]cost.Scope, error) {
	return c.where(func(s cost.Scope) bool { return s.Connector == connector }), nil
}

func (c *catalogCopy) where(keep func(cost.Scope) bool) []cost.Scope {
	var out []cost.Scope
	for _, s := range c.scopes {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// Assignments returns the assignments the filter selects.
func (c *catalogCopy) Assignments(_ context.Context, f cost.AssignmentFilter) ([]cost.Assignment, error) {
	var out []cost.Assignment
	for _, a := range c.assignments {
		if (f.User == "" || a.User == f.User) && (f.Scope == "" || a.Scope == f.Scope) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Token returns the token with the public ID.
func (c *catalogCopy) Token(_ context.Context, id string) (cost.Token, bool, error) {
	t, ok := c.tokens[id]
	return t, ok, nil
}

// User returns the user with the name.
func (c *catalogCopy) User(_ context.Context, name string) (cost.User, bool, error) {
	for _, u := range c.users {
		if u.Name == name {
			return u, true, nil
		}
	}
	return cost.User{}, false, nil
}

// Users returns every user.
func (c *catalogCopy) Users(context.Context) ([]cost.User, error) {
	return append([]cost.User(nil), c.users...), nil
}

// Connector returns a connector with its external ID.
func (c *catalogCopy) Connector(_ context.Context, id cost.ScopeID) (cost.Connector, bool, error) {
	for _, conn := range c.connectors {
		if conn.ID == id {
			return conn, true, nil
		}
	}
	return cost.Connector{}, false, nil
}

// Connectors returns every connector.
func (c *catalogCopy) Connectors(context.Context) ([]cost.Connector, error) {
	return append([]cost.Connector(nil), c.connectors...), nil
}

// AuditLog returns the audit entries, oldest first, from the database.
func (c *catalogCopy) AuditLog(ctx context.Context) ([]cost.AuditEntry, error) {
	return all(ctx, c.db, scanAudit, `SELECT time, user_name, action, coalesce(scope, ''), coalesce(detail, '') FROM audit_log ORDER BY time, rowid`)
}
