-- Appends one audit_log row: when, the acting account, the action, its details (JSON text).
-- Not scoped: every login, import, export and configuration change writes one.
-- Params: $at, $username, $action, $detail.
INSERT INTO audit_log VALUES ($at, $username, $action, $detail);
