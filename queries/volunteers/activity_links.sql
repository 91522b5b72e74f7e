-- One row per themed activity (activity_current) held in [$start, $end) up to the as-of day that
-- service records name by 关联活动编号 in the same 社区: the activity, how many volunteers served
-- at it, their hours (all, and counted), and up to 10 of their names (masked unless the session
-- may see them). Activity detail only where the session may see it (detail_ok).
-- Params: $street_codes, $detail_community, $reveal_all, $own_community (scope), $start, $end,
-- $as_of, $street, $community (NULL = all), $limit.
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day, CAST($start AS DATE) AS first_day, vol_last_day($end) + 1 AS end_day
), linked AS (
    SELECT a.community_code, a.activity_no, s.volunteer_no,
        sum(s.hours) AS hours,
        coalesce(sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'verified'), 0) AS hours_verified
    FROM service_current s
    JOIN activity_current a ON a.community_code = s.community_code AND a.activity_no = s.activity_no
    CROSS JOIN d
    WHERE in_scope(a.street_code, $street_codes) AND detail_ok(a.community_code, $detail_community)
      AND ($street IS NULL OR a.street_code = $street) AND ($community IS NULL OR a.community_code = $community)
      AND a.activity_date >= d.first_day AND a.activity_date < d.end_day AND a.activity_date <= d.last_day
      AND s.service_date <= d.last_day
    GROUP BY ALL
)
SELECT a.activity_date, a.community_code, c.community_name, a.activity_no, a.title,
    CASE WHEN a.off_theme THEN '自选' ELSE coalesce(t.theme, '') END AS theme,
    a.participants,
    count(*) AS volunteers, sum(l.hours) AS hours, sum(l.hours_verified) AS hours_verified,
    string_agg(CASE WHEN may_reveal(a.community_code, $reveal_all, $own_community) THEN v.name
                    ELSE mask_person(v.name) END, '、' ORDER BY l.hours DESC, l.volunteer_no)
        FILTER (WHERE l.rn <= 10) AS names
FROM (SELECT *, row_number() OVER (PARTITION BY community_code, activity_no ORDER BY hours DESC, volunteer_no) AS rn
      FROM linked) l
JOIN activity_current a USING (community_code, activity_no)
JOIN communities c ON c.community_code = a.community_code
JOIN volunteer_current v ON v.volunteer_no = l.volunteer_no
LEFT JOIN theme_of_month t ON t.street_code = a.street_code AND t.year = year(a.activity_date)
    AND t.month = month(a.activity_date)
GROUP BY ALL
ORDER BY a.activity_date DESC, c.community_name, a.activity_no
LIMIT $limit;
