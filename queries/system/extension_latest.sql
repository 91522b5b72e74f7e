-- The 延期 request $request_id as it stands: its latest version, every column (zero or one row). Not
-- scoped: read inside the deciding transaction; the caller then checks the request's 街道.
-- Params: $request_id.
SELECT * FROM issue_extensions WHERE request_id = $request_id ORDER BY version DESC LIMIT 1;
