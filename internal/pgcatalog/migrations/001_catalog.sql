-- The catalog: the control plane's state, read and written a row at a time
-- (cost.Catalog). Identifiers and names compare byte by byte (COLLATE "C"),
-- so that listings sort as they do on DuckDB whatever the database's locale.

-- Each scope keeps the management groups above it, from the root down, each
-- followed by a space ("mg/root mg/eu "): a permission check reads one row
-- for the whole path, and a group's subtree is the scopes whose ancestors
-- start with the group's. No scope ID holds a space. There is no foreign key
-- from grp to id: the tree rules are cost's (tree.go), as on DuckDB.
CREATE TABLE scopes (
    id              text COLLATE "C" PRIMARY KEY,
    name            text COLLATE "C" NOT NULL,
    grp             text COLLATE "C",
    billing_account text COLLATE "C",
    connector       text COLLATE "C",
    status          text COLLATE "C",
    named_by        text COLLATE "C",
    ancestors       text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX scopes_grp ON scopes (grp);
CREATE INDEX scopes_connector ON scopes (connector);
CREATE INDEX scopes_ancestors ON scopes (ancestors);
CREATE INDEX scopes_group_fold ON scopes (lower(id)) WHERE id LIKE 'mg/%';

INSERT INTO scopes (id, name) VALUES ('mg/root', 'Tenant Root Group');

CREATE TABLE assignments (
    scope     text COLLATE "C" NOT NULL,
    user_name text COLLATE "C" NOT NULL,
    role      text COLLATE "C" NOT NULL,
    PRIMARY KEY (scope, user_name, role)
);
CREATE INDEX assignments_user ON assignments (user_name);

CREATE TABLE users (
    name    text COLLATE "C" PRIMARY KEY,
    created timestamptz NOT NULL
);

-- Tokens are kept as the SHA-256 of the whole token; the token itself is
-- shown once, when created.
CREATE TABLE tokens (
    id        text COLLATE "C" PRIMARY KEY,
    user_name text COLLATE "C" NOT NULL,
    hash      text NOT NULL,
    created   timestamptz NOT NULL
);

-- A connector's shown fields as JSON (which never carries the external ID).
CREATE TABLE connectors (
    id  text COLLATE "C" PRIMARY KEY,
    doc text NOT NULL
);

-- Secrets apart from what is shown, each encrypted with AES-256-GCM (see
-- secret.go): a format byte, the key's ID, the nonce, the sealed value.
-- An empty ciphertext is an empty secret.
CREATE TABLE connector_secrets (
    connector   text COLLATE "C" PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
    external_id bytea NOT NULL
);

-- The audit log is append-only: a trigger refuses updates, deletes and
-- truncation. seq orders entries written at the same time.
CREATE TABLE audit_log (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time      timestamptz NOT NULL,
    user_name text NOT NULL,
    action    text NOT NULL,
    scope     text NOT NULL DEFAULT '',
    detail    text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_time ON audit_log (time, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Saved views: the query as the JSON of the cost.QuerySpec the caller wrote.
-- Names are unique per scope whatever their case; cost.SaveView checks that
-- in the transaction that writes the view.
CREATE TABLE saved_views (
    id         text COLLATE "C" PRIMARY KEY,
    scope      text COLLATE "C" NOT NULL,
    name       text COLLATE "C" NOT NULL,
    chart      text NOT NULL,
    query      text NOT NULL,
    created    timestamptz NOT NULL,
    created_by text NOT NULL,
    updated    timestamptz NOT NULL,
    updated_by text NOT NULL
);
CREATE INDEX saved_views_scope ON saved_views (scope);

-- Budgets, their alerts, anomaly subscriptions and exchange rates. Money is
-- NUMERIC: a budget's amount and a rate are columns; the rest of a budget,
-- an alert or a subscription is its JSON, whose numbers are exact decimal
-- text. An alert's key is unique; the evaluator checks it in the
-- transaction that writes the alert.
CREATE TABLE budgets (
    id       text COLLATE "C" PRIMARY KEY,
    scope    text COLLATE "C" NOT NULL,
    name     text COLLATE "C" NOT NULL,
    amount   numeric(38, 18) NOT NULL,
    currency text NOT NULL,
    body     text NOT NULL
);
CREATE INDEX budgets_scope ON budgets (scope);

CREATE TABLE alerts (
    id      text COLLATE "C" PRIMARY KEY,
    kind    text NOT NULL,
    scope   text COLLATE "C" NOT NULL,
    state   text NOT NULL,
    key     text COLLATE "C" NOT NULL,
    budget  text COLLATE "C" NOT NULL,
    fired   timestamptz NOT NULL,
    updated timestamptz NOT NULL,
    body    text NOT NULL
);
CREATE INDEX alerts_fired ON alerts (fired DESC, id);
CREATE INDEX alerts_key ON alerts (key);
CREATE INDEX alerts_scope ON alerts (scope);
CREATE INDEX alerts_budget ON alerts (budget);

CREATE TABLE anomaly_subscriptions (
    id    text COLLATE "C" PRIMARY KEY,
    scope text COLLATE "C" NOT NULL,
    name  text COLLATE "C" NOT NULL,
    body  text NOT NULL
);
CREATE INDEX anomaly_subscriptions_scope ON anomaly_subscriptions (scope);

CREATE TABLE exchange_rates (
    from_currency text COLLATE "C" NOT NULL,
    to_currency   text COLLATE "C" NOT NULL,
    rate          numeric(38, 18) NOT NULL,
    updated       timestamptz NOT NULL,
    PRIMARY KEY (from_currency, to_currency)
);
