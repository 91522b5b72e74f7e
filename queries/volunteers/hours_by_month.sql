-- One row per month from $from to the as-of day (months without service appear with zero):
-- service hours split into counted (verified), unverified and flagged for review.
-- Params: $street_codes (scope), $from, $end (exclusive), $as_of, $street, $community (NULL = all).
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day, CAST($from AS DATE) AS first_day, vol_last_day($end) + 1 AS end_day
), months AS (
    SELECT CAST(m AS DATE) AS month
    FROM d, range(date_trunc('month', d.first_day), least(d.end_day, d.last_day + 1), INTERVAL 1 MONTH) t(m)
), hrs AS (
    SELECT CAST(date_trunc('month', s.service_date) AS DATE) AS month,
        sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'verified') AS hours_verified,
        sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'unverified') AS hours_unverified,
        sum(s.hours) FILTER (WHERE service_part(s.verified, s.notice) = 'flagged') AS hours_flagged
    FROM service_current s, d
    WHERE in_scope(s.street_code, $street_codes)
      AND ($street IS NULL OR s.street_code = $street) AND ($community IS NULL OR s.community_code = $community)
      AND s.service_date >= d.first_day AND s.service_date < d.end_day AND s.service_date <= d.last_day
    GROUP BY ALL
)
SELECT m.month, coalesce(h.hours_verified, 0) AS hours_verified, coalesce(h.hours_unverified, 0) AS hours_unverified,
    coalesce(h.hours_flagged, 0) AS hours_flagged
FROM months m LEFT JOIN hrs h USING (month)
ORDER BY m.month;
