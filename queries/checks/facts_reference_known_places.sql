-- Every fact names a known 社区 of its own 街道 (and a known 网格 of that 社区 where it has one).
SELECT 'issue' AS fact, i.community_code, i.issue_no AS id FROM issue_current i
LEFT JOIN communities c ON c.community_code = i.community_code AND c.street_code = i.street_code
WHERE c.community_code IS NULL
UNION ALL SELECT 'issue_grid', i.community_code, i.issue_no FROM issue_current i
LEFT JOIN grids g ON g.grid_code = i.grid_code AND g.community_code = i.community_code
WHERE i.grid_code IS NOT NULL AND g.grid_code IS NULL
UNION ALL SELECT 'patrol', p.community_code, p.grid_code FROM patrol_current p
LEFT JOIN grids g ON g.grid_code = p.grid_code AND g.community_code = p.community_code WHERE g.grid_code IS NULL
UNION ALL SELECT 'activity', a.community_code, a.activity_no FROM activity_current a
LEFT JOIN communities c ON c.community_code = a.community_code WHERE c.community_code IS NULL
UNION ALL SELECT 'service', s.community_code, s.record_no FROM service_current s
LEFT JOIN volunteer_current v USING (volunteer_no) WHERE v.volunteer_no IS NULL OR v.community_code <> s.community_code;
