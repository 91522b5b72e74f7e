-- One row per distinct audit-log account (kind 'username') and action (kind 'action'), sorted:
-- the audit filter's choices. Not scoped: /admin only.
-- Params: none.
SELECT 'username' AS kind, username AS value FROM (SELECT DISTINCT username FROM audit_log WHERE username IS NOT NULL)
UNION ALL
SELECT 'action', action FROM (SELECT DISTINCT action FROM audit_log)
ORDER BY kind, value;
