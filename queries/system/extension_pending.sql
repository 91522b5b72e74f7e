-- One row: how many 延期 requests for the issue $community/$issue_no stand at 待审批 in their latest
-- version (n). Not scoped: the caller is the 社区's own account, checked first.
-- Params: $community, $issue_no.
SELECT count(*) AS n
FROM (SELECT * FROM issue_extensions QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY version DESC) = 1)
WHERE community_code = $community AND issue_no = $issue_no AND status = '待审批';
