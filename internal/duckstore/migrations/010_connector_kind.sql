-- Connectors of other kinds (issue 10): Azure export and FOCUS sources are
-- connectors whose document says "kind" and holds their storage (URL,
-- container, prefix, and the name of the environment variable holding the
-- credential: never the credential, which the server reads where it runs).
-- Their fields live in the document, as an AWS connector's do; the
-- connectors written before kinds existed are AWS connectors, and now say so.
UPDATE connectors
SET doc = CAST(json_merge_patch(doc, '{"kind":"aws"}') AS VARCHAR)
WHERE json_extract_string(doc, '$.kind') IS NULL;
