-- One issue (社区 $issue_community, 编号 $issue_no), if in scope and its 社区's detail is visible: since
-- when it is 返工 (reopened by a 复查不合格 after its latest version; NULL otherwise), its deadline from
-- the time limit and the one an approved 延期 set by $as_of (NULL when none).
-- Params: $street_codes, $detail_community (scope); $as_of; $issue_community, $issue_no.
SELECT c.street_code, c.community_code, c.issue_no, c.reworked_at, c.deadline AS deadline_original,
    x.deadline AS deadline_extended
FROM issue_current c
LEFT JOIN issue_deadline_at($as_of) x USING (community_code, issue_no)
WHERE in_scope(c.street_code, $street_codes) AND detail_ok(c.community_code, $detail_community)
  AND c.community_code = $issue_community AND c.issue_no = $issue_no;
