-- The latest 督办 notices to group robots, sent or failed (for /admin). Not scoped (admin only).
-- Params: $limit.
SELECT sent_at, order_id, event, endpoint, ok, detail
FROM notification_log ORDER BY sent_at DESC, order_id DESC LIMIT $limit;
