-- One row per volunteer whose 星级 rose during [$start, $end) as of $as_of (新晋星级): the star from
-- counted hours before the period against the star from counted hours up to the as-of day, both
-- with the thresholds in force on the as-of day (so a rule change alone promotes nobody).
-- Highest new star first, at most $limit rows; `total` is the count before the limit.
-- Name masked unless the session may see it. Params: $street_codes (scope), $start, $end, $as_of,
-- $street, $community (NULL = all), $limit.
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day, CAST($start AS DATE) AS first_day
), r AS (
    SELECT * FROM volunteer_rules(CAST(date_trunc('month', vol_last_day($as_of)) AS DATE))
), cum AS (
    SELECT s.volunteer_no,
        coalesce(sum(s.hours) FILTER (WHERE s.service_date < d.first_day), 0) AS hours_before,
        sum(s.hours) AS hours_after
    FROM service_current s, d
    WHERE in_scope(s.street_code, $street_codes)
      AND ($street IS NULL OR s.street_code = $street) AND ($community IS NULL OR s.community_code = $community)
      AND s.service_date <= d.last_day AND service_part(s.verified, s.notice) = 'verified'
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE s.service_date >= d.first_day) > 0
), promoted AS (
    SELECT v.volunteer_no, v.name, v.street_code, v.community_code, v.team, cum.hours_before, cum.hours_after,
        star_of(cum.hours_before, r.star1, r.star2, r.star3, r.star4, r.star5) AS star_before,
        star_of(cum.hours_after, r.star1, r.star2, r.star3, r.star4, r.star5) AS star_after
    FROM cum
    JOIN volunteer_current v USING (volunteer_no)
    JOIN r ON r.street_code = v.street_code
    WHERE in_scope(v.street_code, $street_codes)
      AND ($street IS NULL OR v.street_code = $street) AND ($community IS NULL OR v.community_code = $community)
)
SELECT CASE WHEN may_reveal(p.community_code, $reveal_all, $own_community) THEN p.name ELSE mask_person(p.name) END AS name,
    p.street_code, p.community_code, c.community_name, p.team,
    p.star_before, p.star_after, p.hours_before, p.hours_after,
    count(*) OVER () AS total
FROM promoted p
JOIN communities c ON c.community_code = p.community_code
WHERE p.star_after > p.star_before
ORDER BY p.star_after DESC, p.hours_after DESC, p.volunteer_no
LIMIT $limit;
