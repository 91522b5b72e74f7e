-- 督办单 as of a moment: one row per order issued by `as_of`, its latest step then (status, last
-- action, note), when it was issued and by whom, and when it was verified done (NULL if not by then).
CREATE OR REPLACE MACRO supervision_asof(as_of) AS TABLE
WITH steps AS (SELECT * FROM supervision_steps WHERE acted_at <= as_of),
first AS (SELECT order_id, min(acted_at) AS issued_at, arg_min(acted_by, step) AS issued_by,
                 count(*) AS steps, max(acted_at) AS last_at,
                 max(acted_at) FILTER (WHERE action = '通过') AS done_at,
                 count(*) FILTER (WHERE action = '退回') AS returned
          FROM steps GROUP BY order_id)
SELECT s.order_id, s.street_code, s.community_code, s.target_kind, s.target_ref, s.target_label, s.title,
       s.reason, s.deadline, s.status, s.action AS last_action, s.note AS last_note, s.acted_by AS last_by,
       f.issued_at, f.issued_by, f.steps, f.last_at, CASE WHEN s.status = '已办结' THEN f.done_at END AS done_at,
       f.returned
FROM steps s JOIN first f ON f.order_id = s.order_id AND f.steps = s.step;
