-- Each current table holds one row per identity. Failing rows: duplicated identities.
SELECT 'issue_current' AS tbl, community_code || '/' || issue_no AS id FROM issue_current GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'activity_current', community_code || '/' || activity_no FROM activity_current GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'volunteer_current', volunteer_no FROM volunteer_current GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'service_current', record_no FROM service_current GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'honor_current', community_code || '/' || entry_no FROM honor_current GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'communities', community_code FROM communities GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'grids', grid_code FROM grids GROUP BY ALL HAVING count(*) > 1;
