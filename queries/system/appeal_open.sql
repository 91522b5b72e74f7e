-- The latest status of every 申诉 of the 社区 $community against item $issue_no in month $month that is
-- still 待处理 or was 已采纳 (one row each; any row refuses a new appeal). Not scoped: the caller is
-- the 社区's own account, checked first.
-- Params: $community, $month, $issue_no.
SELECT status
FROM (SELECT * FROM composite_appeals QUALIFY row_number() OVER (PARTITION BY appeal_id ORDER BY version DESC) = 1)
WHERE community_code = $community AND month = $month AND item_no = $issue_no AND status IN ('待处理', '已采纳');
