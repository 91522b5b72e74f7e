-- One row per 复查 result and per 延期 step of one issue (社区 $issue_community, 编号 $issue_no), oldest
-- first, if in scope and its 社区's detail is visible: what happened, when, by whom, and the note.
-- Params: $street_codes, $detail_community (scope); $issue_community, $issue_no.
SELECT * FROM (
    SELECT '复查' AS kind, r.recorded_at AS step_at, coalesce(r.recorded_by, '导入') AS actor,
        '复查' || r.result AS step, r.reviewed_at, r.reviewer, r.note, NULL::TIMESTAMP AS deadline,
        r.submission_id
    FROM issue_reviews_known r
    WHERE in_scope(r.street_code, $street_codes) AND detail_ok(r.community_code, $detail_community)
      AND r.community_code = $issue_community AND r.issue_no = $issue_no
    UNION ALL
    SELECT '延期', e.acted_at, e.acted_by,
        CASE e.status WHEN '待审批' THEN '申请延期' WHEN '已批准' THEN '批准延期' ELSE '驳回延期' END,
        NULL, NULL, CASE WHEN e.status = '待审批' THEN e.reason ELSE e.decision_reason END,
        e.requested_deadline, NULL
    FROM issue_extensions e
    WHERE in_scope(e.street_code, $street_codes) AND detail_ok(e.community_code, $detail_community)
      AND e.community_code = $issue_community AND e.issue_no = $issue_no
)
ORDER BY step_at, kind;
