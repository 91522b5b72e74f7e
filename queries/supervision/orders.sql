-- 督办单 as they stand at $as_of: one row per order whose 社区's detail the session may see.
-- Params: scope; $as_of; $street, $community (NULL = all in scope); $open_only (TRUE: not 已办结).
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
    FROM steps s JOIN agg a ON a.order_id = s.order_id AND a.steps = s.step)
SELECT o.order_id, o.street_code, o.community_code, c.community_name, o.target_kind, o.target_ref,
       o.target_label, o.title, o.reason, o.deadline, o.status, o.last_action, o.last_note, o.last_by,
       o.issued_at, o.issued_by, o.steps, o.last_at, o.done_at, o.returned,
       (o.status <> '已办结' AND o.deadline < $as_of) AS is_overdue,
       CASE WHEN o.status <> '已办结' AND o.deadline < $as_of
            THEN date_diff('minute', o.deadline, $as_of) / 1440.0 END AS days_overdue
FROM o
JOIN communities c ON c.community_code = o.community_code
WHERE in_scope(o.street_code, $street_codes) AND detail_ok(o.community_code, $detail_community)
  AND ($street IS NULL OR o.street_code = $street) AND ($community IS NULL OR o.community_code = $community)
  AND (NOT $open_only OR o.status <> '已办结')
ORDER BY o.status = '已办结', o.deadline, o.order_id;
