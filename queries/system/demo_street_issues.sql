-- Every issue of one 街道 as it stands (status, 发现/整改 time, original deadline), by 社区 and 编号:
-- what the demo builder picks its 督办单, 复查 and 延期 examples from (wenming/supervision/demo.py,
-- wenming/followup/demo.py). Not scoped: the builder runs before any account exists.
-- Params: $street.
SELECT i.community_code, i.issue_no, i.category, i.status, i.found_at, i.rectified_at, i.deadline
FROM issue_current i
JOIN communities c USING (community_code)
WHERE c.street_code = $street
ORDER BY i.community_code, i.issue_no;
