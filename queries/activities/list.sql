-- One row per activity (on-theme and 自选) held in the months overlapping [$start, $end) and known
-- by $known_at (reported by then, also after the month's end: it belongs to the month it was held in),
-- only of the 社区 whose item detail the session may see; `timely` says it was reported within the
-- activity.timely_days rule of its month.
-- Params: $street_codes, $detail_community (scope); $start, $end (TIMESTAMP); $known_at (default now).
WITH acts AS (
    SELECT a.*
    FROM activity_current a
    WHERE in_scope(a.street_code, $street_codes)
      AND detail_ok(a.community_code, $detail_community)
      AND a.month >= CAST(date_trunc('month', CAST($start AS TIMESTAMP)) AS DATE)
      AND a.month < CAST($end AS TIMESTAMP)
      AND a.reported_at <= CAST($known_at AS TIMESTAMP)
), timely_rule AS (
    SELECT street_code, month, rule_at(street_code, 'activity.timely_days', month) AS timely_days
    FROM (SELECT DISTINCT street_code, month FROM acts)
)
SELECT a.street_code, a.community_code, c.community_name, a.activity_no, a.activity_date, a.month,
    a.title, a.theme_given, a.off_theme, a.activity_type, a.participants, a.volunteer_count, a.place,
    a.reported_at, a.report_delay_days, a.report_delay_days <= t.timely_days AS timely
FROM acts a
JOIN communities c ON c.community_code = a.community_code
JOIN timely_rule t ON t.street_code = a.street_code AND t.month = a.month
ORDER BY a.activity_date, a.community_code, a.activity_no;
