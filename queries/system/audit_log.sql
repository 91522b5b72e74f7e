-- Audit log rows, newest first, filtered by $username, $action (NULL = any) and the inclusive
-- date range [$start, $end] (NULL = open); at most $limit rows. Not scoped: /admin only.
-- Params: $username, $action, $start, $end (DATE), $limit.
SELECT logged_at, username, action, CAST(detail AS VARCHAR) AS detail FROM audit_log
WHERE ($username IS NULL OR username = $username) AND ($action IS NULL OR action = $action)
  AND ($start IS NULL OR logged_at >= CAST($start AS TIMESTAMP))
  AND ($end IS NULL OR logged_at < CAST($end AS TIMESTAMP) + INTERVAL 1 DAY)
ORDER BY logged_at DESC LIMIT $limit;
