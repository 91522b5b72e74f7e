-- One row per 社区 in scope (existing on the as-of day) for the period [$start, $end) measured as
-- of $as_of. The composite ranking reads these same numbers.
--   residents          常住人口
--   registered         volunteers registered on or before the as-of day
--   new_registered     of those, registered within the period
--   active             registered volunteers with any service record in the `volunteer.active_days`
--                      days up to and including the as-of day (90 by default)
--   hours_verified     service hours in the period that count: with a 核实人 and no review notice
--   hours_unverified   hours without a 核实人
--   hours_flagged      hours the importer flagged for review (notice, e.g. > 60 h in one week):
--                      listed for review, not counted
--   hours_total        all three together
--   registration_target  the 注册率 target in force (rule volunteer.registration_target)
--   active_days, hours_per_100_full  the active window and the composite's full-marks line for
--                      monthly hours per 100 residents, in force on the as-of day
-- Params: $street_codes (scope), $start, $end (exclusive), $as_of.
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day, CAST($start AS DATE) AS first_day, vol_last_day($end) + 1 AS end_day
), r AS (
    SELECT * FROM volunteer_rules(CAST(date_trunc('month', vol_last_day($as_of)) AS DATE))
), vol AS (
    SELECT v.community_code, count(*) AS registered,
        count(*) FILTER (WHERE v.registered_on >= d.first_day AND v.registered_on < d.end_day) AS new_registered
    FROM volunteer_current v, d
    WHERE in_scope(v.street_code, $street_codes) AND v.registered_on <= d.last_day
    GROUP BY ALL
), last_served AS (
    -- only the widest window any 街道 uses is read, so the scan stays small at city scale
    SELECT s.volunteer_no, max(s.service_date) AS last_served
    FROM service_current s
    WHERE in_scope(s.street_code, $street_codes) AND s.service_date <= vol_last_day($as_of)
      AND s.service_date > vol_last_day($as_of) - (SELECT max(active_days) FROM r)
    GROUP BY ALL
), act AS (
    SELECT v.community_code, count(*) AS active
    FROM volunteer_current v
    JOIN last_served l USING (volunteer_no)
    JOIN r ON r.street_code = v.street_code
    WHERE in_scope(v.street_code, $street_codes) AND v.registered_on <= vol_last_day($as_of)
      AND l.last_served > vol_last_day($as_of) - r.active_days
    GROUP BY ALL
), hrs AS (
    SELECT s.community_code,
        sum(s.hours) AS hours_total,
        sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'verified') AS hours_verified,
        sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'unverified') AS hours_unverified,
        sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'flagged') AS hours_flagged
    FROM service_current s, d
    WHERE in_scope(s.street_code, $street_codes)
      AND s.service_date >= d.first_day AND s.service_date < d.end_day AND s.service_date <= d.last_day
    GROUP BY ALL
)
SELECT c.street_code, c.community_code, c.community_name, c.residents,
    coalesce(vol.registered, 0) AS registered,
    coalesce(act.active, 0) AS active,
    coalesce(hrs.hours_verified, 0) AS hours_verified,
    coalesce(hrs.hours_total, 0) AS hours_total,
    coalesce(vol.new_registered, 0) AS new_registered,
    coalesce(hrs.hours_unverified, 0) AS hours_unverified,
    coalesce(hrs.hours_flagged, 0) AS hours_flagged,
    r.registration_target, r.active_days, r.hours_per_100_full
FROM communities c
CROSS JOIN d
LEFT JOIN r USING (street_code)
LEFT JOIN vol USING (community_code)
LEFT JOIN act USING (community_code)
LEFT JOIN hrs USING (community_code)
WHERE in_scope(c.street_code, $street_codes)
  AND (c.established_on IS NULL OR c.established_on <= d.last_day)
ORDER BY c.street_code, c.community_code;
