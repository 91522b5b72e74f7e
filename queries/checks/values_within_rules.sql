-- Stored values obey the import rules. Failing rows: values no import should have let in.
SELECT 'issue rectified before found' AS problem, community_code || '/' || issue_no AS id FROM issue_current
WHERE rectified_at < found_at OR closed_at < found_at
UNION ALL SELECT 'issue status unknown', community_code || '/' || issue_no FROM issue_current
WHERE status NOT IN ('待整改', '整改中', '已整改', '已销号', '挂账', '无效')
UNION ALL SELECT 'issue category without time limit', community_code || '/' || issue_no FROM issue_current
WHERE time_limit_hours IS NULL
UNION ALL SELECT 'service hours out of range', record_no FROM service_current WHERE hours <= 0 OR hours > 12
UNION ALL SELECT 'negative participants', community_code || '/' || activity_no FROM activity_current WHERE participants < 0
UNION ALL SELECT 'community without residents', community_code FROM communities WHERE residents IS NULL OR residents <= 0;
