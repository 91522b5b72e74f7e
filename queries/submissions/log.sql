-- One row per submission (accepted, rejected, unchanged, withdrawn), newest first.
-- Params: $street_codes, $detail_community (scope); $limit.
SELECT s.submission_id, s.imported_at, s.file_name, s.kind, s.street_code,
    s.community_code, c.community_name, s.submitted_by, s.row_count, s.inserted, s.updated, s.unchanged,
    CASE WHEN s.withdrawn_at IS NOT NULL THEN '已撤回'
         WHEN s.outcome = 'accepted' THEN '已接收'
         WHEN s.outcome = 'unchanged' THEN '无变化'
         ELSE '已拒收' END AS outcome_label,
    s.outcome, json_array_length(s.problems) AS problem_count, s.problems,
    s.withdrawn_at, s.withdrawn_by, s.withdraw_reason, s.archive_path
FROM submissions s
LEFT JOIN communities c ON c.community_code = s.community_code
WHERE (s.street_code IS NULL AND $street_codes IS NULL OR in_scope(s.street_code, $street_codes))
  AND detail_ok(s.community_code, $detail_community)
ORDER BY s.submission_id DESC
LIMIT $limit;
