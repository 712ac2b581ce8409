-- The web UI's sessions, shared by the replicas (web.SessionStore): keyed
-- by the SHA-256 of the cookie's ID, never the ID itself.
CREATE TABLE web_sessions (
    key       bytea PRIMARY KEY,
    user_name text COLLATE "C" NOT NULL,
    csrf      text NOT NULL,
    created   timestamptz NOT NULL,
    last_seen timestamptz NOT NULL
);
CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen);
