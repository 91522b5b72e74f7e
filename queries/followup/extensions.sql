-- One row per 延期 request in scope (its latest step), of the 社区 whose detail the session may see,
-- newest first: the issue, the deadline before, the one asked for, the reason and the decision.
-- Params: $street_codes, $detail_community (scope); $street, $community, $status (NULL = all; 待审批,
--   已批准, 已驳回); $limit.
WITH latest AS (
    SELECT * FROM issue_extensions
    QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY version DESC) = 1
), asked AS (
    SELECT request_id, acted_by AS requested_by, acted_at AS requested_at FROM issue_extensions WHERE version = 1
)
SELECT l.request_id, l.street_code, l.community_code, c.community_name, l.issue_no, i.category,
    l.deadline_before, l.requested_deadline, l.reason, l.status, l.decision_reason,
    a.requested_by, a.requested_at,
    CASE WHEN l.version > 1 THEN l.acted_by END AS decided_by,
    CASE WHEN l.version > 1 THEN l.acted_at END AS decided_at
FROM latest l
JOIN asked a USING (request_id)
JOIN communities c ON c.community_code = l.community_code
LEFT JOIN issue_current i ON i.community_code = l.community_code AND i.issue_no = l.issue_no
WHERE in_scope(l.street_code, $street_codes) AND detail_ok(l.community_code, $detail_community)
  AND ($street IS NULL OR l.street_code = $street) AND ($community IS NULL OR l.community_code = $community)
  AND ($status IS NULL OR l.status = $status)
ORDER BY l.status <> '待审批', a.requested_at DESC, l.request_id DESC
LIMIT $limit;
