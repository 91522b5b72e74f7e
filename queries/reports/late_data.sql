-- One row per kind of data: records about the month [$start, $end) of a 街道 that arrived after the
-- bulletin's close ($known_at) — counted so the bulletin can say what it does not include.
-- Params: $street_codes (scope); $street; $start, $end (TIMESTAMP); $known_at.
WITH late AS (
    SELECT submission_id, imported_at FROM submissions
    WHERE outcome = 'accepted' AND withdrawn_at IS NULL AND imported_at > $known_at
)
SELECT kind, count(*) AS rows, min(imported_at) AS first_at, max(imported_at) AS last_at
FROM (
    SELECT '巡查问题' AS kind, l.imported_at FROM issue_versions v JOIN late l USING (submission_id)
    WHERE v.street_code = $street AND v.found_at >= $start AND v.found_at < $end
    UNION ALL SELECT '巡查记录', l.imported_at FROM patrol_versions v JOIN late l USING (submission_id)
    WHERE v.street_code = $street AND v.patrol_date >= CAST($start AS DATE) AND v.patrol_date < CAST($end AS DATE)
    UNION ALL SELECT '主题活动', l.imported_at FROM activity_versions v JOIN late l USING (submission_id)
    WHERE v.street_code = $street AND v.activity_date >= CAST($start AS DATE) AND v.activity_date < CAST($end AS DATE)
    UNION ALL SELECT '服务时长', l.imported_at FROM service_versions v JOIN late l USING (submission_id)
    WHERE v.street_code = $street AND v.service_date >= CAST($start AS DATE) AND v.service_date < CAST($end AS DATE)
    UNION ALL SELECT '红黑榜', l.imported_at FROM honor_versions v JOIN late l USING (submission_id)
    WHERE v.street_code = $street AND v.period >= CAST($start AS DATE) AND v.period < CAST($end AS DATE)
) x
WHERE in_scope($street, $street_codes)
GROUP BY kind ORDER BY kind;
