-- One row per 申诉 in scope (its latest step), of the 社区 whose detail the session may see, open ones
-- first, newest first: the month, the item, the lines it cost points on, reason, evidence, decision.
-- Params: $street_codes, $detail_community (scope); $street, $community, $month (DATE), $status
--   (NULL = all; 待处理, 已采纳, 已驳回); $limit.
WITH latest AS (
    SELECT * FROM composite_appeals
    QUALIFY row_number() OVER (PARTITION BY appeal_id ORDER BY version DESC) = 1
), filed AS (
    SELECT appeal_id, acted_by AS filed_by, acted_at AS filed_at FROM composite_appeals WHERE version = 1
)
SELECT l.appeal_id, l.street_code, l.community_code, c.community_name, l.month, l.item_kind, l.item_no,
    i.category, l.item_lines, l.reason, l.evidence, l.image_path, l.image_sha256, l.status, l.decision_reason,
    f.filed_by, f.filed_at,
    CASE WHEN l.version > 1 THEN l.acted_by END AS decided_by,
    CASE WHEN l.version > 1 THEN l.acted_at END AS decided_at
FROM latest l
JOIN filed f USING (appeal_id)
JOIN communities c ON c.community_code = l.community_code
LEFT JOIN issue_current i ON i.community_code = l.community_code AND i.issue_no = l.item_no
WHERE in_scope(l.street_code, $street_codes) AND detail_ok(l.community_code, $detail_community)
  AND ($street IS NULL OR l.street_code = $street) AND ($community IS NULL OR l.community_code = $community)
  AND ($month IS NULL OR l.month = $month) AND ($status IS NULL OR l.status = $status)
ORDER BY l.status <> '待处理', f.filed_at DESC, l.appeal_id DESC
LIMIT $limit;
