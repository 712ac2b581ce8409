package duckstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Catalog is the control plane's state: the scope hierarchy, role
// assignments, users, tokens and connectors.
type Catalog struct {
	Hierarchy   *cost.Hierarchy
	Assignments []cost.Assignment
	Users       []cost.User
	Tokens      []cost.Token
	Connectors  []cost.Connector
}

// LoadCatalog reads the catalog.
func (s *Store) LoadCatalog(ctx context.Context) (*Catalog, error) {
	return loadCatalog(ctx, s.db)
}

// UpdateCatalog loads the catalog, lets change modify it, and writes it back
// with the audit entries change returns, all in one transaction: the change
// is applied whole or not at all. Updates run one at a time.
func (s *Store) UpdateCatalog(ctx context.Context, change func(*Catalog) ([]cost.AuditEntry, error)) error {
	s.catalogMu.Lock()
	defer s.catalogMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin catalog update: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	c, err := loadCatalog(ctx, tx)
	if err != nil {
		return err
	}
	audit, err := change(c)
	if err != nil {
		return err
	}
	if err := writeCatalog(ctx, tx, c); err != nil {
		return err
	}
	for _, a := range audit {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log VALUES (CAST(? AS TIMESTAMP), ?, ?, ?, ?)`,
			ts(a.Time), a.User, a.Action, string(a.Scope), a.Detail); err != nil {
			return fmt.Errorf("write audit log: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit catalog update: %w", err)
	}
	return nil
}

// AuditLog returns the audit entries, oldest first.
func (s *Store) AuditLog(ctx context.Context) ([]cost.AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT time, user_name, action, coalesce(scope, ''), coalesce(detail, '') FROM audit_log ORDER BY time, rowid`)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []cost.AuditEntry
	for rows.Next() {
		var e cost.AuditEntry
		var scope string
		if err := rows.Scan(&e.Time, &e.User, &e.Action, &scope, &e.Detail); err != nil {
			return nil, err
		}
		e.Scope, e.Time = cost.ScopeID(scope), e.Time.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func loadCatalog(ctx context.Context, db querier) (*Catalog, error) {
	c := &Catalog{Hierarchy: cost.NewHierarchy()}
	var scopes []cost.Scope
	err := each(ctx, db, `SELECT id, name, coalesce(grp, ''), coalesce(billing_account, ''), coalesce(connector, ''), coalesce(status, '') FROM scopes`, func(r *sql.Rows) error {
		var sc cost.Scope
		if err := r.Scan(&sc.ID, &sc.Name, &sc.Group, &sc.BillingAccount, &sc.Connector, &sc.Status); err != nil {
			return err
		}
		scopes = append(scopes, sc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, sc := range inAddOrder(scopes) {
		if sc.ID == cost.RootGroup {
			continue
		}
		if err := c.Hierarchy.Add(sc); err != nil {
			return nil, fmt.Errorf("catalog scope %s: %w", sc.ID, err)
		}
	}
	for _, q := range []struct {
		sql  string
		scan func(*sql.Rows) error
	}{
		{`SELECT user_name, role, scope FROM assignments`, func(r *sql.Rows) error {
			var a cost.Assignment
			err := r.Scan(&a.User, &a.Role, &a.Scope)
			c.Assignments = append(c.Assignments, a)
			return err
		}},
		{`SELECT name, created FROM users ORDER BY name`, func(r *sql.Rows) error {
			var u cost.User
			err := r.Scan(&u.Name, &u.Created)
			u.Created = u.Created.UTC()
			c.Users = append(c.Users, u)
			return err
		}},
		{`SELECT id, user_name, hash, created FROM tokens ORDER BY id`, func(r *sql.Rows) error {
			var t cost.Token
			err := r.Scan(&t.ID, &t.User, &t.Hash, &t.Created)
			t.Created = t.Created.UTC()
			c.Tokens = append(c.Tokens, t)
			return err
		}},
		{`SELECT doc, external_id FROM connectors ORDER BY id`, func(r *sql.Rows) error {
			var doc string
			var conn cost.Connector
			if err := r.Scan(&doc, &conn.ExternalID); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(doc), &conn); err != nil {
				return fmt.Errorf("connector document: %w", err)
			}
			c.Connectors = append(c.Connectors, conn)
			return nil
		}},
	} {
		if err := each(ctx, db, q.sql, q.scan); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// inAddOrder sorts scopes so that each comes after what it refers to:
// groups parent first, then connectors and billing accounts, then the rest.
func inAddOrder(scopes []cost.Scope) []cost.Scope {
	byID := map[cost.ScopeID]cost.Scope{}
	for _, s := range scopes {
		byID[s.ID] = s
	}
	depth := func(s cost.Scope) int {
		d := 0
		for g := s.Group; g != "" && d <= len(scopes); d++ {
			g = byID[g].Group
		}
		return d
	}
	rank := map[cost.ScopeKind]int{cost.KindManagementGroup: 0, cost.KindConnector: 1, cost.KindBillingAccount: 2}
	kindRank := func(s cost.Scope) int {
		if r, ok := rank[s.ID.Kind()]; ok {
			return r
		}
		return 3
	}
	out := slices.Clone(scopes)
	slices.SortStableFunc(out, func(a, b cost.Scope) int {
		if c := kindRank(a) - kindRank(b); c != 0 {
			return c
		}
		if a.ID.Kind() == cost.KindManagementGroup {
			if c := depth(a) - depth(b); c != 0 {
				return c
			}
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return out
}

func each(ctx context.Context, db querier, query string, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("read catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("read catalog: %w", err)
		}
	}
	return rows.Err()
}

func writeCatalog(ctx context.Context, tx *sql.Tx, c *Catalog) error {
	for _, table := range []string{"scopes", "assignments", "users", "tokens", "connectors"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("rewrite catalog: %w", err)
		}
	}
	var stmts []func() error
	for _, sc := range c.Hierarchy.Scopes() {
		stmts = append(stmts, execLater(ctx, tx, `INSERT INTO scopes VALUES (?, ?, ?, ?, ?, ?)`, string(sc.ID), sc.Name,
			nullIfEmpty(string(sc.Group)), nullIfEmpty(string(sc.BillingAccount)), nullIfEmpty(string(sc.Connector)), nullIfEmpty(sc.Status)))
	}
	for _, a := range c.Assignments {
		stmts = append(stmts, execLater(ctx, tx, `INSERT INTO assignments VALUES (?, ?, ?)`, a.User, string(a.Role), string(a.Scope)))
	}
	for _, u := range c.Users {
		stmts = append(stmts, execLater(ctx, tx, `INSERT INTO users VALUES (?, CAST(? AS TIMESTAMP))`, u.Name, ts(u.Created)))
	}
	for _, t := range c.Tokens {
		stmts = append(stmts, execLater(ctx, tx, `INSERT INTO tokens VALUES (?, ?, ?, CAST(? AS TIMESTAMP))`, t.ID, t.User, t.Hash, ts(t.Created)))
	}
	for _, conn := range c.Connectors {
		doc, err := json.Marshal(conn)
		if err != nil {
			return err
		}
		stmts = append(stmts, execLater(ctx, tx, `INSERT INTO connectors VALUES (?, ?, ?)`, string(conn.ID), string(doc), conn.ExternalID))
	}
	for _, s := range stmts {
		if err := s(); err != nil {
			return fmt.Errorf("rewrite catalog: %w", err)
		}
	}
	return nil
}

func execLater(ctx context.Context, tx *sql.Tx, query string, args ...any) func() error {
	return func() error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}
}
