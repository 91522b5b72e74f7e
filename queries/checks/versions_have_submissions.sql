-- Every stored version belongs to a logged, accepted submission. Failing rows: orphans.
SELECT 'issue_versions' AS tbl, submission_id FROM issue_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'patrol_versions', submission_id FROM patrol_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'activity_versions', submission_id FROM activity_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'volunteer_versions', submission_id FROM volunteer_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'service_versions', submission_id FROM service_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'honor_versions', submission_id FROM honor_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'community_versions', submission_id FROM community_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'grid_versions', submission_id FROM grid_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted')
UNION ALL SELECT 'boundary_versions', submission_id FROM boundary_versions WHERE submission_id NOT IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted');
