-- Who named an account or subscription scope, when a user did (cost.NameScope):
-- a collection's names from AWS Organizations no longer replace it. NULL
-- when the name came from the source or the scope's creation.
ALTER TABLE scopes ADD COLUMN named_by VARCHAR;
