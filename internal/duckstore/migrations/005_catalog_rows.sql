-- The catalog is read and written a row at a time (catalog.go). Each scope
-- keeps the management groups above it, from the root down, each followed
-- by a space ("mg/root mg/eu "): a permission check reads one row for the
-- whole path, and a group's subtree is the scopes whose ancestors start
-- with the group's. No scope ID holds a space. No index: DuckDB scans a
-- catalog of thousands of rows in well under a millisecond, and its ART
-- indexes refuse some updates of indexed rows within one transaction.
ALTER TABLE scopes ADD COLUMN ancestors VARCHAR;

INSERT INTO scopes (id, name)
SELECT 'mg/root', 'Tenant Root Group'
WHERE NOT EXISTS (SELECT 1 FROM scopes WHERE id = 'mg/root');

CREATE TEMP TABLE scope_ancestors AS
WITH RECURSIVE walk(id, next, anc, depth) AS (
    SELECT id, grp, '', 0 FROM scopes
    UNION ALL
    SELECT w.id, s.grp, s.id || ' ' || w.anc, w.depth + 1
    FROM walk w JOIN scopes s ON s.id = w.next
    WHERE w.depth < 100000
)
SELECT id, anc FROM walk WHERE next IS NULL;

UPDATE scopes SET ancestors = a.anc FROM scope_ancestors a WHERE scopes.id = a.id;
UPDATE scopes SET ancestors = '' WHERE ancestors IS NULL;
DROP TABLE scope_ancestors;
