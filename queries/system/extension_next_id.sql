-- One row: the id the next 延期 request gets (n), one more than the largest in issue_extensions. Not scoped: run
-- inside the writing transaction under the write lock (wenming/followup/actions.py).
-- Params: none.
SELECT coalesce(max(request_id), 0) + 1 AS n FROM issue_extensions;
