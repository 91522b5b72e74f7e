-- One row per 社区 and kind: when it last sent data, how many rows arrived this month, the newest
-- patrol day it covered and how many activities were reported more than 7 days late this month.
-- Params: $street_codes (scope); $month_start (first day of this month, TIMESTAMP); $as_of.
WITH live AS (
    SELECT submission_id, imported_at FROM submissions
    WHERE outcome = 'accepted' AND withdrawn_at IS NULL AND imported_at <= $as_of
), facts AS (
    SELECT '巡查问题' AS kind, community_code, submission_id, NULL::DATE AS fact_day FROM issue_versions
    UNION ALL SELECT '巡查记录', community_code, submission_id, patrol_date FROM patrol_versions
    UNION ALL SELECT '主题活动', community_code, submission_id, activity_date FROM activity_versions
    UNION ALL SELECT '服务时长', community_code, submission_id, service_date FROM service_versions
), by_kind AS (
    SELECT f.kind, f.community_code, max(l.imported_at) AS last_import,
        count(*) FILTER (WHERE l.imported_at >= $month_start) AS rows_this_month,
        max(f.fact_day) FILTER (WHERE f.kind = '巡查记录') AS latest_patrol_day
    FROM facts f JOIN live l USING (submission_id)
    GROUP BY ALL
), late_activities AS (
    SELECT community_code, count(*) AS late_activities
    FROM activity_current
    WHERE activity_date >= CAST($month_start AS DATE) AND report_delay_days > 7
    GROUP BY ALL
)
SELECT c.street_code, c.community_code, c.community_name, k.kind, b.last_import,
    coalesce(b.rows_this_month, 0) AS rows_this_month, b.latest_patrol_day,
    coalesce(la.late_activities, 0) AS late_activities
FROM communities c
CROSS JOIN (VALUES ('巡查问题'), ('巡查记录'), ('主题活动'), ('服务时长')) k(kind)
LEFT JOIN by_kind b ON b.community_code = c.community_code AND b.kind = k.kind
LEFT JOIN late_activities la ON la.community_code = c.community_code AND k.kind = '主题活动'
WHERE in_scope(c.street_code, $street_codes)
  AND (c.established_on IS NULL OR c.established_on <= CAST($as_of AS DATE))
ORDER BY c.community_code, k.kind;
