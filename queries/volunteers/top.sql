-- One row per volunteer among the top $limit by counted hours (verified, no review notice) served
-- in [$start, $end) up to the as-of day: rank (ties share a rank: 1, 2, 2, 4), 社区, team,
-- period hours and records, cumulative counted hours up to the as-of day and the thresholds in force
-- (the page turns them into a 星级 with wenming.volunteers.metrics.star_level). Name masked unless the
-- session may see it; phone never selected. Hours are counted in the 社区 the record belongs to.
-- Params: $street_codes (scope), $start, $end, $as_of, $street, $community (NULL = all), $limit.
WITH d AS (
    SELECT vol_last_day($as_of) AS last_day, CAST($start AS DATE) AS first_day, vol_last_day($end) + 1 AS end_day
), r AS (
    SELECT * FROM volunteer_rules(CAST(date_trunc('month', vol_last_day($as_of)) AS DATE))
), served AS (
    SELECT s.volunteer_no, sum(s.hours) AS hours, count(*) AS records
    FROM service_current s, d
    WHERE in_scope(s.street_code, $street_codes)
      AND ($street IS NULL OR s.street_code = $street) AND ($community IS NULL OR s.community_code = $community)
      AND s.service_date >= d.first_day AND s.service_date < d.end_day AND s.service_date <= d.last_day
      AND service_part(s.verified, s.notice) = 'verified'
    GROUP BY ALL
), top AS (
    SELECT *, rank() OVER (ORDER BY hours DESC) AS rank
    FROM served
    ORDER BY hours DESC, volunteer_no
    LIMIT $limit
), cum AS (
    SELECT s.volunteer_no, sum(s.hours) AS cumulative_hours
    FROM service_current s SEMI JOIN top USING (volunteer_no)
    WHERE in_scope(s.street_code, $street_codes) AND s.service_date <= vol_last_day($as_of)
      AND service_part(s.verified, s.notice) = 'verified'
    GROUP BY ALL
)
SELECT t.rank,
    CASE WHEN may_reveal(v.community_code, $reveal_all, $own_community) THEN v.name ELSE mask_person(v.name) END AS name,
    v.street_code, v.community_code, c.community_name, v.team, t.hours, t.records, cum.cumulative_hours,
    r.star1, r.star2, r.star3, r.star4, r.star5
FROM top t
JOIN volunteer_current v USING (volunteer_no)
JOIN communities c ON c.community_code = v.community_code
JOIN cum USING (volunteer_no)
JOIN r ON r.street_code = v.street_code
ORDER BY t.rank, t.volunteer_no;
