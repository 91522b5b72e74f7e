-- One row per black-board 事由类别 with entries whose 期别 is in [$start, $end): how often it came
-- back (entries, distinct months, 社区), how many are still 在榜/整改中 as of $as_of, and its
-- latest 期别. Most recurring first.
-- Params: $street_codes (scope); $start, $end (TIMESTAMP); $as_of; $street, $community (filters).
SELECT h.reason_category,
    count(*) AS entries,
    count(DISTINCT h.period) AS months,
    count(DISTINCT h.community_code) AS communities,
    count(*) FILTER (WHERE h.is_active) AS still_active,
    max(h.period) AS last_period,
    string_agg(DISTINCT c.community_name, '、' ORDER BY c.community_name) AS community_names
FROM honor_asof($as_of, streets := $street_codes) h
JOIN communities c USING (community_code)
WHERE in_scope(h.street_code, $street_codes)
  AND ($street IS NULL OR h.street_code = $street)
  AND ($community IS NULL OR h.community_code = $community)
  AND h.board = '黑榜'
  AND h.period >= CAST($start AS DATE) AND h.period < CAST($end AS DATE)
GROUP BY h.reason_category
ORDER BY months DESC, entries DESC, h.reason_category;
