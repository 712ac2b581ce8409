-- The catalog's version: every committed Update adds one and notifies the
-- channel reckon_catalog with the new version, so that a replica's caches
-- of what the catalog names (account names in answers, copies of the
-- catalog) learn of another replica's change at once.
CREATE TABLE catalog_version (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO catalog_version (version) VALUES (0);
