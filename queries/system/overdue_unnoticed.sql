-- Open 督办单 past their deadline at $as_of that have had no 督办逾期 notice yet (sent or failed).
-- Not scoped (the notifier). Params: $as_of.
SELECT s.order_id
FROM supervision_steps s
WHERE s.acted_at <= $as_of AND s.status <> '已办结' AND s.deadline < $as_of
  AND s.step = (SELECT max(l.step) FROM supervision_steps l WHERE l.order_id = s.order_id AND l.acted_at <= $as_of)
  AND NOT EXISTS (SELECT 1 FROM notification_log n WHERE n.order_id = s.order_id AND n.event = '督办逾期')
ORDER BY s.order_id;
