-- One row per 社区 in scope per month overlapping [$start, $end) that has begun by $as_of: the
-- inputs of the monthly activity score (docs/rules.md §主题活动月度得分) and the activity.* rules in force that month.
-- An activity belongs to the month it was held in and counts there once it is known: reported by
-- $known_at (now on a page; the close on the 10th for the 通报), also after the month's end — the
-- month itself is measured at $as_of, its reports are read as known at $known_at (docs/time.md).
-- A late report still counts, only not as timely (report_delay_days <= rule_timely_days).
-- existed: the 社区 existed during the month (established_on empty or before the month's end).
-- Points, ranks and "provisional" are computed by wenming.activities.metrics.score_month; the composite
-- ranking uses the same query and function.
-- Params: $street_codes (scope); $start, $end (TIMESTAMP); $as_of (TIMESTAMP); $known_at (TIMESTAMP,
--   db.run binds now by default).
WITH months AS (
    SELECT CAST(m AS DATE) AS month
    FROM range(date_trunc('month', CAST($start AS TIMESTAMP)), CAST($end AS TIMESTAMP), INTERVAL 1 MONTH) t(m)
    WHERE m <= CAST($as_of AS TIMESTAMP)
), comm AS (
    SELECT street_code, community_code, community_name, residents, established_on
    FROM communities
    WHERE in_scope(street_code, $street_codes)
), rules AS (
    SELECT s.street_code, m.month,
        rule_at(s.street_code, 'activity.done_points', m.month) AS rule_done_points,
        rule_at(s.street_code, 'activity.participation_points', m.month) AS rule_participation_points,
        rule_at(s.street_code, 'activity.participation_full_permille', m.month) AS rule_participation_full_permille,
        rule_at(s.street_code, 'activity.richness_points_each', m.month) AS rule_richness_points_each,
        rule_at(s.street_code, 'activity.richness_max_count', m.month) AS rule_richness_max_count,
        rule_at(s.street_code, 'activity.timely_points', m.month) AS rule_timely_points,
        rule_at(s.street_code, 'activity.timely_days', m.month) AS rule_timely_days
    FROM (SELECT DISTINCT street_code FROM comm) s CROSS JOIN months m
), acts AS (
    SELECT a.community_code, a.month,
        count(*) FILTER (WHERE NOT a.off_theme) AS on_theme_count,
        count(*) FILTER (WHERE a.off_theme) AS off_theme_count,
        coalesce(sum(a.participants) FILTER (WHERE NOT a.off_theme), 0) AS participants,
        coalesce(sum(a.participants) FILTER (WHERE a.off_theme), 0) AS off_theme_participants,
        count(*) FILTER (WHERE NOT a.off_theme AND a.report_delay_days <= r.rule_timely_days) AS timely_count
    FROM activity_current a
    JOIN rules r ON r.street_code = a.street_code AND r.month = a.month
    WHERE in_scope(a.street_code, $street_codes) AND a.reported_at <= CAST($known_at AS TIMESTAMP)
      AND a.activity_date < CAST($as_of AS TIMESTAMP)  -- held by the moment measured (a 同期 window)
    GROUP BY ALL
)
SELECT c.street_code, c.community_code, c.community_name, m.month,
    (c.established_on IS NULL OR c.established_on < m.month + INTERVAL 1 MONTH) AS existed,
    c.established_on,
    coalesce(a.on_theme_count, 0) AS on_theme_count,
    coalesce(a.off_theme_count, 0) AS off_theme_count,
    coalesce(a.participants, 0) AS participants,
    coalesce(a.off_theme_participants, 0) AS off_theme_participants,
    c.residents,
    coalesce(a.timely_count, 0) AS timely_count,
    r.rule_done_points, r.rule_participation_points, r.rule_participation_full_permille,
    r.rule_richness_points_each, r.rule_richness_max_count, r.rule_timely_points, r.rule_timely_days,
    CAST($as_of AS TIMESTAMP) AS measured_at
FROM comm c
CROSS JOIN months m
JOIN rules r ON r.street_code = c.street_code AND r.month = m.month
LEFT JOIN acts a ON a.community_code = c.community_code AND a.month = m.month
ORDER BY c.street_code, c.community_code, m.month;
