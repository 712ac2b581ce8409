package pgcatalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
)

// The web UI's sessions (web.SessionStore), in web_sessions: every replica
// finds a browser's session, whichever signed it in. They are not the
// catalog's content: writing them takes no lock and moves no version.

// PutSession keeps a session under key, the SHA-256 of its ID.
func (c *Catalog) PutSession(ctx context.Context, key [32]byte, s cost.WebSession) error {
	_, err := c.pool.Exec(ctx, `INSERT INTO web_sessions (key, user_name, csrf, created, last_seen) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET user_name = excluded.user_name, csrf = excluded.csrf,
			created = excluded.created, last_seen = excluded.last_seen`,
		key[:], s.User, s.CSRF, ts(s.Created), ts(s.LastSeen))
	if err != nil {
		return fmt.Errorf("keep the session: %w", err)
	}
	return nil
}

// Session returns the session kept under key; false when there is none.
func (c *Catalog) Session(ctx context.Context, key [32]byte) (cost.WebSession, bool, error) {
	var s cost.WebSession
	err := c.pool.QueryRow(ctx, `SELECT user_name, csrf, created, last_seen FROM web_sessions WHERE key = $1`, key[:]).
		Scan(&s.User, &s.CSRF, &s.Created, &s.LastSeen)
	if errors.Is(err, pgx.ErrNoRows) {
		return cost.WebSession{}, false, nil
	}
	if err != nil {
		return cost.WebSession{}, false, fmt.Errorf("read the session: %w", err)
	}
	s.Created, s.LastSeen = s.Created.UTC(), s.LastSeen.UTC()
	return s, true, nil
}

// TouchSession records a use of the session at lastSeen; a later use that
// another replica recorded stays.
func (c *Catalog) TouchSession(ctx context.Context, key [32]byte, lastSeen time.Time) error {
	if _, err := c.pool.Exec(ctx, `UPDATE web_sessions SET last_seen = greatest(last_seen, $2) WHERE key = $1`, key[:], ts(lastSeen)); err != nil {
		return fmt.Errorf("touch the session: %w", err)
	}
	return nil
}

// DeleteSession ends the session kept under key.
func (c *Catalog) DeleteSession(ctx context.Context, key [32]byte) error {
	if _, err := c.pool.Exec(ctx, `DELETE FROM web_sessions WHERE key = $1`, key[:]); err != nil {
		return fmt.Errorf("end the session: %w", err)
	}
	return nil
}

// PruneSessions deletes the sessions last seen at or before idle, or
// created at or before created.
func (c *Catalog) PruneSessions(ctx context.Context, idle, created time.Time) error {
	if _, err := c.pool.Exec(ctx, `DELETE FROM web_sessions WHERE last_seen <= $1 OR created <= $2`, ts(idle), ts(created)); err != nil {
		return fmt.Errorf("prune the sessions: %w", err)
	}
	return nil
}
