-- Saved views: a named query with its chart, owned by a scope
-- (cost.SavedView). The query is kept as the JSON of the cost.QuerySpec the
-- caller wrote, so that a timeframe is resolved when the view runs. Names
-- are unique per scope whatever their case; cost.SaveView checks that, in
-- the transaction that writes the view. No index, as in migration 005.
CREATE TABLE saved_views (
    id         VARCHAR NOT NULL,
    scope      VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    chart      VARCHAR NOT NULL,
    query      VARCHAR NOT NULL,
    created    TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    updated    TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL
);
