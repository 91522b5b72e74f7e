-- Open 督办单 past their deadline at $as_of that have had no 督办逾期 notice yet (sent or failed).
-- Not scoped (the notifier). Params: $as_of.
SELECT o.order_id
FROM supervision_asof($as_of) o
WHERE o.status <> '已办结' AND o.deadline < $as_of
  AND NOT EXISTS (SELECT 1 FROM notification_log n WHERE n.order_id = o.order_id AND n.event = '督办逾期')
ORDER BY o.order_id;
