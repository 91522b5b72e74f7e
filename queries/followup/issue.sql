-- One issue (社区 $issue_community, 编号 $issue_no) as of $as_of (the app passes now), if in scope and
-- its 社区's detail is visible: its state then, since when it is 返工 (reopened by a 复查不合格 after its
-- latest version; NULL otherwise), its deadline from the time limit and the one in force (moved by an
-- approved 延期 by $as_of).
-- Params: $street_codes, $detail_community (scope); $as_of; $issue_community, $issue_no.
SELECT i.street_code, i.community_code, i.issue_no, i.status_asof, i.is_rectified, i.is_overdue,
    c.reworked_at, c.deadline AS deadline_original, i.deadline AS deadline_now, i.deadline_extended
FROM issue_asof($as_of) i
JOIN issue_current c USING (community_code, issue_no)
WHERE in_scope(i.street_code, $street_codes) AND detail_ok(i.community_code, $detail_community)
  AND i.community_code = $issue_community AND i.issue_no = $issue_no;
