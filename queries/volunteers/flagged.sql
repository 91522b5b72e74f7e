-- One row per volunteer and week (Monday start) with service records in [$start, $end) up to the
-- as-of day that carry a review notice from the importer (e.g. more than 60 h in one week): the
-- hours on those records (not counted until resolved), the week's hours of all records, and the
-- notices (without the 志愿者编号 they quote: the row names the person). Listed only where the
-- session may see item detail (detail_ok); name masked unless the session may see it.
-- Params: $street_codes, $detail_community, $reveal_all, $own_community (scope), $start, $end,
-- $as_of, $street, $community (NULL = all), $limit.
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day, CAST($start AS DATE) AS first_day, vol_last_day($end) + 1 AS end_day
), flagged AS (
    SELECT s.volunteer_no, CAST(date_trunc('week', s.service_date) AS DATE) AS week,
        count(*) AS records, sum(s.hours) AS hours_flagged,
        string_agg(DISTINCT regexp_replace(s.notice, '志愿者 \S+ ', ''), '；') AS notices
    FROM service_current s, d
    WHERE s.notice IS NOT NULL AND in_scope(s.street_code, $street_codes)
      AND detail_ok(s.community_code, $detail_community)
      AND ($street IS NULL OR s.street_code = $street) AND ($community IS NULL OR s.community_code = $community)
      AND s.service_date >= d.first_day AND s.service_date < d.end_day AND s.service_date <= d.last_day
    GROUP BY ALL
), week_total AS (
    SELECT s.volunteer_no, f.week, sum(s.hours) AS week_hours
    FROM service_current s
    JOIN flagged f ON f.volunteer_no = s.volunteer_no
        AND s.service_date >= f.week AND s.service_date < f.week + 7
    WHERE in_scope(s.street_code, $street_codes)
      AND s.service_date >= CAST($start AS DATE) - 7 AND s.service_date < CAST($end AS DATE) + 7
    GROUP BY ALL
)
SELECT CASE WHEN may_reveal(v.community_code, $reveal_all, $own_community) THEN v.name ELSE mask_person(v.name) END AS name,
    v.street_code, v.community_code, c.community_name, v.team, f.week, f.records, f.hours_flagged,
    w.week_hours, f.notices
FROM flagged f
JOIN week_total w USING (volunteer_no, week)
JOIN volunteer_current v USING (volunteer_no)
JOIN communities c ON c.community_code = v.community_code
ORDER BY f.week DESC, w.week_hours DESC, v.volunteer_no
LIMIT $limit;
