-- 督办 counts per 社区 in scope (counts only: every reader may see them), measured at $as_of for the
-- period [$start, $end). Grain: one row per 社区 of the 街道 ($street; NULL = every 街道 in scope).
--   open_count     督办 issued by $as_of and not verified done then (whatever their deadline)
--   overdue_count  of those, past their deadline at $as_of
--   done_count     verified done (通过) within [$start, $as_of)
--   due            应办结: deadline in the period and before $as_of, or verified done in the period
--   done_due       of due, verified done by $as_of
--   on_time        of due, verified done at or before their own deadline
-- Params: scope; $street; $start, $end, $as_of.
WITH o AS (SELECT * FROM supervision_asof($as_of)),
flags AS (
    SELECT o.*,
           (o.done_at IS NOT NULL AND o.done_at >= $start AND o.done_at < $end) AS done_in_period,
           ((o.deadline >= $start AND o.deadline < $end AND o.deadline < $as_of)
             OR (o.done_at IS NOT NULL AND o.done_at >= $start AND o.done_at < $end)) AS is_due
    FROM o)
SELECT c.street_code, c.community_code, c.community_name,
       count(f.order_id) FILTER (WHERE f.status <> '已办结') AS open_count,
       count(f.order_id) FILTER (WHERE f.status <> '已办结' AND f.deadline < $as_of) AS overdue_count,
       count(f.order_id) FILTER (WHERE f.done_in_period) AS done_count,
       count(f.order_id) FILTER (WHERE f.is_due) AS due,
       count(f.order_id) FILTER (WHERE f.is_due AND f.done_at IS NOT NULL) AS done_due,
       count(f.order_id) FILTER (WHERE f.is_due AND f.done_at IS NOT NULL AND f.done_at <= f.deadline) AS on_time
FROM communities c
LEFT JOIN flags f ON f.community_code = c.community_code
WHERE in_scope(c.street_code, $street_codes) AND ($street IS NULL OR c.street_code = $street)
GROUP BY ALL
ORDER BY c.street_code, c.community_code;
