-- Every step of the 督办单 $order_id, oldest first (who, when, what), if its 社区's detail is visible.
-- Params: scope; $order_id.
SELECT s.order_id, s.step, s.action, s.status, s.note, s.photos, s.acted_by, s.acted_at, s.deadline,
       s.street_code, s.community_code
FROM supervision_steps s
WHERE in_scope(s.street_code, $street_codes) AND detail_ok(s.community_code, $detail_community)
  AND s.order_id = $order_id
ORDER BY s.step;
