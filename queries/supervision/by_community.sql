-- 督办 counts per 社区 in scope (counts only: every reader may see them), measured at $as_of for the
-- period [$start, $end). Grain: one row per 社区 of the 街道 ($street; NULL = every 街道 in scope).
--   sv_open      督办 issued by $as_of and not verified done then (whatever their deadline)
--   sv_overdue   of those, past their deadline at $as_of
--   sv_done      verified done (通过) within [$start, $as_of)
--   sv_due       应办结: deadline in the period and before $as_of, or verified done in the period
--   sv_done_due  of sv_due, verified done by $as_of
--   sv_on_time   of sv_due, verified done at or before their own deadline
-- (prefixed sv_: the 区 view merges them beside the patrol sums, which have their own on_time)
-- Params: scope; $street; $start, $end, $as_of.
WITH steps AS (SELECT * FROM supervision_steps WHERE acted_at <= $as_of),
agg AS (SELECT order_id, min(acted_at) AS issued_at, arg_min(acted_by, step) AS issued_by, count(*) AS steps,
               max(acted_at) AS last_at, max(acted_at) FILTER (WHERE action = '通过') AS done_at,
               count(*) FILTER (WHERE action = '退回') AS returned
        FROM steps GROUP BY order_id),
o AS (  -- each order as it stood at $as_of: its latest step then
    SELECT s.order_id, s.street_code, s.community_code, s.target_kind, s.target_ref, s.target_label, s.title,
           s.reason, s.deadline, s.status, s.action AS last_action, s.note AS last_note, s.acted_by AS last_by,
           a.issued_at, a.issued_by, a.steps, a.last_at, CASE WHEN s.status = '已办结' THEN a.done_at END AS done_at,
           a.returned
    FROM steps s JOIN agg a ON a.order_id = s.order_id AND a.steps = s.step),
flags AS (
    SELECT o.*,
           (o.done_at IS NOT NULL AND o.done_at >= $start AND o.done_at < $end) AS done_in_period,
           ((o.deadline >= $start AND o.deadline < $end AND o.deadline < $as_of)
             OR (o.done_at IS NOT NULL AND o.done_at >= $start AND o.done_at < $end)) AS is_due
    FROM o)
SELECT c.street_code, c.community_code, c.community_name,
       count(f.order_id) FILTER (WHERE f.status <> '已办结') AS sv_open,
       count(f.order_id) FILTER (WHERE f.status <> '已办结' AND f.deadline < $as_of) AS sv_overdue,
       count(f.order_id) FILTER (WHERE f.done_in_period) AS sv_done,
       count(f.order_id) FILTER (WHERE f.is_due) AS sv_due,
       count(f.order_id) FILTER (WHERE f.is_due AND f.done_at IS NOT NULL) AS sv_done_due,
       count(f.order_id) FILTER (WHERE f.is_due AND f.done_at IS NOT NULL AND f.done_at <= f.deadline) AS sv_on_time
FROM communities c
LEFT JOIN flags f ON f.community_code = c.community_code
WHERE in_scope(c.street_code, $street_codes) AND ($street IS NULL OR c.street_code = $street)
GROUP BY ALL
ORDER BY c.street_code, c.community_code;
