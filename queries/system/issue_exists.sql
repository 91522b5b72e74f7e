-- One row: how many current issues of the 社区 $community have the 编号 $issue_no (n, 0 or 1). Not
-- scoped: the caller checked the 社区 is within the acting account's 街道 first.
-- Params: $community, $issue_no.
SELECT count(*) AS n FROM issue_current WHERE community_code = $community AND issue_no = $issue_no;
