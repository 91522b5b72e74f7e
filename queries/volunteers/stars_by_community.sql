-- One row per 社区 in scope and 星级 (1..5) that has volunteers: how many registered volunteers hold
-- that star on the as-of day, from cumulative counted hours (verified, no review notice) up to and
-- including the as-of day, with the thresholds in force that month (volunteer.star1..5).
-- Params: $street_codes (scope), $as_of, $street, $community (NULL = all).
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day
), r AS (
    SELECT * FROM volunteer_rules(CAST(date_trunc('month', vol_last_day($as_of)) AS DATE))
), cum AS (
    SELECT s.volunteer_no, sum(s.hours) AS hours
    FROM service_current s, d
    WHERE in_scope(s.street_code, $street_codes)
      AND ($street IS NULL OR s.street_code = $street) AND ($community IS NULL OR s.community_code = $community)
      AND s.service_date <= d.last_day AND service_part(s.verified, s.notice) = 'verified'
    GROUP BY ALL
)
SELECT v.street_code, v.community_code, c.community_name,
    star_of(cum.hours, r.star1, r.star2, r.star3, r.star4, r.star5) AS star,
    count(*) AS volunteers
FROM cum
JOIN volunteer_current v USING (volunteer_no)
JOIN communities c ON c.community_code = v.community_code
JOIN r ON r.street_code = v.street_code
CROSS JOIN d
WHERE v.registered_on <= d.last_day AND in_scope(v.street_code, $street_codes)
  AND ($street IS NULL OR v.street_code = $street) AND ($community IS NULL OR v.community_code = $community)
  AND star_of(cum.hours, r.star1, r.star2, r.star3, r.star4, r.star5) > 0
GROUP BY ALL
ORDER BY v.street_code, v.community_code, star;
