-- An AWS account's status in AWS Organizations (ACTIVE, SUSPENDED,
-- PENDING_CLOSURE, CLOSED): closed and suspended accounts stay as scopes,
-- marked as such.
ALTER TABLE scopes ADD COLUMN status VARCHAR;
