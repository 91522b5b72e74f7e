-- The 督办 steps on one issue (社区 $issue_community, 编号 $issue_no), for the issue's history: every
-- step of every order issued on it, oldest first, if its 社区's detail is visible.
-- Params: scope; $issue_community, $issue_no.
SELECT s.order_id, s.step, s.action, s.status, s.note, s.acted_by, s.acted_at, s.deadline
FROM supervision_steps s
WHERE in_scope(s.street_code, $street_codes) AND detail_ok(s.community_code, $detail_community)
  AND s.target_kind = 'issue' AND s.community_code = $issue_community AND s.target_ref = $issue_no
ORDER BY s.acted_at, s.order_id, s.step;
