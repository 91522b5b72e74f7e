-- 督办单 as they stand at $as_of: one row per order whose 社区's detail the session may see.
-- Params: scope; $as_of; $street, $community (NULL = all in scope); $open_only (TRUE: not 已办结).
SELECT o.order_id, o.street_code, o.community_code, c.community_name, o.target_kind, o.target_ref,
       o.target_label, o.title, o.reason, o.deadline, o.status, o.last_action, o.last_note, o.last_by,
       o.issued_at, o.issued_by, o.steps, o.last_at, o.done_at, o.returned,
       (o.status <> '已办结' AND o.deadline < $as_of) AS is_overdue,
       CASE WHEN o.status <> '已办结' AND o.deadline < $as_of
            THEN date_diff('minute', o.deadline, $as_of) / 1440.0 END AS days_overdue
FROM supervision_asof($as_of) o
JOIN communities c ON c.community_code = o.community_code
WHERE in_scope(o.street_code, $street_codes) AND detail_ok(o.community_code, $detail_community)
  AND ($street IS NULL OR o.street_code = $street) AND ($community IS NULL OR o.community_code = $community)
  AND (NOT $open_only OR o.status <> '已办结')
ORDER BY o.status = '已办结', o.deadline, o.order_id;
