-- The control plane's catalog: scopes, access, users, tokens, connectors and
-- the audit log. It is small (thousands of rows) and changes a little at a
-- time; UpdateCatalog rewrites it in one transaction with the audit entries.
CREATE TABLE scopes (
    id              VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    grp             VARCHAR,
    billing_account VARCHAR,
    connector       VARCHAR
);

CREATE TABLE assignments (
    user_name VARCHAR NOT NULL,
    role      VARCHAR NOT NULL,
    scope     VARCHAR NOT NULL
);

CREATE TABLE users (
    name    VARCHAR NOT NULL,
    created TIMESTAMP NOT NULL
);

-- Tokens are kept as the SHA-256 of the whole token; the token itself is
-- shown once, when created.
CREATE TABLE tokens (
    id        VARCHAR NOT NULL,
    user_name VARCHAR NOT NULL,
    hash      VARCHAR NOT NULL,
    created   TIMESTAMP NOT NULL
);

-- A connector's fields as JSON (which never carries the external ID), and
-- the external ID apart: write-only, read only to assume the role.
CREATE TABLE connectors (
    id          VARCHAR NOT NULL,
    doc         VARCHAR NOT NULL,
    external_id VARCHAR NOT NULL
);

CREATE TABLE audit_log (
    time      TIMESTAMP NOT NULL,
    user_name VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    scope     VARCHAR,
    detail    VARCHAR
);
