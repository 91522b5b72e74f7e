-- One row per 队伍 (team of the volunteer; 未填写 when empty) with service in [$start, $end) up to the
-- as-of day: counted hours (verified, no review notice), all hours, volunteers who served, records.
-- Params: $street_codes (scope), $start, $end, $as_of, $street, $community (NULL = all).
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day, CAST($start AS DATE) AS first_day, vol_last_day($end) + 1 AS end_day
)
SELECT coalesce(nullif(trim(v.team), ''), '未填写') AS team,
    coalesce(sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'verified'), 0) AS hours_verified,
    sum(s.hours) AS hours_total,
    count(DISTINCT s.volunteer_no) AS volunteers,
    count(*) AS records
FROM service_current s
JOIN volunteer_current v USING (volunteer_no)
CROSS JOIN d
WHERE in_scope(s.street_code, $street_codes)
  AND ($street IS NULL OR s.street_code = $street) AND ($community IS NULL OR s.community_code = $community)
  AND s.service_date >= d.first_day AND s.service_date < d.end_day AND s.service_date <= d.last_day
GROUP BY ALL
ORDER BY hours_verified DESC, team;
