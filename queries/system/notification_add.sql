-- Appends one notification_log row: a group-robot notice sent, failed or queued. Not scoped.
-- Params: $sent_at, $order_id (null for a test message), $event, $endpoint (host only), $ok, $detail.
INSERT INTO notification_log VALUES ($sent_at, $order_id, $event, $endpoint, $ok, $detail);
