-- The 督办单 $order_id as it stands: its latest step (zero or one row). Not scoped: read inside the
-- acting transaction; the caller then checks the order's 街道 against the acting account.
-- Params: $order_id.
SELECT order_id, step, street_code, community_code, target_kind, target_ref, target_label, title,
       reason, deadline, status
FROM supervision_steps WHERE order_id = $order_id ORDER BY step DESC LIMIT 1;
